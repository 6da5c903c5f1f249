/**
 * A small insertion-ordered memo bounded by entry count and by the total length of its keys, so that
 * forged tokens near the 20 000-character limit cannot pin tens of megabytes in an isolate.
 *
 * @module
 */
export class BoundedMemo<V> {
  readonly #map = new Map<string, V>();
  #chars = 0;

  /**
   * @param maxEntries Entries kept at most; the oldest go first.
   * @param maxChars Total key length kept at most (values are assumed proportional to their keys).
   */
  constructor(
    readonly maxEntries: number,
    readonly maxChars: number,
  ) {}

  /** The value for `key`, or `undefined`. */
  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  /** Remembers `value` under `key`, letting the oldest entries go to stay within both bounds. */
  set(key: string, value: V): void {
    if (key.length > this.maxChars) return;
    if (this.#map.has(key)) this.#map.delete(key);
    else this.#chars += key.length;
    this.#map.set(key, value);
    while (this.#map.size > this.maxEntries || this.#chars > this.maxChars) {
      const oldest = this.#map.keys().next().value as string;
      this.#map.delete(oldest);
      this.#chars -= oldest.length;
    }
  }

  /** Entries held. */
  get size(): number {
    return this.#map.size;
  }
}

/**
 * A `Map` bounded by entry count and by the total length of its keys, oldest out first. Setting a key
 * again makes it the newest, so insertion order is recency order (an LRU when readers re-set what they
 * use). The key-length bound is what keeps forged tokens near STS's 20 000-character limit from
 * pinning tens of megabytes in an isolate.
 *
 * @module
 */
export class BoundedMap<V> {
  readonly #map = new Map<string, V>();
  #chars = 0;

  /**
   * @param maxEntries Entries kept at most; the oldest go first.
   * @param maxKeyChars Total key length kept at most (values are assumed proportional to their keys). @default Infinity
   */
  constructor(
    readonly maxEntries: number,
    readonly maxKeyChars: number = Infinity,
  ) {}

  /** The value for `key`, or `undefined`. */
  get(key: string): V | undefined {
    return this.#map.get(key);
  }

  /** Whether `key` is held. */
  has(key: string): boolean {
    return this.#map.has(key);
  }

  /**
   * Remembers `value` under `key` as the newest entry, letting the oldest go to stay within both
   * bounds. A key longer than `maxKeyChars` on its own is not kept.
   */
  set(key: string, value: V): void {
    if (key.length > this.maxKeyChars) return;
    if (this.#map.has(key)) this.#map.delete(key);
    else this.#chars += key.length;
    this.#map.set(key, value);
    while (this.#map.size > this.maxEntries || this.#chars > this.maxKeyChars) {
      const oldest = this.#map.keys().next().value as string;
      this.#map.delete(oldest);
      this.#chars -= oldest.length;
    }
  }

  /** Forgets `key`. @returns Whether it was held. */
  delete(key: string): boolean {
    if (!this.#map.delete(key)) return false;
    this.#chars -= key.length;
    return true;
  }

  /** Forgets everything. */
  clear(): void {
    this.#map.clear();
    this.#chars = 0;
  }

  /** Entries held. */
  get size(): number {
    return this.#map.size;
  }
}

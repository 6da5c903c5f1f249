/**
 * What the store level writes and reads back, sealed: an entry (the value, its expiry and when it stops
 * being served) or a brief refusal (what STS said about a token, for the isolates waiting on its
 * exchange). Writes are bounded, never reject, and are reported without the key or the value.
 *
 * @module
 */
import { callHook } from "../hooks.ts";
import { bounded, describe } from "./store-call.ts";
import { seal } from "./store-crypto.ts";
import type { StoreKeys } from "./store-crypto.ts";
import type { StoreAccess, StoreLoad } from "./store-level.ts";

/** A background write may take longer than a read, but not forever (a Worker's waitUntil is bounded too). */
const MIN_WRITE_TIMEOUT_MS = 1000;
const WRITE_TIMEOUT_FACTOR = 20;
/** How long a refusal recorded for the waiters of other isolates is answered, at most (ms). */
export const REFUSAL_MS = 5000;

/** A refusal as recorded in the store (sealed): what STS said, nothing of the token. */
export interface Refusal {
  /** The STS error code, e.g. `InvalidIdentityToken`. */
  code: string;
  /** The HTTP status STS answered with. */
  status: number;
}

/** What a sealed value holds besides the value itself. */
export interface Envelope {
  v: 1;
  /** ms epoch: not served at or after this. */
  until: number;
  /** ms epoch: the credentials' expiration. */
  exp: number;
  data: unknown;
}

/** A sealed refusal: answered until `until` by isolates that find it. */
export interface RefusalEnvelope {
  v: 1;
  until: number;
  refused: Refusal;
}

/** The background write: never rejects (it may run in `waitUntil`, or with nobody awaiting it). */
export async function write<V>(access: StoreAccess, keys: StoreKeys, load: StoreLoad<V>, value: V): Promise<void> {
  try {
    await writeOnce(access, keys, load, value);
  } catch (err) {
    callHook(access.onError, { operation: "set", reason: "error", ...describe(err, [keys.storeKey]), durationMs: 0 });
  }
}

async function writeOnce<V>(access: StoreAccess, keys: StoreKeys, load: StoreLoad<V>, value: V): Promise<void> {
  const exp = load.codec.expiration(value);
  const until = Math.min(exp - load.windowMs, load.notAfter ?? Infinity);
  const ttlSeconds = Math.ceil((until - access.now()) / 1000);
  if (!(ttlSeconds >= 1)) return; // nothing another isolate could still use
  await put(access, keys, ttlSeconds, () => ({ v: 1, until, exp, data: load.codec.encode(value) }) satisfies Envelope);
}

/** Records a refusal briefly, sealed like an entry, for the isolates waiting on this one's exchange. Never rejects. */
export async function recordRefusal<V>(access: StoreAccess, keys: StoreKeys, load: StoreLoad<V>, refused: Refusal): Promise<void> {
  try {
    const until = Math.min(access.now() + REFUSAL_MS, load.notAfter ?? Infinity);
    const ttlSeconds = Math.ceil((until - access.now()) / 1000);
    if (!(ttlSeconds >= 1)) return;
    await put(access, keys, ttlSeconds, () => ({ v: 1, until, refused: { code: refused.code, status: refused.status } }) satisfies RefusalEnvelope);
  } catch (err) {
    callHook(access.onError, { operation: "set", reason: "error", ...describe(err, [keys.storeKey]), durationMs: 0 });
  }
}

/** Seals what `payload` builds and writes it, bounded; failures are reported. */
async function put(access: StoreAccess, keys: StoreKeys, ttlSeconds: number, payload: () => unknown): Promise<void> {
  const started = performance.now();
  let sealed = "";
  try {
    sealed = await seal(keys, payload());
  } catch (err) {
    callHook(access.onError, { operation: "set", reason: "error", ...describe(err, []), durationMs: performance.now() - started });
    return;
  }
  const timeoutMs = Math.max(MIN_WRITE_TIMEOUT_MS, access.timeoutMs * WRITE_TIMEOUT_FACTOR);
  const answer = await bounded(() => access.store.set(keys.storeKey, sealed, ttlSeconds), timeoutMs);
  if (answer.kind !== "ok") {
    const extra = answer.kind === "error" ? describe(answer.error, [keys.storeKey, sealed]) : {};
    callHook(access.onError, { operation: "set", reason: answer.kind, ...extra, durationMs: performance.now() - started });
  }
}

export function isRefusal(value: unknown): value is RefusalEnvelope {
  const e = value as Partial<RefusalEnvelope> | undefined;
  const r = e?.refused as Partial<Refusal> | undefined;
  return typeof e === "object" && e !== null && e.v === 1 && Number.isFinite(e.until) && typeof r === "object" && r !== null &&
    typeof r.code === "string" && /^[A-Za-z.]{1,64}$/.test(r.code) && Number.isInteger(r.status);
}

export function isEnvelope(value: unknown): value is Envelope {
  const e = value as Partial<Envelope> | undefined;
  return typeof e === "object" && e !== null && e.v === 1 && Number.isFinite(e.until) && Number.isFinite(e.exp);
}

/**
 * Another Worker bound to the fleet's KV namespace: what someone with access to the namespace (a
 * colleague's Worker, a leaked API token, `wrangler kv`) can do to it. It reads everything and
 * rewrites values; the Workers under test must treat what it wrote as a miss, never as credentials.
 */

/** The part of Workers KV this Worker uses. */
interface KvNamespace {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options?: { cursor?: string }): Promise<{ keys: Array<{ name: string; expiration?: number }>; list_complete: boolean; cursor?: string }>;
}

/** Workers' `caches.default` (not in the DOM typings this repo compiles with). */
declare const caches: { default: Cache };

interface Env {
  KV_BINDING: string;
  [binding: string]: unknown;
}

async function dump(kv: KvNamespace) {
  const entries: Array<{ name: string; value: string | null; expiration?: number }> = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const listed = await kv.list(cursor === undefined ? {} : { cursor });
    for (const key of listed.keys) entries.push({ name: key.name, value: await kv.get(key.name), expiration: key.expiration });
    if (listed.list_complete || listed.cursor === undefined) break;
    cursor = listed.cursor;
  }
  return entries;
}

/** Changes one character in the middle of the value (the ciphertext), keeping its length and alphabet. */
function flipOne(value: string): string {
  const at = Math.floor(value.length / 2);
  const c = value[at] === "A" ? "B" : "A";
  return value.slice(0, at) + c + value.slice(at + 1);
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const kv = env[env.KV_BINDING] as KvNamespace;
    const url = new URL(request.url);
    const key = url.searchParams.get("key") ?? "";
    const keep = { expirationTtl: 3600 };
    switch (url.pathname) {
      case "/dump":
        return Response.json(await dump(kv));
      case "/put":
        await kv.put(key, await request.text(), keep);
        return new Response("ok");
      case "/flip": {
        const value = await kv.get(key);
        if (value === null) return new Response("no such key", { status: 404 });
        await kv.put(key, flipOne(value), keep);
        return new Response("ok");
      }
      case "/copy": {
        const value = await kv.get(url.searchParams.get("from") ?? "");
        if (value === null) return new Response("no such key", { status: 404 });
        await kv.put(url.searchParams.get("to") ?? "", value, keep);
        return new Response("ok");
      }
      case "/delete":
        await kv.delete(key);
        return new Response("ok");
      // The same, on caches.default (this Worker is in the same data centre): `url` is the cached URL.
      case "/cache-get": {
        const cached = await caches.default.match(new Request(url.searchParams.get("url") ?? ""));
        return cached === undefined ? new Response("no such entry", { status: 404 }) : new Response(await cached.text());
      }
      case "/cache-put": {
        const target = new Request(url.searchParams.get("url") ?? "");
        await caches.default.put(target, new Response(await request.text(), { headers: { "cache-control": "max-age=3600" } }));
        return new Response("ok");
      }
      case "/cache-flip": {
        const target = new Request(url.searchParams.get("url") ?? "");
        const cached = await caches.default.match(target);
        if (cached === undefined) return new Response("no such entry", { status: 404 });
        await caches.default.put(target, new Response(flipOne(await cached.text()), { headers: { "cache-control": "max-age=3600" } }));
        return new Response("ok");
      }
      default:
        return new Response("not found", { status: 404 });
    }
  },
};

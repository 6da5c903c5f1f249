/**
 * The little of the Deno and Bun globals the examples use, declared by hand: the examples are
 * type-checked by tsc with `"types": []`, and no runtime typings package is installed.
 * (examples/node uses @types/node; the Worker needs only web standards and hono's types.)
 */
declare namespace Deno {
  const env: { get(name: string): string | undefined };
  function serve(
    options: { port?: number; hostname?: string; onListen?: (address: { hostname: string; port: number }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { finished: Promise<void>; shutdown(): Promise<void> };
}

declare const Bun: {
  readonly env: Record<string, string | undefined>;
  serve(options: {
    port?: number;
    hostname?: string;
    fetch(request: Request): Response | Promise<Response>;
  }): { readonly hostname: string; readonly port: number; stop(): void };
};

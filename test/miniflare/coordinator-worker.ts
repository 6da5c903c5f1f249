/**
 * The Worker that owns the fleet's Durable Object namespace (`STS_COORDINATOR`): the package's
 * `StsCoordinator`, exported as an app would, with one test-only addition — `POST /__dump` answers
 * every key and value the object holds, so the tests can scan all of it (a user's Worker has no such route).
 */
import { StsCoordinator as PackageCoordinator } from "../../src/stores/index.ts";
import type { DurableObjectStorageLike } from "../../src/stores/index.ts";

export class StsCoordinator extends PackageCoordinator {
  readonly #storage: DurableObjectStorageLike;

  constructor(state: { storage: DurableObjectStorageLike }, env?: unknown) {
    super(state, env);
    this.#storage = state.storage;
  }

  override async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname !== "/__dump") return super.fetch(request);
    const all = await this.#storage.list<{ value: string; expiresAt: number }>({ limit: 10_000 });
    return Response.json([...all].map(([key, held]) => [key, held.value]));
  }
}

export default {
  fetch: () => new Response("the fleet's coordinator", { status: 404 }),
};

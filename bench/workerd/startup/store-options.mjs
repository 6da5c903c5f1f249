/**
 * The store-hit Worker's middleware options: a store that holds this token's sealed entry (written
 * by the same middleware in the bench process), and an STS `fetch` that throws, so anything but a
 * store hit answers 503.
 */
export function storeHitOptions(env) {
  const entries = new Map([[env.STORE_KEY, env.STORE_VALUE]]);
  return {
    roleArn: env.ROLE_ARN,
    region: env.REGION,
    storeSecret: env.STORE_SECRET,
    store: { get: async (key) => entries.get(key), set: async () => {} },
    fetch: () => {
      throw new Error("the start-up bench's store hit called STS");
    },
  };
}

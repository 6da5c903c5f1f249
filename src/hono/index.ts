/**
 * `edge-sts/hono`: Hono middleware that turns the caller's OIDC token into AWS role credentials.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { stsCredentials, type StsVariables } from "edge-sts/hono";
 *
 * const app = new Hono<{ Variables: StsVariables }>();
 * app.use("/api/*", stsCredentials({ roleArn: "arn:aws:iam::123456789012:role/app", region: "eu-west-1" }));
 * app.get("/api/whoami", (c) => c.json(c.var.stsIdentity));
 * ```
 *
 * @module
 */
export { stsCredentials } from "./sts-credentials.ts";
export type { StsCredentialsOptions } from "./options.ts";
export type { StsRegions } from "./regions.ts";
export type * from "./types.ts";
export type { TokenClaims, TokenCookie } from "./token.ts";
export type { VerifyAlgorithm, VerifyOptions } from "../jwt/verify.ts";
export { BearerTokenError } from "./errors.ts";
export type { BearerProblem } from "./errors.ts";
export { sessionNameFor } from "./session-name.ts";
// The cache type of the `cache` option, for apps that want a cache of their own.
export { CredentialCache } from "../cache/credential-cache.ts";
export type { CacheOutcome, CredentialCacheOptions } from "../cache/credential-cache.ts";

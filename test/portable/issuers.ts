/**
 * OIDC issuers shared by the portable tests. RSA key generation is by far the slowest step of the
 * end-to-end tests, so each issuer is made once per run, on first use inside a test (workerd
 * forbids crypto at global scope; `createOidcIssuer` itself makes its keys lazily).
 */
import { createOidcIssuer } from "../../src/testing/index.ts";
import type { OidcIssuer } from "../../src/testing/index.ts";

let trusted: OidcIssuer | undefined;
let stranger: OidcIssuer | undefined;

/** The issuer the tests' emulators trust (`https://issuer.edge-sts.test`, audience `sts.amazonaws.com`). */
export function trustedIssuer(): OidcIssuer {
  return (trusted ??= createOidcIssuer());
}

/** An issuer no emulator trusts (`https://stranger.example.com`), with keys of its own. */
export function strangerIssuer(): OidcIssuer {
  return (stranger ??= createOidcIssuer({ issuer: "https://stranger.example.com" }));
}

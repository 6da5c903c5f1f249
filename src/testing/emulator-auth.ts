/**
 * Authenticates a signed call as STS does: the Authorization header, the key, the session token,
 * expiry, the 15-minute window, then the signature itself.
 */
import type { ResolvedOptions } from "./emulator-options.ts";
import { EmulatorError, isoSeconds, stsErrors } from "./emulator-responses.ts";
import type { EmulatorState, StsEmulatorSession } from "./emulator-state.ts";
import { expectedSignature, isSigV4Problem, parseAuthorization, signaturesMatch } from "./sigv4-verify.ts";

/** How far `x-amz-date` may be from the server's clock. */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** The caller of a signed request. */
export interface Authenticated {
  session: StsEmulatorSession;
  region: string;
}

const amz = (ms: number) => isoSeconds(ms).replace(/[-:]/g, "");

/**
 * @returns The caller's session and the credential scope's region.
 * @throws {EmulatorError} `MissingAuthenticationToken`, `IncompleteSignature`, `InvalidClientTokenId`,
 *   `ExpiredToken`, `RequestExpired`, `SignatureDoesNotMatch`.
 */
export async function authenticate(
  request: Request,
  body: Uint8Array,
  now: number,
  options: ResolvedOptions,
  state: EmulatorState,
): Promise<Authenticated> {
  const auth = parseAuthorization(request.headers);
  if (isSigV4Problem(auth)) {
    throw new EmulatorError(auth.code, auth.code === "IncompleteSignature" ? 400 : 403, auth.message);
  }
  if (auth.service !== "sts") {
    throw new EmulatorError("SignatureDoesNotMatch", 403, "Credential should be scoped to correct service: 'sts'.");
  }
  if (options.region !== undefined && auth.region !== options.region) {
    throw new EmulatorError("SignatureDoesNotMatch", 403, `Credential should be scoped to a valid region, not '${auth.region.slice(0, 64)}'.`);
  }
  const session = state.find(auth.accessKeyId);
  if (!session) throw stsErrors.invalidClientTokenId();
  const token = request.headers.get("x-amz-security-token") ?? undefined;
  if (session.sessionToken !== token) throw stsErrors.invalidClientTokenId();
  if (session.expiresAt !== undefined && session.expiresAt <= now) throw stsErrors.expiredToken();
  if (auth.time < now - MAX_SKEW_MS) {
    throw new EmulatorError("RequestExpired", 400,
      `Signature expired: ${auth.amzDate} is now earlier than ${amz(now - MAX_SKEW_MS)} (${amz(now)} - 15 min.)`);
  }
  if (auth.time > now + MAX_SKEW_MS) {
    throw new EmulatorError("RequestExpired", 400,
      `Signature not yet current: ${auth.amzDate} is still later than ${amz(now + MAX_SKEW_MS)} (${amz(now)} + 15 min.)`);
  }
  const expected = await expectedSignature(request, body, auth, session.secretAccessKey);
  if (!signaturesMatch(expected, auth.signature.toLowerCase())) {
    throw new EmulatorError("SignatureDoesNotMatch", 403,
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
  }
  return { session, region: auth.region };
}

/**
 * What every operation handler receives, and the pieces they share: role lookup and trust,
 * assumed-role identities, the credentials element, session policies and durations.
 */
import type { ResolvedOptions, StsEmulatorRole } from "./emulator-options.ts";
import { stsErrors } from "./emulator-responses.ts";
import type { XmlTree } from "./emulator-responses.ts";
import type { EmulatorState, StsEmulatorPrincipal, StsEmulatorSession } from "./emulator-state.ts";
import type { OidcIssuer } from "./oidc-issuer.ts";

/** One request, as a handler sees it. */
export interface HandlerContext {
  action: string;
  /** The validated camelCase input. */
  input: Record<string, any>;
  /** The signer's credentials (signed operations only). */
  caller?: StsEmulatorSession;
  /** The region of the credential scope (or the configured region, or `us-east-1`). */
  region: string;
  /** The emulator's clock for this request, epoch ms. */
  now: number;
  options: ResolvedOptions;
  state: EmulatorState;
  /** The emulator's own issuer (GetWebIdentityToken). */
  tokenIssuer: OidcIssuer;
}

/** An operation handler: the `<{Action}Result>` members. */
export type Handler = (ctx: HandlerContext) => Promise<XmlTree>;

/** A role that exists, with its limits. */
export interface ResolvedRole extends StsEmulatorRole {
  name: string;
  maxSessionDurationSeconds: number;
}

/** Finds a role; undeclared roles exist only when `roles` was not configured. */
export function findRole(ctx: HandlerContext, roleArn: string): ResolvedRole | undefined {
  const match = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/.exec(roleArn);
  if (!match) return undefined;
  const name = match[2]!;
  const { roles, accountId } = ctx.options;
  if (!roles) return match[1] === accountId ? { arn: roleArn, name, maxSessionDurationSeconds: 43200 } : undefined;
  const role = roles.find((r) => r.arn === roleArn);
  return role && { ...role, name, maxSessionDurationSeconds: role.maxSessionDurationSeconds ?? 3600 };
}

/** The identity of a session of `role`. */
export function assumedRole(ctx: HandlerContext, role: ResolvedRole, sessionName: string): StsEmulatorPrincipal {
  const account = role.arn.split(":")[4]!;
  return {
    type: "assumed-role",
    arn: `arn:aws:sts::${account}:assumed-role/${role.name}/${sessionName}`,
    userId: `${ctx.state.roleId(role.arn)}:${sessionName}`,
    account,
    roleArn: role.arn,
  };
}

/** The `<Credentials>` element. */
export function credentialsTree(session: StsEmulatorSession): XmlTree {
  return {
    AccessKeyId: session.accessKeyId,
    SecretAccessKey: session.secretAccessKey,
    SessionToken: session.sessionToken,
    Expiration: new Date(session.expiresAt!),
  };
}

/**
 * The lifetime to grant: the request's, or the default, capped by the role's maximum.
 * @throws {EmulatorError} `ValidationError` when the request asks for more than the role allows.
 */
export function durationSeconds(requested: number | undefined, fallback: number, max: number, maxMessage: string): number {
  if (requested !== undefined && requested > max) throw stsErrors.validation(maxMessage);
  return Math.min(requested ?? fallback, max);
}

// The emulator's stand-in for STS's packed (compressed) policy budget, in bytes.
const PACKED_BUDGET = 4096;

/**
 * Checks the session policy and policy ARNs, and reports `PackedPolicySize` (a percentage of a
 * 4096-byte budget over the policy, ARNs and tags) when any were passed.
 * @throws {EmulatorError} `MalformedPolicyDocument` for a policy that is not a JSON object,
 *   `PackedPolicyTooLarge` over 100 %.
 */
export function packedPolicySize(input: Record<string, any>): number | undefined {
  const policy: string | undefined = input.policy;
  const arns: { arn?: string }[] = input.policyArns ?? [];
  const tags: { key: string; value: string }[] = input.tags ?? [];
  if (policy === undefined && arns.length === 0 && tags.length === 0) return undefined;
  if (policy !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(policy);
    } catch {
      throw stsErrors.malformedPolicy("The policy is not in the valid JSON format.");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw stsErrors.malformedPolicy("The policy is not in the valid JSON format.");
    }
  }
  const bytes = utf8Length(policy ?? "") + arns.reduce((n, a) => n + utf8Length(a.arn ?? ""), 0) +
    tags.reduce((n, t) => n + utf8Length(t.key) + utf8Length(t.value), 0);
  const percent = Math.ceil((bytes * 100) / PACKED_BUDGET);
  if (percent > 100) {
    throw stsErrors.packedPolicyTooLarge(`Packed size of consumed policies and tags exceeds 100% of allowed value (${percent}%).`);
  }
  return percent;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Checks that a serial number and a token code come together. */
export function checkMfa(input: Record<string, any>): void {
  if ((input.serialNumber === undefined) !== (input.tokenCode === undefined)) {
    throw stsErrors.accessDenied("MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.");
  }
}


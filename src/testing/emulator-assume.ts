/**
 * The signed operations that hand out another principal's credentials: AssumeRole (and role
 * chaining), AssumeRoot, GetDelegatedAccessToken.
 */
import { assumedRole, checkMfa, credentialsTree, durationSeconds, findRole, packedPolicySize } from "./emulator-context.ts";
import type { Handler, HandlerContext, ResolvedRole } from "./emulator-context.ts";
import { EmulatorError, stsErrors } from "./emulator-responses.ts";
import type { StsEmulatorPrincipal } from "./emulator-state.ts";
import { randomId } from "./emulator-state.ts";

/** The 1-hour cap STS puts on sessions made with assumed-role credentials. */
const CHAINED_MAX_SECONDS = 3600;

function principalAllowed(ctx: HandlerContext, role: ResolvedRole, caller: StsEmulatorPrincipal): boolean {
  const trust = role.trust;
  if (!trust) return caller.account === ctx.options.accountId || caller.account === role.arn.split(":")[4];
  const names = new Set([caller.arn, caller.roleArn, caller.account, `arn:aws:iam::${caller.account}:root`]);
  return (trust.principals ?? []).some((p) => p === "*" || names.has(p));
}

/** The AssumeRole handler. */
export const assumeRole: Handler = async (ctx) => {
  const { input } = ctx;
  const caller = ctx.caller!.principal;
  const role = findRole(ctx, input.roleArn);
  const denied = () =>
    stsErrors.accessDenied(`User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.roleArn}`);
  if (!role || !principalAllowed(ctx, role, caller)) throw denied();
  if (role.trust?.externalId !== undefined && role.trust.externalId !== input.externalId) throw denied();
  checkMfa(input);
  const chained = caller.type === "assumed-role";
  const seconds = chained
    ? durationSeconds(input.durationSeconds, ctx.options.durations.role, Math.min(CHAINED_MAX_SECONDS, role.maxSessionDurationSeconds),
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
    : durationSeconds(input.durationSeconds, ctx.options.durations.role, role.maxSessionDurationSeconds,
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  const keys = new Set<string>((input.tags ?? []).map((t: { key: string }) => t.key.toLowerCase()));
  for (const key of input.transitiveTagKeys ?? []) {
    if (!keys.has(String(key).toLowerCase())) throw stsErrors.validation("Transitive tag keys must be a subset of the session tag keys.");
  }
  const packed = packedPolicySize(input);
  const principal = assumedRole(ctx, role, input.roleSessionName);
  const session = ctx.state.issue(principal, ctx.action, ctx.now + seconds * 1000);
  return {
    Credentials: credentialsTree(session),
    AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: principal.arn },
    PackedPolicySize: packed,
    SourceIdentity: input.sourceIdentity,
  };
};

/** The AssumeRoot handler: a short privileged session on a member account. */
export const assumeRoot: Handler = async (ctx) => {
  const { input } = ctx;
  const target: string = input.targetPrincipal;
  if (!/^\d{12}$/.test(target)) throw stsErrors.validation("TargetPrincipal must be the 12-digit id of a member account.");
  const taskPolicy: string = input.taskPolicyArn?.arn ?? "";
  if (!taskPolicy.startsWith("arn:aws:iam::aws:policy/root-task/")) {
    throw stsErrors.validation("TaskPolicyArn must name an AWS managed root-task policy (arn:aws:iam::aws:policy/root-task/…).");
  }
  const seconds = durationSeconds(input.durationSeconds, ctx.options.durations.root, 900, "DurationSeconds may be at most 900 for AssumeRoot.");
  const principal: StsEmulatorPrincipal = { type: "root", arn: `arn:aws:iam::${target}:root`, userId: target, account: target };
  const session = ctx.state.issue(principal, ctx.action, ctx.now + seconds * 1000);
  return { Credentials: credentialsTree(session) };
};

/** The GetDelegatedAccessToken handler: trades a token from `emulator.createTradeInToken` for credentials. */
export const getDelegatedAccessToken: Handler = async (ctx) => {
  const entry = ctx.state.tradeInTokens.get(ctx.input.tradeInToken);
  if (!entry) throw stsErrors.accessDenied("The trade-in token is not valid.");
  ctx.state.tradeInTokens.delete(ctx.input.tradeInToken);
  if (entry.expiresAt <= ctx.now) {
    throw new EmulatorError("ExpiredTradeInTokenException", 400, "The trade-in token has expired. Request a new token and retry.");
  }
  const arn = entry.principalArn;
  const assumed = /^arn:aws[\w-]*:sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  const account = arn.split(":")[4] || ctx.options.accountId;
  const principal: StsEmulatorPrincipal = assumed
    ? {
      type: "assumed-role",
      arn,
      account,
      userId: `${ctx.state.roleId(`arn:aws:iam::${assumed[1]}:role/${assumed[2]}`)}:${assumed[3]}`,
      roleArn: `arn:aws:iam::${assumed[1]}:role/${assumed[2]}`,
    }
    : { type: "user", arn, account, userId: randomId("AIDA", 17) };
  const session = ctx.state.issue(principal, ctx.action, ctx.now + ctx.options.durations.delegatedAccess * 1000);
  return { Credentials: credentialsTree(session), AssumedPrincipal: arn };
};

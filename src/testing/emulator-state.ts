/**
 * What the emulator remembers: the principals behind long-term keys, the temporary credentials it
 * issued (so they work for later signed calls until they expire), role ids, trade-in tokens.
 */
import type { ResolvedOptions } from "./emulator-options.ts";
import { base64Encode } from "../encoding/base64.ts";

/** Who a set of credentials belongs to, as GetCallerIdentity reports it. */
export interface StsEmulatorPrincipal {
  /** `user` (long-term key or GetSessionToken), `assumed-role`, `federated-user` or `root` (AssumeRoot). */
  type: "user" | "assumed-role" | "federated-user" | "root";
  /** e.g. `arn:aws:sts::123456789012:assumed-role/app/session-1`. */
  arn: string;
  /** e.g. `AROA…:session-1`, `AIDA…`, `123456789012:name`. */
  userId: string;
  /** The account id. */
  account: string;
  /** For `assumed-role`: the role ARN (`arn:aws:iam::…:role/…`). */
  roleArn?: string;
}

/** Credentials the emulator accepts on signed calls. */
export interface StsEmulatorSession {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary credentials. */
  sessionToken?: string;
  /** Epoch ms; absent for long-term keys. */
  expiresAt?: number;
  /** The identity. */
  principal: StsEmulatorPrincipal;
  /** The action that issued them (absent for long-term keys). */
  issuedBy?: string;
}

/** The emulator's memory. */
export interface EmulatorState {
  /** Looks up a key (long-term or issued). */
  find(accessKeyId: string): StsEmulatorSession | undefined;
  /** Issues temporary credentials for a principal. */
  issue(principal: StsEmulatorPrincipal, issuedBy: string, expiresAt: number): StsEmulatorSession;
  /** Forgets a key. */
  revoke(accessKeyId: string): boolean;
  /** Every temporary credential issued so far. */
  issued(): StsEmulatorSession[];
  /** The stable `AROA…` id of a role. */
  roleId(roleArn: string): string;
  /** Trade-in tokens for GetDelegatedAccessToken. */
  tradeInTokens: Map<string, { principalArn: string; expiresAt: number }>;
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `prefix` followed by `length` random characters of `alphabet`. */
export function randomId(prefix: string, length: number, alphabet = BASE32): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = prefix;
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** A 40-character secret access key. */
export function randomSecret(): string {
  return randomId("", 40, BASE62 + "+/");
}

/** An opaque session token of the length STS's tokens have. */
export function randomSessionToken(): string {
  return "IQoJb3JpZ2luX2VjE" + base64Encode(crypto.getRandomValues(new Uint8Array(330)));
}

/** Creates the state for resolved options. */
export function createState(options: ResolvedOptions): EmulatorState {
  const sessions = new Map<string, StsEmulatorSession>();
  const roleIds = new Map<string, string>();
  for (const key of options.accessKeys) {
    sessions.set(key.accessKeyId, {
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      principal: {
        type: "user",
        arn: `arn:aws:iam::${options.accountId}:user/${key.userName}`,
        userId: randomId("AIDA", 17),
        account: options.accountId,
      },
    });
  }
  return {
    find: (accessKeyId) => sessions.get(accessKeyId),
    issue(principal, issuedBy, expiresAt) {
      const session: StsEmulatorSession = {
        accessKeyId: randomId("ASIA", 16),
        secretAccessKey: randomSecret(),
        sessionToken: randomSessionToken(),
        expiresAt,
        principal,
        issuedBy,
      };
      sessions.set(session.accessKeyId, session);
      return session;
    },
    revoke: (accessKeyId) => sessions.delete(accessKeyId),
    issued: () => [...sessions.values()].filter((s) => s.sessionToken !== undefined),
    roleId(roleArn) {
      let id = roleIds.get(roleArn);
      if (!id) roleIds.set(roleArn, (id = randomId("AROA", 17)));
      return id;
    },
    tradeInTokens: new Map(),
  };
}

/**
 * AssumeRoleWithSAML against a deliberately simple assertion format (see {@link createSamlAssertion}):
 * a SAML 2.0 `Response` without an XML signature. The emulator trusts it when its `<Issuer>`
 * matches the SAML provider named by `PrincipalArn`. For tests only: nothing here is secure.
 */
import { loadXmlReader, parseXmlDocument, child, children, text } from "../wire/xml.ts";
import type { XmlElement } from "../wire/xml.ts";
import { assumedRole, credentialsTree, durationSeconds, findRole, packedPolicySize } from "./emulator-context.ts";
import type { Handler, HandlerContext } from "./emulator-context.ts";
import { escapeXml, isoSeconds, stsErrors } from "./emulator-responses.ts";
import { base64Decode, base64Encode } from "../encoding/base64.ts";

const AWS_SAML_AUDIENCE = "https://signin.aws.amazon.com/saml";
const ATTR = "https://aws.amazon.com/SAML/Attributes/";

/** What goes into a test SAML assertion. */
export interface SamlAssertionOptions {
  /** The IdP's entity id (`<Issuer>`). */
  issuer: string;
  /** The `<NameID>`. */
  subject: string;
  /** The role to assume. */
  roleArn: string;
  /** The SAML provider in IAM, `arn:aws:iam::<account>:saml-provider/<name>`. */
  principalArn: string;
  /** The `RoleSessionName` attribute. Default: the subject with characters STS refuses replaced by `_`. */
  sessionName?: string;
  /** The `SourceIdentity` attribute. */
  sourceIdentity?: string;
  /** The `SessionDuration` attribute, seconds. */
  sessionDurationSeconds?: number;
  /** `NotOnOrAfter`. Default: 5 minutes from now. */
  notOnOrAfter?: Date;
  /** The NameID format. Default `urn:oasis:names:tc:SAML:2.0:nameid-format:persistent`. */
  nameIdFormat?: string;
  /** The audience. Default `https://signin.aws.amazon.com/saml`. */
  audience?: string;
}

/**
 * Builds a base64 SAML 2.0 Response the emulator accepts for AssumeRoleWithSAML (unsigned; test use only).
 * @param options Issuer, subject, role and provider, optional attributes.
 * @returns The base64 `SAMLAssertion` value.
 * @example
 * ```ts
 * const samlAssertion = createSamlAssertion({
 *   issuer: "https://idp.example.com/saml", subject: "alice@example.com",
 *   roleArn: "arn:aws:iam::123456789012:role/saml-reader", principalArn: "arn:aws:iam::123456789012:saml-provider/corp-idp",
 * });
 * ```
 */
export function createSamlAssertion(options: SamlAssertionOptions): string {
  const e = escapeXml;
  const notOnOrAfter = isoSeconds(options.notOnOrAfter ?? new Date(Date.now() + 5 * 60_000));
  const format = options.nameIdFormat ?? "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
  const attribute = (name: string, value: string | number | undefined) =>
    value === undefined ? "" : `<saml:Attribute Name="${ATTR}${name}"><saml:AttributeValue>${e(String(value))}</saml:AttributeValue></saml:Attribute>`;
  const xml =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" Version="2.0">` +
    `<saml:Issuer>${e(options.issuer)}</saml:Issuer>` +
    `<saml:Assertion Version="2.0"><saml:Issuer>${e(options.issuer)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${e(format)}">${e(options.subject)}</saml:NameID></saml:Subject>` +
    `<saml:Conditions NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${e(options.audience ?? AWS_SAML_AUDIENCE)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AttributeStatement>` +
    attribute("Role", `${options.roleArn},${options.principalArn}`) +
    attribute("RoleSessionName", options.sessionName ?? options.subject.replace(/[^\w+=,.@-]/g, "_").slice(0, 64)) +
    attribute("SourceIdentity", options.sourceIdentity) +
    attribute("SessionDuration", options.sessionDurationSeconds) +
    `</saml:AttributeStatement></saml:Assertion></samlp:Response>`;
  return base64Encode(new TextEncoder().encode(xml));
}

function attributeValues(assertion: XmlElement | undefined, name: string): string[] {
  const statement = child(assertion, "AttributeStatement");
  const attr = children(statement, "Attribute").find((a) => a.getAttribute("Name") === ATTR + name);
  return children(attr, "AttributeValue").map((v) => (v.textContent ?? "").trim());
}

function readAssertion(encoded: string): XmlElement {
  try {
    const xml = new TextDecoder("utf-8", { fatal: true }).decode(base64Decode(encoded));
    const root = parseXmlDocument(xml);
    const assertion = root.localName === "Assertion" ? root : child(root, "Assertion");
    if (assertion) return assertion;
  } catch {
    // fall through: every unreadable assertion earns the same answer
  }
  throw stsErrors.invalidIdentityToken("Invalid base64 SAMLResponse, or no Assertion in it.");
}

function findProvider(ctx: HandlerContext, arn: string, issuer: string): string {
  const match = /^arn:aws[\w-]*:iam::(\d{12}):saml-provider\/([\w.-]+)$/.exec(arn);
  const configured = ctx.options.samlProviders;
  const known = configured ? configured.find((p) => p.arn === arn) : match && match[1] === ctx.options.accountId ? { arn, issuer } : undefined;
  if (!match || !known) throw stsErrors.invalidIdentityToken("SAML provider not found in the account.");
  if (known.issuer !== issuer) throw stsErrors.invalidIdentityToken("Issuer not present in specified provider.");
  return match[2]!;
}

/** The AssumeRoleWithSAML handler. */
export const assumeRoleWithSaml: Handler = async (ctx) => {
  const { input } = ctx;
  await loadXmlReader();
  const assertion = readAssertion(input.samlAssertion);
  const issuer = (text(assertion, "Issuer") ?? "").trim();
  const providerName = findProvider(ctx, input.principalArn, issuer);
  const conditions = child(assertion, "Conditions");
  const notOnOrAfter = Date.parse(conditions?.getAttribute("NotOnOrAfter") ?? "");
  if (Number.isNaN(notOnOrAfter) || notOnOrAfter <= ctx.now) throw stsErrors.expiredTokenException("Token is expired or has no NotOnOrAfter.");
  const audience = (text(child(conditions, "AudienceRestriction"), "Audience") ?? "").trim();
  if (audience !== AWS_SAML_AUDIENCE) throw stsErrors.invalidIdentityToken("Audience is not https://signin.aws.amazon.com/saml.");
  const nameId = child(child(assertion, "Subject"), "NameID");
  const subject = (nameId?.textContent ?? "").trim();
  const roles = attributeValues(assertion, "Role").map((v) => v.split(",").map((s) => s.trim()).sort().join(","));
  const wanted = [input.roleArn, input.principalArn].sort().join(",");
  const sessionName = attributeValues(assertion, "RoleSessionName")[0];
  if (!subject || !sessionName || !/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
    throw stsErrors.invalidIdentityToken("The assertion needs a NameID and a valid RoleSessionName attribute.");
  }
  const role = findRole(ctx, input.roleArn);
  const trusted = role && (!role.trust || (role.trust.saml ?? []).includes(input.principalArn));
  if (!role || !trusted || !roles.includes(wanted)) throw stsErrors.accessDenied("Not authorized to perform sts:AssumeRoleWithSAML");
  const attrDuration = Number(attributeValues(assertion, "SessionDuration")[0] ?? NaN);
  const fallback = Number.isInteger(attrDuration) ? attrDuration : ctx.options.durations.role;
  const seconds = durationSeconds(input.durationSeconds, fallback, role.maxSessionDurationSeconds,
    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  const packed = packedPolicySize(input);
  const principal = assumedRole(ctx, role, sessionName);
  const session = ctx.state.issue(principal, ctx.action, ctx.now + seconds * 1000);
  const format = nameId?.getAttribute("Format") ?? "";
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(issuer + ctx.options.accountId + "/" + providerName));
  return {
    Credentials: credentialsTree(session),
    AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: principal.arn },
    PackedPolicySize: packed,
    Subject: subject,
    SubjectType: /:(persistent|transient)$/.exec(format)?.[1] ?? format,
    Issuer: issuer,
    Audience: audience,
    NameQualifier: base64Encode(new Uint8Array(digest)),
    SourceIdentity: attributeValues(assertion, "SourceIdentity")[0],
  };
};

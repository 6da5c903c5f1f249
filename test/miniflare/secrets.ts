/**
 * What must never be readable in a store: the caller's token, each of its three parts, the secret
 * access key and the session token, verbatim or encoded (URL-encoded, base64, base64url). Base64 is
 * checked at all three byte alignments, so a secret embedded anywhere in a larger base64 blob is found too.
 */

/** The secrets of a run, labelled for failure messages (never the values themselves). */
export function secretsOf(tokens: string[], sessions: Array<{ secretAccessKey: string; sessionToken?: string }>): Array<{ label: string; value: string }> {
  const out: Array<{ label: string; value: string }> = [];
  tokens.forEach((token, i) => {
    const [header, payload, signature] = token.split(".");
    out.push(
      { label: `token ${i}`, value: token },
      { label: `token ${i} header`, value: header! },
      { label: `token ${i} payload`, value: payload! },
      { label: `token ${i} signature`, value: signature! },
    );
  });
  sessions.forEach((session, i) => {
    out.push({ label: `secret access key ${i}`, value: session.secretAccessKey });
    if (session.sessionToken !== undefined) out.push({ label: `session token ${i}`, value: session.sessionToken });
  });
  return out;
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const toUrl = (b64: string) => b64.replace(/\+/g, "-").replace(/\//g, "_");

/** The encodings searched for; the base64 ones are the alignment-stable middle of the encoding. */
export function encodedForms(secret: string): Array<{ form: string; how: string }> {
  const bytes = new TextEncoder().encode(secret);
  const forms = [
    { form: secret, how: "plain" },
    { form: encodeURIComponent(secret), how: "URL-encoded" },
  ];
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    const encoded = base64(padded);
    // Skip the characters touched by the prefix, and the last group (touched by what follows).
    const start = Math.ceil((shift * 4) / 3);
    const end = Math.floor(((shift + bytes.length) * 4) / 3) - 4;
    if (end - start < 16) continue;
    const core = encoded.slice(start, end);
    forms.push({ form: core, how: `base64 (offset ${shift})` }, { form: toUrl(core), how: `base64url (offset ${shift})` });
  }
  return forms;
}

/** Every (secret, form) found in any of the texts, described without the secret. */
export function findSecrets(secrets: Array<{ label: string; value: string }>, texts: Array<{ where: string; text: string }>): string[] {
  const hits: string[] = [];
  for (const { label, value } of secrets) {
    for (const { form, how } of encodedForms(value)) {
      for (const { where, text } of texts) if (text.includes(form)) hits.push(`${label} (${how}) in ${where}`);
    }
  }
  return hits;
}

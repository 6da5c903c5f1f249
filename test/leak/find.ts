/**
 * The leak scanner shared by the Node suite's check (test/leak/scan.ts) and the portable suite's
 * (test/leak/portable-collect.ts): every output that contains a recorded secret verbatim, URL-encoded,
 * or base64/base64url-encoded. Web-standard only: it runs on Node, Deno, Bun and workerd.
 */

/** One output that contains a secret: where, and the text around it with the secret cut out. */
export interface Leak {
  source: string;
  secretLength: number;
  secretStart: string;
  context: string;
}

/** The forms a secret is looked for in. */
export function secretForms(secret: string): string[] {
  const out = [secret];
  try {
    out.push(encodeURIComponent(secret));
  } catch {
    // a lone surrogate (a validation test's input) has no URL form
  }
  let binary = "";
  for (const byte of new TextEncoder().encode(secret)) binary += String.fromCharCode(byte);
  const b64 = btoa(binary);
  out.push(b64, b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
  return out;
}

/** Every output that contains one of the secrets, in any of its forms. */
export function findLeaks(secrets: Iterable<string>, outputs: Iterable<{ source: string; text: string }>): Leak[] {
  const needles = [...new Set(secrets)].flatMap((secret) => secretForms(secret).map((form) => ({ form, secret })));
  const leaks: Leak[] = [];
  for (const { source, text } of outputs) {
    const hit = needles.find(({ form }) => text.includes(form));
    if (!hit) continue;
    const at = text.indexOf(hit.form);
    const context = text.slice(Math.max(0, at - 80), at) + "[SECRET]" + text.slice(at + hit.form.length, at + hit.form.length + 80);
    leaks.push({ source, secretLength: hit.secret.length, secretStart: hit.secret.slice(0, 4), context });
  }
  return leaks;
}

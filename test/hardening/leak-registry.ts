/**
 * A registry of secrets (bearer tokens, secret access keys, session tokens, MFA codes, assertions)
 * and of everything a user could see (thrown errors, console lines, response bodies and headers,
 * hook payloads), and a scan that no secret — nor its URL-encoded, base64, base64url or JSON-escaped
 * form — appears in any of it.
 *
 * Usage: `registerSecret(value, label)` wherever a secret is made; `captureError`, `captureResponse`,
 * `captureText` wherever output is produced; `hookConsole()` once; `findLeaks()` at the end.
 */
import { inspect } from "node:util";

interface Secret {
  label: string;
  forms: Array<{ form: string; how: string }>;
}
interface Output {
  where: string;
  text: string;
}

const secrets = new Map<string, Secret>();
const outputs: Output[] = [];

/** The ways a secret could show up after passing through an encoder. */
function formsOf(value: string): Array<{ form: string; how: string }> {
  const forms = [
    { form: value, how: "verbatim" },
    { form: encodeURIComponent(value), how: "URL-encoded" },
    { form: Buffer.from(value).toString("base64").replace(/=+$/, ""), how: "base64" },
    { form: Buffer.from(value).toString("base64url"), how: "base64url" },
    { form: JSON.stringify(value).slice(1, -1), how: "JSON-escaped" },
  ];
  // A JWT's payload + signature is what makes it a credential: catch it even without its header.
  const parts = value.split(".");
  const jwt = parts.length === 3 && parts[2]!.length >= 8;
  if (jwt) {
    forms.push({ form: `${parts[1]}.${parts[2]}`, how: "JWT payload+signature" });
    if (parts[2]!.length >= 48) {
      forms.push({ form: parts[2]!.slice(0, 24), how: "JWT signature head" }, { form: parts[2]!.slice(-24), how: "JWT signature tail" });
    }
  }
  // A window from the middle of a long secret catches a leak of most of it. For a JWT, from the
  // middle of its signature: header and claims are shared by many tokens minted in the same second.
  const unique = jwt ? parts[2]! : value;
  if (unique.length >= 40) forms.push({ form: unique.slice(unique.length / 2 - 12, unique.length / 2 + 12), how: "24-char middle window" });
  const seen = new Set<string>();
  return forms.filter(({ form }) => form.length >= 6 && !seen.has(form) && seen.add(form));
}

/** Registers a secret (values shorter than 6 characters cannot be searched for meaningfully). */
export function registerSecret(value: string | undefined, label: string): void {
  if (value === undefined || value.length < 6 || secrets.has(value)) return;
  secrets.set(value, { label, forms: formsOf(value) });
}

/** Records a piece of output. */
export function captureText(where: string, text: string): void {
  outputs.push({ where, text });
}

/** Records an error as a logger would print it: message, stack, cause chain and every property. */
export function captureError(where: string, err: unknown): void {
  if (err instanceof Error) {
    captureText(`${where}: message`, err.message);
    captureText(`${where}: stack`, err.stack ?? "");
    captureText(`${where}: String()`, String(err));
  }
  captureText(`${where}: inspect`, inspect(err, { depth: 10, showHidden: false, getters: true }));
  try {
    captureText(`${where}: JSON`, JSON.stringify(err) ?? "");
  } catch {
    // circular: inspect covers it
  }
}

/** Records a response's status line, every header and the body; returns the body. */
export async function captureResponse(where: string, res: Response): Promise<string> {
  const body = await res.clone().text();
  captureText(`${where}: headers`, [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n"));
  captureText(`${where}: body`, body);
  captureText(`${where}: status`, `${res.status} ${res.statusText}`);
  return body;
}

/** Records every console line (still printed). Returns the undo. */
export function hookConsole(): () => void {
  const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
  const originals = methods.map((m) => console[m]);
  methods.forEach((m, i) => {
    console[m] = (...args: unknown[]) => {
      captureText(`console.${m}`, args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 10 }))).join(" "));
      (originals[i] as (...a: unknown[]) => void).apply(console, args);
    };
  });
  return () => methods.forEach((m, i) => void (console[m] = originals[i] as never));
}

/** Every (secret, form, output) where a secret shows. */
export function findLeaks(): string[] {
  const leaks: string[] = [];
  for (const secret of secrets.values()) {
    for (const { form, how } of secret.forms) {
      for (const output of outputs) {
        const at = output.text.indexOf(form);
        if (at >= 0) {
          leaks.push(`${secret.label} (${how}) in ${output.where}: …${output.text.slice(Math.max(0, at - 40), at + form.length + 20).replace(/\s+/g, " ")}…`);
        }
      }
    }
  }
  return leaks;
}

/** How much was registered and captured (a scan of nothing proves nothing). */
export function registryStats(): { secrets: number; outputs: number; bytes: number; wheres: Set<string> } {
  return {
    secrets: secrets.size,
    outputs: outputs.length,
    bytes: outputs.reduce((n, o) => n + o.text.length, 0),
    wheres: new Set(outputs.map((o) => o.where.split(":")[0]!)),
  };
}

/** Forgets everything (for the scanner's self-test). */
export function resetRegistry(): void {
  secrets.clear();
  outputs.length = 0;
}

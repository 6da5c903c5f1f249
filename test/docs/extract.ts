/**
 * The code blocks of README.md and docs/*.md (a glob: pages added later are covered too), each with
 * where it is and its marker: an HTML comment on the line before the fence,
 * `<!-- snippet: fragment -->` (not type-checked), `<!-- snippet: in-app -->` (checked inside an app
 * with `app`, `roleArn`, `region`… declared) or `<!-- snippet: run <how> [path] -->` (checked, then run).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

export const root = resolve(import.meta.dirname, "..", "..");

/** One fenced code block. */
export interface Snippet {
  /** The Markdown file, relative to the repository root. */
  file: string;
  /** The line of the first line of code (1-based). */
  line: number;
  /** The fence's info string's first word: `ts`, `sh`, `toml`… (empty when none). */
  lang: string;
  code: string;
  /** The marker's words, e.g. `["run", "app", "/api/whoami"]`; empty without a marker. */
  marker: string[];
}

/** README.md and every docs/*.md, sorted. */
export function markdownFiles(): string[] {
  const docs = join(root, "docs");
  const pages = readdirSync(docs).filter((f) => f.endsWith(".md")).sort().map((f) => join(docs, f));
  return [join(root, "README.md"), ...pages];
}

export function snippetsOf(path: string): Snippet[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([\w-]*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[1]!;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith(fence)) end++;
    if (end === lines.length) throw new Error(`${relative(root, path)}:${i + 1}: code block never closed`);
    let before = i - 1;
    while (before >= 0 && lines[before]!.trim() === "") before--;
    const mark = before >= 0 ? /^<!--\s*snippet:\s*(.+?)\s*-->$/.exec(lines[before]!.trim()) : null;
    found.push({ file: relative(root, path), line: start + 1, lang: open[2]!.toLowerCase(), code: lines.slice(start, end).join("\n"), marker: mark ? mark[1]!.split(/\s+/) : [] });
    i = end;
  }
  return found;
}

export function allSnippets(): Snippet[] {
  return markdownFiles().flatMap(snippetsOf);
}

export const isScript = (s: Snippet) => ["ts", "typescript", "js", "javascript", "tsx", "mjs"].includes(s.lang);
export const isShell = (s: Snippet) => ["sh", "bash", "shell", "console"].includes(s.lang);

/** The command lines of shell blocks (comments cut, continuation lines joined). */
export function shellCommands(snippets: Snippet[]): Array<{ where: string; command: string }> {
  return snippets.filter(isShell).flatMap((s) =>
    s.code
      .replace(/\\\n/g, " ")
      .split("\n")
      .map((text, n) => ({ where: `${s.file}:${s.line + n}`, command: text.replace(/\s+#.*$/, "").trim() }))
      .filter((c) => c.command !== "" && !c.command.startsWith("#")),
  );
}

/**
 * A block's imports made to work from a file in `dir`: `edge-sts`, `edge-sts/hono`,
 * `jsr:@edge-sts/edge-sts/stores`… → the sources; `npm:hono` → `hono`.
 */
export function pointAtSources(code: string, dir: string): string {
  const src = (sub: string | undefined) => relative(dir, join(root, "src", sub ?? "", "index.ts")).replace(/^(?!\.)/, "./");
  return code
    .replace(/(["'])(?:jsr:@edge-sts\/edge-sts|edge-sts)(?:\/(hono|testing|stores))?\1/g, (_m, q: string, sub?: string) => `${q}${src(sub)}${q}`)
    .replace(/(["'])npm:([\w@/.-]+?)(?:@[\w.^~-]+)?\1/g, "$1$2$1");
}

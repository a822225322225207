/**
 * A small import scanner for the architecture tests: finds every import of a TypeScript/JavaScript file —
 * static declarations (`import … from`, `import type … from`, `export … from`, `import "x"`) and
 * `import("x")` (a dynamic import or a type query) — with its line, and resolves relative specifiers to
 * repository paths. A scanner rather than the compiler: the project's TypeScript 7 has no JavaScript API.
 * Comments are blanked first (keeping line breaks), so an import quoted in a comment is not counted.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface FoundImport {
  /** repository path of the importing file, with forward slashes */
  file: string;
  line: number;
  specifier: string;
  /** repository path the specifier resolves to (relative specifiers only; null for packages) */
  target: string | null;
  kind: "static" | "type-only" | "dynamic";
}

/** Blanks comments (keeping newlines and string literals), so offsets and line numbers stay true. */
function blankComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      while (i < text.length && text[i] !== "\n") (out += " "), i++;
    } else if (c === "/" && next === "*") {
      out += "  ";
      i += 2;
      while (i < text.length && !(text[i] === "*" && text[i + 1] === "/")) (out += text[i] === "\n" ? "\n" : " "), i++;
      out += "  ";
      i += 2;
    } else if (c === '"' || c === "'" || c === "`") {
      const quote = c;
      out += c;
      i++;
      while (i < text.length && text[i] !== quote) {
        if (text[i] === "\\") (out += text[i]), i++;
        if (i < text.length) (out += text[i]), i++;
      }
      if (i < text.length) (out += text[i]), i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

// the import/export clause grammar: [type] (default [, …] | * [as x] | {…}) from "x"
const STATIC = /(^|[;}\s])(import|export)\s+((?:type\s+)?(?:[\w$]+\s*,\s*)?(?:\*(?:\s*as\s+[\w$]+)?|\{[^}]*\}|[\w$]+))\s*from\s*(["'])([^"'\n]+)\4/g;
const SIDE_EFFECT = /(^|[;}\s])import\s*(["'])([^"'\n]+)\2/g;
const DYNAMIC = /\bimport\s*\(\s*(["'])([^"'\n]+)\1/g;

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function resolve(file: string, specifier: string): string | null {
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return null;
  return path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, ".ts");
}

/** Every import in one file's text (`file` is its repository path, forward slashes). */
export function importsOf(file: string, text: string): FoundImport[] {
  const code = blankComments(text);
  const found: FoundImport[] = [];
  for (const m of code.matchAll(STATIC)) {
    const clause = m[3].trim();
    // `import type {…}` / `export type {…}`, or every named binding marked `type`: erased by the compiler
    const typeOnly = /^type\b/.test(clause) || (/^\{[^}]*\}$/.test(clause) && clause.slice(1, -1).split(",").filter((s) => s.trim()).every((s) => /^\s*type\b/.test(s)));
    const start = (m.index ?? 0) + m[1].length;
    found.push({ file, line: lineOf(code, start), specifier: m[5], target: resolve(file, m[5]), kind: typeOnly ? "type-only" : "static" });
  }
  for (const m of code.matchAll(SIDE_EFFECT)) {
    const start = (m.index ?? 0) + m[1].length;
    found.push({ file, line: lineOf(code, start), specifier: m[3], target: resolve(file, m[3]), kind: "static" });
  }
  for (const m of code.matchAll(DYNAMIC)) {
    found.push({ file, line: lineOf(code, m.index ?? 0), specifier: m[2], target: resolve(file, m[2]), kind: "dynamic" });
  }
  return found.sort((a, b) => a.line - b.line);
}

/** The .ts/.mts/.mjs files under `dir` (repository paths), skipping the given top-level folders and generated code. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name === "node_modules" || entry.name === "generated" || entry.name === "dist") continue;
        walk(child);
      } else if (/\.(ts|mts|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(child);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

export function readImports(root: string, files: readonly string[]): FoundImport[] {
  return files.flatMap((f) => importsOf(f, readFileSync(path.join(root, f), "utf8")));
}

export const format = (i: FoundImport) => `${i.file}:${i.line} ${i.kind} import of "${i.specifier}" (${i.target})`;

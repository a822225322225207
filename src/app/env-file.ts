/**
 * `.env` at start: the file in the working directory is read once into the environment.
 * A variable already set in the real environment wins over the file (as with `node --env-file`), so
 * `PORT=5000 npm start` overrides a `.env` that says `PORT=4000`. The file uses Node's own parser
 * (`util.parseEnv`, the one behind `process.loadEnvFile`); which variables it supplied is remembered,
 * so a configuration error can say that a bad value came from the file.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";

export interface EnvFile {
  /** the file as the user names it (relative to the working directory when inside it) */
  file: string;
  /** the variables this file supplied (those the real environment did not set) */
  supplied: ReadonlySet<string>;
}

const read = new WeakMap<object, EnvFile | null>();

/**
 * Reads `file` (default ./.env) into `env` once; no file is no error. Returns what it supplied, or null
 * when there was no file.
 */
export function readEnvFile(env: NodeJS.ProcessEnv = process.env, file = ".env"): EnvFile | null {
  if (read.has(env)) return read.get(env)!;
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) {
    read.set(env, null);
    return null;
  }
  const values = parseEnv(readFileSync(absolute, "utf8"));
  const supplied = new Set<string>();
  for (const [name, value] of Object.entries(values)) {
    if (env[name] !== undefined) continue; // the real environment wins
    env[name] = value;
    supplied.add(name);
  }
  const relative = path.relative(process.cwd(), absolute);
  const result = { file: relative && !relative.startsWith("..") ? relative : absolute, supplied };
  read.set(env, result);
  return result;
}

/** The file a variable's value came from, when it came from one. */
export function envFileOf(env: object, name: string): string | null {
  const f = read.get(env);
  return f && f.supplied.has(name) ? f.file : null;
}

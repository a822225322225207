/** Command-line entry points run as real processes: compiled with the project's tsc, run with this Node. */
import { execFile } from "node:child_process";
import { symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, "../..");

/**
 * Compiles one CLI entry point (repo-relative, e.g. "dev/keys/token-cli.ts", and what it imports) into
 * `dir`/build, with `dir` seeing the repo's node_modules; returns the compiled script's path.
 */
export async function compileCli(dir: string, entry: string): Promise<string> {
  const out = path.join(dir, "build");
  await symlink(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  await writeFile(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  await writeFile(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: path.join(REPO, "tsconfig.json"),
      compilerOptions: { outDir: out, rootDir: REPO, sourceMap: false, noEmitOnError: true, typeRoots: [path.join(REPO, "node_modules/@types")] },
      files: [path.join(REPO, entry)],
      include: [],
    }),
  );
  await execFileAsync(process.execPath, [path.join(REPO, "node_modules/typescript/bin/tsc"), "-p", path.join(dir, "tsconfig.json")], { cwd: dir });
  return path.join(out, entry.replace(/\.ts$/, ".js"));
}

/** Runs a compiled CLI as a real process; a non-zero exit is returned, not thrown. */
export async function runCli(
  script: string,
  args: string[],
  options: { env: Record<string, string>; cwd: string },
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execFileAsync(process.execPath, [script, ...args], options);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/**
 * scripts/run-built.mjs (what `npm start` and the CLIs run through): compiles with the real tsc only when a
 * source, tsconfig.json or package.json is newer than the last build, then runs the built entry with its
 * arguments as the program being run. Checked on a small project of its own; file times are set explicitly
 * (never read from the clock), so "newer" is decided by the test, not by how fast the machine is.
 */
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, "../..");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "run-built-"));
  mkdirSync(path.join(dir, "scripts"));
  mkdirSync(path.join(dir, "src"));
  copyFileSync(path.join(REPO, "scripts/run-built.mjs"), path.join(dir, "scripts/run-built.mjs"));
  symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  writeFileSync(
    path.join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", outDir: "dist", rootDir: ".", strict: true, types: ["node"] },
      include: ["src"],
    }),
  );
  source("one");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function source(word: string) {
  writeFileSync(
    path.join(dir, "src/hello.ts"),
    `import { fileURLToPath } from "node:url";\n` +
      `const self: string = fileURLToPath(import.meta.url);\n` +
      `console.log(JSON.stringify({ word: ${JSON.stringify(word)}, argv1: process.argv[1] === self, args: process.argv.slice(2) }));\n`,
  );
}

const setTime = (file: string, seconds: number) => utimesSync(path.join(dir, file), seconds, seconds);
const mtime = (file: string) => statSync(path.join(dir, file)).mtimeMs / 1000;

async function start(...args: string[]) {
  const { stdout } = await run(process.execPath, ["scripts/run-built.mjs", "dist/src/hello.js", ...args], { cwd: dir });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

test("builds when there is no build, not when the build is newer than every source, again when a source is newer", async () => {
  // no build yet: compiles, then runs the entry as the program with its arguments
  expect(await start("--audience", "x")).toEqual({ word: "one", argv1: true, args: ["--audience", "x"] });

  // the build is newer than every source (times set, 1,000,000 s apart): the edit below is not compiled
  const T = 1_700_000_000;
  for (const f of ["src/hello.ts", "tsconfig.json", "package.json"]) setTime(f, T - 1_000_000);
  setTime("dist/.built", T);
  setTime("dist/src/hello.js", T);
  source("two");
  setTime("src/hello.ts", T - 1_000_000);
  expect(await start()).toEqual({ word: "one", argv1: true, args: [] });
  expect(mtime("dist/src/hello.js")).toBe(T);

  // the source is newer than the build: compiled again
  setTime("src/hello.ts", T + 1_000_000);
  expect(await start()).toEqual({ word: "two", argv1: true, args: [] });

  // tsconfig.json newer than the build: compiled again (the output is rewritten)
  setTime("dist/src/hello.js", T);
  setTime("dist/.built", T + 2_000_000);
  setTime("tsconfig.json", T + 3_000_000);
  await start();
  expect(mtime("dist/src/hello.js")).not.toBe(T);
});

#!/usr/bin/env node
/**
 * The npm scripts' runner: `node scripts/run-built.mjs dist/dev/keys/token-cli.js --audience …`.
 * Compiles (tsc) only when a TypeScript source, tsconfig.json or package.json is newer than the last
 * build, then runs the built entry in this process. So `npm run -s token` does not rebuild each time,
 * and an edited source is never run stale.
 */
import { existsSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// what tsconfig.json compiles (the folders of its "include"), and the files that change how
const SOURCES = [...new Set(JSON.parse(readFileSync(path.join(root, "tsconfig.json"), "utf8")).include.map((p) => p.split("*")[0].replace(/\/$/, "")))];
const CONFIG_FILES = ["tsconfig.json", "package.json"];
const STAMP = path.join(root, "dist", ".built");

function newestSource() {
  let newest = 0;
  const stack = SOURCES.map((d) => path.join(root, d));
  while (stack.length) {
    const dir = stack.pop();
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(full);
      else if (/\.(ts|mts|cts|js|mjs|json)$/.test(e.name) && !e.name.endsWith(".d.ts.map")) newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  for (const f of CONFIG_FILES) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  return newest;
}

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run-built.mjs <built entry under dist/> [arguments]");
  process.exit(2);
}
const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
if (newestSource() > built) {
  const started = new Date();
  const tsc = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(root, "tsconfig.json")], { stdio: "inherit" });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // stamped with the build's start: a source saved during the build is newer, so the next run builds again
  writeFileSync(STAMP, "");
  utimesSync(STAMP, started, started);
}
const file = path.resolve(root, entry);
process.argv = [process.argv[0], file, ...args]; // the entry checks that it is the program being run
await import(pathToFileURL(file).href);

#!/usr/bin/env node
// Runs `prisma generate` offline. Prisma 7's CLI insists on locating a native schema engine even for
// `generate`, which never runs it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file keeps the
// CLI from downloading one (the build machines reach only the npm registry). See README "Database".
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(root, "package.json");
env.PRISMA_HIDE_UPDATE_MESSAGE = "1";
const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
const r = spawnSync(process.execPath, [cli, "generate", "--schema", path.join(root, "prisma", "schema.prisma")], {
  cwd: root,
  env,
  stdio: ["ignore", "inherit", "inherit"],
});
process.exit(r.status ?? 1);

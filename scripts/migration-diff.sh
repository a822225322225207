#!/usr/bin/env bash
# Prints the SQL that takes an empty database to prisma/schema.prisma, for writing a new migration
# (prisma/migrations/<stamp>_<name>/migration.sql) by hand. Prisma 7's `migrate` needs a native
# engine these machines cannot download; Prisma 6.19's JavaScript schema engine can diff offline.
# Usage: scripts/migration-diff.sh > /tmp/full.sql   (then keep only what the new migration adds)
# The JS engine wants a reachable PostgreSQL to start (it reads nothing): MIGRATION_DIFF_URL, default the local test database.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent prisma@6.19 >/dev/null 2>&1
sed -e 's/provider *= *"prisma-client"/provider = "prisma-client-js"/' -e '/output *=/d' -e '/moduleFormat/d' -e '/importFileExtension/d' \
    -e 's|provider = "postgresql"|provider = "postgresql"\n  url = "postgresql://localhost/unused"|' "$root/prisma/schema.prisma" > schema.prisma
cat > prisma.config.ts <<CFG
import { defineConfig } from "prisma/config";
import { PrismaPg } from "$root/node_modules/@prisma/adapter-pg/dist/index.mjs";
export default defineConfig({ engine: "js", experimental: { adapter: true }, schema: "schema.prisma",
  adapter: async () => new PrismaPg({ connectionString: "${MIGRATION_DIFF_URL:-postgresql://postgres@127.0.0.1:5432/test}" }) } as any);
CFG
if ! PRISMA_QUERY_ENGINE_LIBRARY="$work/package.json" PRISMA_SCHEMA_ENGINE_BINARY="$work/package.json" \
  npx prisma migrate diff --from-empty --to-schema-datamodel schema.prisma --script >"$work/out.sql" 2>"$work/err.log"; then
  cat "$work/err.log" >&2
  exit 1
fi
grep -v -E '^-- CreateSchema|^CREATE SCHEMA|^npm warn' "$work/out.sql" | sed '1{/^$/d}'

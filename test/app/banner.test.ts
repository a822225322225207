/**
 * The start banner fits a screen and its example works as printed: the lines after "Try" pasted into a
 * shell (sh, curl) against a real gateway answer with the registry's own household count. The token file
 * is private (mode 0600) and holds one sourceable line per token.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { runSeed } from "../../dev/seed/run.js";
import { startBanner, writeTokenFile } from "../../src/app/banner.js";

const run = promisify(execFile);
let gw: TestGateway;
let dir: string;

beforeAll(async () => {
  gw = await startGateway({ seed: (db) => runSeed({ sql: db.sql, seed: 3, asOf: "2026-11-01", persons: 30, progress: "none" }) });
  dir = mkdtempSync(path.join(os.tmpdir(), "banner-"));
});
afterAll(async () => {
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

test("the banner's curl, pasted into a shell, answers with the registry's household count; the token file is private and sourceable", async () => {
  const audiences = ["civil_affairs", "education", "auditor"] as const;
  const tokens = await Promise.all(
    audiences.map(async (audience) => ({ audience, token: await gw.token({ audience, city: "500000", ...(audience === "auditor" ? { purpose: "review" } : {}) }) })),
  );
  const file = path.join(dir, "dev-tokens.env");
  writeTokenFile(file, tokens, new Date(), "8 h");
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const sourced = await run("sh", ["-c", `. "${file}" && printf '%s\\n' "$TOKEN_CIVIL_AFFAIRS" "$TOKEN_EDUCATION" "$TOKEN_AUDITOR"`]);
  expect(sourced.stdout.trim().split("\n")).toEqual(tokens.map((t) => t.token));
  expect(readFileSync(file, "utf8")).not.toMatch(/^[^#\n][^=]*\s/m); // every non-comment line is NAME=value

  const banner = startBanner({
    url: gw.url,
    seconds: 3.2,
    database: "embedded PGlite in /tmp/x",
    explorer: true,
    sandboxes: { education: "http://127.0.0.1:1" },
    dataset: { seed: 3, asOf: "2026-11-01" },
    tokens: { file, civilAffairs: tokens[0].token },
  });
  const lines = banner.split("\n");
  expect(lines.length).toBeLessThanOrEqual(24);
  // every line but the token's fits 160 columns
  for (const l of lines) if (!l.includes(tokens[0].token)) expect(l.length, l).toBeLessThanOrEqual(160);
  expect(banner.split(tokens[0].token)).toHaveLength(2); // one token shown, once
  expect(banner).not.toContain(tokens[1].token);

  const example = lines.slice(lines.findIndex((l) => l.startsWith("Try")) + 1).join("\n");
  const { stdout } = await run("sh", ["-c", example]);
  const answer = JSON.parse(stdout);
  const [{ n }] = await gw.db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM household`);
  expect(answer.errors).toBeUndefined();
  expect(answer.data.households.totalCount).toBe(Number(n));
  expect(answer.data.households.edges).toHaveLength(Math.min(3, Number(n)));
});

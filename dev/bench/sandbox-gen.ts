/**
 * How long the department sandboxes take to come up over a population, and a hash of what they hold
 * (so a change that makes generation faster can be shown to generate the same records):
 *   node dist/dev/bench/sandbox-gen.js --persons 200000 [--seed 20190101] [--as-of 2026-12-06] [--no-hash]
 * Prints the time of each phase (generating the households, deriving the five data sets, building the
 * servers) and a SHA-256 of each system's full export, read page by page from the export route as the
 * sync reads it (`inject`, no sockets), in key order.
 */
import { createHash } from "node:crypto";
import { generatePopulation } from "../seed/generator.js";
import type { SynthHousehold } from "../seed/model.js";
import { deriveAllSandboxData, startSandboxes } from "../sandboxes/index.js";
import { SOURCES } from "../../src/domain/records.js";

const EXPORT_PATH = {
  education: "/api/v1/students/export",
  employment: "/api/bulk/employment/export",
  housing: "/housing/v1/bulk/export",
  medicalInsurance: "/api/v2/insured/bulk/export",
  disability: "/cdpf/api/bulk/export",
} as const;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const persons = arg("persons") ? Number(arg("persons")) : undefined;
  const seed = Number(arg("seed") ?? 20190101);
  const asOf = arg("as-of") ?? "2026-12-06";
  const mb = () => `${Math.round(process.memoryUsage().rss / 1048576)} MB`;

  let t = performance.now();
  const households: SynthHousehold[] = [...generatePopulation({ seed, asOf, persons })];
  const genMs = performance.now() - t;
  const people = households.reduce((a, h) => a + h.members.length, 0);
  process.stderr.write(`generate: ${households.length} households, ${people} persons in ${(genMs / 1000).toFixed(1)} s (rss ${mb()})\n`);
  t = performance.now();
  deriveAllSandboxData(households, { seed, asOf });
  const deriveMs = performance.now() - t;
  process.stderr.write(`derive (5 data sets, separately timed): ${(deriveMs / 1000).toFixed(1)} s (rss ${mb()})\n`);
  t = performance.now();
  const sb = await startSandboxes({ seed, asOf, households, employment: { rateLimitPerSecond: 1_000_000, burst: 1_000_000 } });
  process.stderr.write(`startSandboxes over the generated households (derive + build + listen): ${((performance.now() - t) / 1000).toFixed(1)} s (rss ${mb()})\n`);
  try {
    if (process.argv.includes("--no-hash")) return;
    let token = "";
    {
      const r = await sb.apps.medicalInsurance.inject({
        method: "POST",
        url: "/oauth/token",
        payload: { grant_type: "client_credentials", client_id: sb.medicalCredentials.clientId, client_secret: sb.medicalCredentials.clientSecret },
      });
      token = (JSON.parse(r.body) as { access_token: string }).access_token;
    }
    const all = createHash("sha256");
    for (const s of SOURCES) {
      t = performance.now();
      const h = createHash("sha256");
      let after: string | null = null;
      let n = 0;
      for (;;) {
        const url = `${EXPORT_PATH[s]}?limit=10000${after === null ? "" : `&after=${encodeURIComponent(after)}`}`;
        const r = await sb.apps[s].inject({ method: "GET", url, headers: s === "medicalInsurance" ? { authorization: `Bearer ${token}` } : {} });
        if (r.statusCode !== 200) throw new Error(`${s} export: ${r.statusCode} ${r.body.slice(0, 200)}`);
        const page = JSON.parse(r.body) as { records: unknown[]; next: string | null };
        for (const rec of page.records) h.update(JSON.stringify(rec) + "\n");
        n += page.records.length;
        if (page.next === null) break;
        after = page.next;
      }
      const d = h.digest("hex");
      all.update(`${s} ${d}\n`);
      process.stdout.write(`${s.padEnd(17)} ${String(n).padStart(8)} records  sha256 ${d}  (${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
    }
    process.stdout.write(`all               sha256 ${all.digest("hex")}\n`);
  } finally {
    await sb.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`sandbox-gen: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});

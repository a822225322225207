/**
 * Development aid (not a benchmark of record): the CPU one process spends per household in each phase of a
 * monitoring shard over a fresh department mirror — gathering the facts (registry + mirror), evaluating the
 * views, findings — measured with process.cpuUsage (so other load on the machine blurs it little).
 * `DATABASE_URL=… node dist/dev/bench/profile-shard.js [persons]` (a schema of its own, dropped at the end).
 */
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import pg from "pg";
import { ensureSchema, openDatabase, postgresTarget } from "../../src/db/database.js";
import { applyMigrations } from "../../src/db/migrate.js";
import { runSeed } from "../seed/run.js";
import { startSandboxes } from "../sandboxes/index.js";
import { Pseudonymizer } from "../../src/policy/pseudonym.js";
import { mirrorShardFacts } from "../../src/features/monitoring/shard-facts.js";
import { evaluateHousehold } from "../../src/features/monitoring/evaluate.js";
import { alertViews } from "../../src/features/monitoring/views.js";
import { findingsFactsOf, findingsFor, identifiedFindings } from "../../src/features/findings/audit-findings.js";
import { MirrorService, createConnectors, createMetricsRegistry } from "../../connectors/kit/index.js";
import { SOURCES, type SourceName } from "../../src/domain/records.js";
import { parametersInForce } from "../../src/features/policy-parameters/in-force.js";
import { regionChain } from "../../src/features/policy-parameters/region.js";
import type { ParameterValue } from "../../src/domain/facts.js";
import { dayOf } from "../../src/domain/calendar.js";

const url = process.env.DATABASE_URL!;
const persons = Number(process.argv[2] ?? 6000);
const SEED = 20190101;
const asOfDay = "2026-12-01";
const schema = `profile_shard_${randomBytes(4).toString("hex")}`;
const cpu = (f: () => Promise<unknown>) => async () => {
  const c = process.cpuUsage();
  const t = Date.now();
  await f();
  const d = process.cpuUsage(c);
  return { cpuMs: (d.user + d.system) / 1000, wallMs: Date.now() - t };
};

async function main() {
  const base = postgresTarget(url);
  if (base.kind !== "postgres") throw new Error("PostgreSQL only");
  const target = { kind: "postgres" as const, url: base.url, schema };
  await ensureSchema(target);
  const db = await openDatabase(target);
  try {
    await applyMigrations(db.sql);
    await runSeed({ sql: db.sql, seed: SEED, asOf: asOfDay, persons, progress: "none" });
    const sandboxes = await startSandboxes({ seed: SEED, asOf: asOfDay, persons });
    const connectors = createConnectors(
      {
        education: { baseUrl: sandboxes.urls.education },
        employment: { baseUrl: sandboxes.urls.employment },
        housing: { baseUrl: sandboxes.urls.housing },
        medicalInsurance: { baseUrl: sandboxes.urls.medicalInsurance, ...sandboxes.medicalCredentials },
        disability: { baseUrl: sandboxes.urls.disability },
      },
      createMetricsRegistry(),
    );
    const day = 86_400_000;
    const per = <T>(v: T) => Object.fromEntries(SOURCES.map((s) => [s, v])) as Record<SourceName, T>;
    const svc = new MirrorService(db.sql, connectors, { schedule: false, intervalMs: per(day), maxAgeMs: per(day), pageSize: 5000 }, createMetricsRegistry());
    await svc.start();
    await Promise.all(SOURCES.map((s) => svc.run(s, { full: true })));
    await svc.stop();
    const shardFacts = mirrorShardFacts(db.prisma, connectors, svc.mirror, new Pseudonymizer(randomBytes(32)), () => new Date(), db.sql);
    const households = await db.prisma.household.findMany({ orderBy: { id: "asc" } });
    const asOf = new Date("2026-12-01T10:00:00Z");
    const rows = await db.sql.query<{ key: string; value: string; unit: string; region_code: string; effective_from: Date; effective_to: Date | null; source: string }>(
      `SELECT key, value::text AS value, unit::text AS unit, region_code, effective_from, effective_to, source FROM policy_parameter`,
    );
    const values: ParameterValue[] = rows.map((r) => ({ key: r.key, value: Number(r.value), unit: r.unit as ParameterValue["unit"], regionCode: r.region_code, effectiveFrom: new Date(r.effective_from), effectiveTo: r.effective_to ? new Date(r.effective_to) : null, source: r.source }));
    const views = alertViews();
    const digest = createHash("sha256");
    const dump: string[] = [];
    /** FACTS_DUMP=file: every household's facts and parameter set as JSON lines (for an offline digest loop) */
    const factsDump: string[] = [];
    let findingsSeen = 0;
    for (let round = 0; round < 2; round++) {
      let gathered: Awaited<ReturnType<typeof shardFacts.facts>> = { facts: [], members: [], mirror: [], live: [] };
      const n = households.length;
      const out: Record<string, number> = {};
      for (let i = 0; i < n; i += 500) {
        const part = households.slice(i, i + 500);
        const g = await cpu(async () => (gathered = await shardFacts.facts(part, asOf)))();
        out.gather = (out.gather ?? 0) + g.cpuMs;
        const { facts, members } = gathered;
        // the findings as a shard computes them: over the rows the gathering read (runs.ts processShard)
        let findings: ReturnType<typeof identifiedFindings> = [];
        const f = await cpu(async () => (findings = identifiedFindings(facts.map((x, j) => findingsFactsOf(x, members[j])), values)))();
        out.findings = (out.findings ?? 0) + f.cpuMs;
        if (round === 0) {
          // …the same as the API's findingsFor, which reads the rows itself
          const api = await findingsFor(db.prisma, { id: { in: part.map((h) => h.id) } }, {});
          if (JSON.stringify(api) !== JSON.stringify(findings)) throw new Error(`findings of households ${i}..${i + part.length} differ from findingsFor's`);
          findingsSeen += findings.length;
        }
        const e = await cpu(async () => {
          for (const x of facts) {
            const r = evaluateHousehold(x, new Map(parametersInForce(values, regionChain(x.streetCode), dayOf(asOf)).map((r) => [r.key, r])), asOf, views);
            if (round === 0 && process.env.FACTS_DUMP) factsDump.push(JSON.stringify({ facts: x, params: [...new Map(parametersInForce(values, regionChain(x.streetCode), dayOf(asOf)).map((r) => [r.key, r]))] }));
            if (round === 0) {
              const line = JSON.stringify({ ...r, alerts: [...r.alerts] });
              digest.update(line);
              dump.push(line);
            }
          }
        })();
        out.evaluate = (out.evaluate ?? 0) + e.cpuMs;
      }
      if (round === 0 && process.env.FACTS_DUMP) writeFileSync(process.env.FACTS_DUMP, factsDump.join("\n"));
      if (round === 0 && process.env.DUMP) writeFileSync(process.env.DUMP, dump.join("\n"));
      if (round === 0) console.log(`findings over the gathered rows = findingsFor's: ${findingsSeen} findings`);
      if (round === 0) console.log(`digest of every household's evaluation (views' alerts, tier, sources, needs): ${digest.digest("hex")}`);
      console.log(`round ${round}: ${n} households; CPU ms per household: ${Object.entries(out).map(([k, v]) => `${k} ${(v / n).toFixed(3)}`).join(", ")}`);
    }
    await connectors.close();
    await sandboxes.close();
  } finally {
    await db.close();
    const c = new pg.Client({ connectionString: base.url });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  }
}
main().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));

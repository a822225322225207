/**
 * Which generator seeds give the policy matrix (test/policy/matrix.test.ts) every situation it needs, without
 * running it: the matrix seeds a small population and proves each (audience, type, field) on a household where
 * the field has a value, so a seed whose small population lacks one situation (a gap housing may see, a stale
 * housing record, a failed disability record that leaves an entitlement unchecked, …) fails cells that have
 * nothing to do with the change that moved the generator. This runs the pure generator and the sandboxes'
 * derivation for each seed, and collects what the matrix reads: for every audience, the paths with a value in
 * the visible aid chain, the visible alerts and the eligibility view, and for each source the matrix fails a
 * record of (failRecordsForIncompleteChecks), whether a household exists where that failure leaves an
 * entitlement unchecked. A seed covering everything any seed of the range covers is printed first.
 *
 *   npm run -s matrix:seed -- [from] [to] [persons]     (defaults 1 100 300)
 *
 * Paths inside a gap's or duplicate's links are left out (the matrix proves AidLink at AidChain.links), as are
 * the incomplete checks (the matrix makes those itself by failing records).
 */
import { generatePopulation } from "../seed/generator.js";
import { deriveDepartments, factsOf, seededParameterSet } from "../seed/population-facts.js";
import { evaluateEligibility } from "../../src/domain/eligibility.js";
import { buildAidChain } from "../../src/domain/aid-chain.js";
import { deriveAlerts } from "../../src/domain/alerts.js";
import { eligibilityView } from "../../src/policy/disclosure.js";
import { alertVisible, audienceVisibility, visibleChain } from "../../src/features/aid-chain/monitoring.js";
import { AUDIENCES, type Audience } from "../../src/policy/audiences.js";
import { POLICY } from "../../src/policy/rules.js";

// as in test/policy/matrix.test.ts
const AS_OF = "2026-11-01";
const NOW = new Date("2026-11-22T08:00:00Z");
const DAY = new Date("2026-11-22T00:00:00Z");
const PAGE = 5;

const hasValue = (v: unknown) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0);
function walk(v: unknown, path: string, out: Set<string>): void {
  if (!hasValue(v)) return;
  out.add(path);
  if (Array.isArray(v)) for (const x of v) walk(x, `${path}[]`, out);
  else if (typeof v === "object" && !(v instanceof Date)) for (const [k, x] of Object.entries(v as object)) walk(x, `${path}.${k}`, out);
}
const needed = (p: string) => !/\.(gaps|duplicates)\[\]\.links\[\]\./.test(p) && !/persons\[\]\.(gaps|duplicates|links)\[\]\./.test(p) && !/\.incomplete/.test(p) && !p.endsWith(".stale");

export function coverage(seed: number, persons: number): { households: number; paths: Set<string> } {
  const all = [...generatePopulation({ seed, asOf: AS_OF, persons })].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const data = deriveDepartments(all, seed, AS_OF);
  const paths = new Set<string>();
  // failRecordsForIncompleteChecks: not the first or last household, nor one in the first page of its street
  const rank = new Map<string, number>();
  const paged = new Set<string>();
  for (const h of all) {
    const r = rank.get(h.streetCode) ?? 0;
    rank.set(h.streetCode, r + 1);
    if (r < PAGE) paged.add(h.id);
  }
  const candidates = all.filter((h, i) => i !== 0 && i !== all.length - 1 && !paged.has(h.id));
  // the matrix's failed records: for each source the first candidate (by id) where one failed record leaves an
  // entitlement unchecked; its chain is then computed with that failure (and, for the federation's, without the
  // household's TEKUN_CARE_SUBSIDY payments, which the matrix deletes), as the matrix's truth is
  const failedFacts = new Map<string, ReturnType<typeof factsOf>>();
  for (const source of ["housing", "medicalInsurance", "disability"] as const) {
    for (const h of candidates) {
      if (failedFacts.has(h.id)) continue;
      const base = factsOf(h, data, DAY);
      const keys =
        source === "housing"
          ? base.housing.ok && base.housing.value ? [h.registryNo] : []
          : base.members.filter((m) => { const r = m[source]; return r.ok && r.value !== null; }).map((m) => m.idNumber);
      const key = keys.find((k) => {
        const facts = factsOf(h, data, DAY);
        const failed = { ok: false as const, source, code: "UPSTREAM_BAD_RESPONSE" as const };
        if (source === "housing") facts.housing = failed;
        else for (const m of facts.members) if (m.idNumber === k) Object.assign(m, { [source]: failed });
        if (source === "disability") facts.aidRecords = facts.aidRecords.filter((r) => r.program !== "TEKUN_CARE_SUBSIDY");
        const e = evaluateEligibility(facts, seededParameterSet(h.streetCode, DAY), DAY);
        if (!buildAidChain(facts, e, NOW).incomplete.some((i) => i.source === source)) return false;
        failedFacts.set(h.id, facts);
        return true;
      });
      if (key !== undefined) {
        paths.add(`failed ${source} record leaves an entitlement unchecked`);
        break;
      }
    }
  }
  const alertsById = new Map<string, ReturnType<typeof deriveAlerts>>();
  for (const h of all) {
    const facts = failedFacts.get(h.id) ?? factsOf(h, data, DAY);
    const e = evaluateEligibility(facts, seededParameterSet(h.streetCode, DAY), DAY);
    const chain = buildAidChain(facts, e, NOW);
    const alerts = deriveAlerts(facts, e, NOW, chain);
    if (!failedFacts.has(h.id)) alertsById.set(h.id, alerts);
    for (const a of [...AUDIENCES, null] as (Audience | null)[]) {
      const v = audienceVisibility(a);
      const c = visibleChain(chain, v);
      const flat = (g: (typeof c.gaps)[number]) => ({ ...g, ...g.entitlement });
      walk({ ...c, gaps: c.gaps.map(flat), persons: c.persons.map((p) => ({ ...p, gaps: p.gaps.map(flat) })) }, `${a}: aidChain`, paths);
      walk(alerts.filter((x) => alertVisible(v, x)), `${a}: alerts`, paths);
      walk(eligibilityView(e, a), `${a}: eligibility`, paths);
    }
  }
  // the matrix's alert mutations (alertCalls): audience by audience, each alert mutation takes an alert the audience
  // sees that no call has used yet, those visible to the fewest audiences first
  const readers = AUDIENCES.filter((a) => POLICY.Household.alerts[a]);
  const used = new Set<string>();
  for (const a of readers) {
    if (a === "auditor") continue;
    const v = audienceVisibility(a);
    const visible = all
      .flatMap((h) => (alertsById.get(h.id) ?? []).filter((x) => alertVisible(v, x)).map((x) => ({ key: `${h.id}|${x.key}`, seenBy: readers.filter((r) => alertVisible(audienceVisibility(r), x)).length })))
      .sort((x, y) => x.seenBy - y.seenBy);
    const calls = Object.keys(POLICY.Mutation).filter((m) => /Alert$/.test(m)).length;
    let ok = true;
    for (let i = 0; i < calls; i++) {
      const found = visible.find((x) => !used.has(x.key));
      if (found) used.add(found.key);
      else ok = false;
    }
    if (ok) paths.add(`${a}: an unused alert for each alert mutation`);
  }
  // the matrix's monitoring runs (monitorPopulation): households (neither the first nor the last, no failed record)
  // with an overdue re-certification alert on the first alert page (ALERT_PAGE alerts) of their street, one with a
  // stale department record, one with another alert
  const ALERT_PAGE = 50;
  const before = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const h of all) {
    before.set(h.id, seen.get(h.streetCode) ?? 0);
    seen.set(h.streetCode, (seen.get(h.streetCode) ?? 0) + (alertsById.get(h.id) ?? []).length);
  }
  const recertifiable = all.filter((h, i) => {
    const alerts = alertsById.get(h.id);
    return i !== 0 && i !== all.length - 1 && alerts !== undefined && alerts.some((x) => x.kind === "RECERTIFICATION_OVERDUE") && before.get(h.id)! + alerts.length <= ALERT_PAGE;
  });
  const staleOf = (h: (typeof all)[number]) => {
    const facts = factsOf(h, data, DAY);
    const e = evaluateEligibility(facts, seededParameterSet(h.streetCode, DAY), DAY);
    return buildAidChain(facts, e, NOW).staleRecords.length > 0;
  };
  if (recertifiable.some(staleOf)) paths.add("monitoring: a re-certifiable overdue household with a stale record");
  if (recertifiable.some((h) => alertsById.get(h.id)!.some((x) => x.kind !== "RECERTIFICATION_OVERDUE"))) paths.add("monitoring: a re-certifiable overdue household with another alert");
  return { households: all.length, paths: new Set([...paths].filter(needed)) };
}

function main(): void {
  const [from = 1, to = 100, persons = 300] = process.argv.slice(2).map(Number);
  const rows: { seed: number; households: number; paths: Set<string> }[] = [];
  for (let seed = from; seed <= to; seed++) rows.push({ seed, ...coverage(seed, persons) });
  const union = new Set(rows.flatMap((r) => [...r.paths]));
  const ranked = rows.map((r) => ({ ...r, missing: [...union].filter((p) => !r.paths.has(p)).sort() })).sort((x, y) => x.missing.length - y.missing.length || x.households - y.households);
  console.log(`seeds ${from}–${to}, ${persons} persons: ${union.size} situations in all`);
  for (const r of ranked.slice(0, 10)) console.log(`seed ${r.seed} (${r.households} households): ${r.missing.length === 0 ? "covers every one" : `lacks ${r.missing.length}: ${r.missing.slice(0, 4).join("; ")}${r.missing.length > 4 ? " …" : ""}`}`);
}

if (process.argv[1]?.endsWith("matrix-seed.js")) main();

// Counts over the default data set (Yuzhong, DOMAIN.md §6) as the domain rules compute them, without a
// database: households and persons, computed tiers (household and per person), entitlements, aid-chain
// gaps and duplicates, alerts and audit findings by kind — for one evaluation date.
//
//   npm run -s domain:report -- [--as-of YYYY-MM-DD] [--seed N]
//
// --as-of is both the data set's as-of (the generator's "today") and the evaluation date; default today,
// as `npm run seed` does. The output is plain text, one count per line, stable for (seed, as-of), so two
// runs can be compared with diff (bench/domain-report-before.txt, bench/domain-report-after.txt).
import { parseArgs } from "node:util";
import { generatePopulation } from "../seed/generator.js";
import { deriveDepartments, factsOf, findingsFactsOf, seededDibaoStandard, seededGraceParameters, seededParameterSet } from "../seed/population-facts.js";
import { buildAidChain } from "../../src/domain/aid-chain.js";
import { deriveAlerts } from "../../src/domain/alerts.js";
import { auditFindings } from "../../src/domain/audit-findings.js";
import { evaluateEligibility } from "../../src/domain/eligibility.js";

const DEFAULT_SEED = 20190101;

function main(): void {
  const { values } = parseArgs({ options: { "as-of": { type: "string" }, seed: { type: "string" } }, strict: true });
  const asOf = values["as-of"] ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || asOf < "2017-01-01") {
    process.stderr.write("--as-of must be a date YYYY-MM-DD from 2017-01-01 on\n");
    process.exit(2);
  }
  const seed = values.seed === undefined ? DEFAULT_SEED : Number(values.seed);
  if (!Number.isSafeInteger(seed)) {
    process.stderr.write("--seed must be an integer\n");
    process.exit(2);
  }
  const day = new Date(`${asOf}T00:00:00Z`);
  const households = [...generatePopulation({ seed, asOf })];
  const data = deriveDepartments(households, seed, asOf);
  const standard = seededDibaoStandard();
  const grace = seededGraceParameters();

  const counts = new Map<string, number>();
  const add = (key: string, by = 1) => counts.set(key, (counts.get(key) ?? 0) + by);
  for (const h of households) {
    add("data set: households");
    add("data set: persons", h.members.length);
    add("data set: assisted persons (DOMAIN §6 count)", h.members.filter((p) => p.facts.assisted).length);
    const f = factsOf(h, data, day);
    const e = evaluateEligibility(f, seededParameterSet(h.streetCode, day), day);
    add(`tier (household): ${e.tier}`);
    if (e.tierClass) add(`tier class: ${e.tierClass}`);
    for (const p of e.persons) add(`tier (person, differs from household): ${p.tier}`);
    if (e.gradualExitEnds) add("eligibility: in gradual exit");
    for (const t of f.temporaryAidApplications ?? []) add(`data set: temporary-aid applications ${t.status}`);
    // 003 §5: in the monitoring database, by what keeps the household there (the latest refusal or exit decides)
    const retained = e.reasons.find((r) => r.rule === "MONITORING_RETENTION" && r.outcome === "PASS");
    if (retained) add(retained.inputs.some((i) => i.name === "temporary aid decision date") ? "retained: refused temporary aid" : "retained: refused or left a case");
    if ((e as { overdue?: boolean }).overdue) add("eligibility: re-certification overdue");
    if (e.nextRecertification && e.nextRecertification < day) add("eligibility: next re-certification in the past");
    const zeroDibao = e.entitlements.filter((x) => x.kind === "DIBAO_PAYMENT" && x.amountFen === 0).length;
    if (zeroDibao > 0) add("eligibility: dibao payment of 0 fen", zeroDibao);
    for (const x of e.entitlements) {
      add(`entitlement: ${x.kind}`);
      if (x.amountFen !== null && x.monthly) add(`entitlement monthly fen: ${x.kind}`, x.amountFen);
    }
    const chain = buildAidChain(f, e, day);
    for (const g of chain.gaps) add(`gap${g.shortfall ? " (shortfall)" : ""}: ${g.kind}`);
    for (const d of chain.duplicates) add(`duplicate: ${d.kind} ${d.purpose}`);
    for (const a of deriveAlerts(f, e, day, chain)) add(`alert: ${a.kind}`);
    for (const x of auditFindings(findingsFactsOf(h, f), standard, grace)) {
      add(`audit finding: ${x.kind}`);
      add(`audit finding fen: ${x.kind}`, x.amountFen);
    }
  }
  const lines = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}\t${v}`);
  process.stdout.write(`# domain report: seed ${seed}, data set and evaluation as of ${asOf}\n${lines.join("\n")}\n`);
}

main();

/**
 * Freshness of department facts (issue 13 point 5): each department record speaks for a period — a
 * settlement year (medical insurance), a school term (education), the time since the department last
 * confirmed it (disability certificate, employment status, housing benefits). A record whose period lies
 * before the evaluation's window is STALE: the evaluation treats it like a source that did not answer
 * (every rule needing it is UNKNOWN, the evaluation is not complete), says so in a FRESHNESS reason per
 * record, and lists it in `staleRecords`; the aid chain marks the record's links stale and does not judge
 * gaps on it. The windows are policy parameters (dev/seed/reference.ts, FRESHNESS_*):
 *
 *   medical insurance  settlement year ≥ evaluation year − FRESHNESS_MEDICAL_SETTLEMENT_YEARS
 *   education          the record's term ended no more than FRESHNESS_EDUCATION_TERM_MONTHS before the day
 *                      (an unreadable term: confirmed within FRESHNESS_EDUCATION_TERM_MONTHS + 6 months)
 *   disability         confirmed (asOf) within FRESHNESS_DISABILITY_MONTHS
 *   employment         confirmed within FRESHNESS_EMPLOYMENT_MONTHS
 *   housing            confirmed within FRESHNESS_HOUSING_MONTHS
 *
 * A record newer than the evaluation day is not stale (it is the best knowledge there is); facts a
 * caseworker typed in (assessEligibility) are current by definition. Pure.
 *
 * `withFreshness` wraps the evaluation (src/domain/eligibility.ts): it also records every failed source
 * (`failedSources`, whether or not a rule needed it) and marks the entitlements of an incomplete evaluation
 * `provisional`.
 */
import type { SourceName } from "./records.js";
import { addMonths, dayOf, isoDay } from "./calendar.js";
import type { EligibilityResult, Fetched, HouseholdFacts, MemberFacts, ParameterSet, RuleEvaluation, StaleRecord } from "./facts.js";
import { ParameterReader } from "./observed.js";
import { termPeriod } from "./periods.js";

export const FRESHNESS_KEYS = {
  medicalInsurance: "FRESHNESS_MEDICAL_SETTLEMENT_YEARS",
  education: "FRESHNESS_EDUCATION_TERM_MONTHS",
  disability: "FRESHNESS_DISABILITY_MONTHS",
  employment: "FRESHNESS_EMPLOYMENT_MONTHS",
  housing: "FRESHNESS_HOUSING_MONTHS",
} as const satisfies Record<SourceName, string>;

/** How long a training counts for a zero-employment household's employment assistance (the aid chain's window). */
export const TRAINING_WINDOW_KEY = "FRESHNESS_EMPLOYMENT_TRAINING_MONTHS";

/**
 * National presumptions for the possible-TEKUN alert (特困人员认定办法 2021 第六条, 第七条); optional: absent = no such
 * alert. POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE (a local decision, optional: absent = any size) bounds the households the
 * alert looks at.
 */
export const TEKUN_PRESUMPTION_KEYS = ["TEKUN_PRESUMED_UNABLE_TO_WORK_AGE", "TEKUN_NO_INCOME_SOURCE_RATIO", "POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE"] as const;

const REFERENCE = "DOMAIN §3 (cross-department comparison on current facts); 003 §4–7";

/** The staleness of one record on `day`, or null when it is current. */
export function staleOf(
  source: SourceName,
  personId: string | null,
  record: { asOf: Date; year?: number; term?: string },
  P: ParameterReader,
  day: Date,
): StaleRecord | null {
  const key = FRESHNESS_KEYS[source];
  const asOf = dayOf(record.asOf);
  const base = { source, personId, asOf: record.asOf, parameter: key };
  if (source === "medicalInsurance" && typeof record.year === "number") {
    const years = P.value(key);
    const oldest = day.getUTCFullYear() - years;
    if (record.year >= oldest) return null;
    return { ...base, period: `settlement year ${record.year}`, reason: `settlement year ${record.year} is before ${oldest} (${key} = ${years} before ${day.getUTCFullYear()})` };
  }
  if (source === "education") {
    const months = P.value(key);
    const term = record.term ? termPeriod(record.term) : null;
    if (term) {
      const until = addMonths(term.end, months);
      if (until.getTime() >= day.getTime()) return null;
      return { ...base, period: `term ${record.term}`, reason: `term ${record.term} ended ${isoDay(term.end)}; counts until ${isoDay(until)} (${key} = ${months})` };
    }
    const until = addMonths(asOf, months + 6);
    if (until.getTime() >= day.getTime()) return null;
    return { ...base, period: `confirmed ${isoDay(asOf)} (no readable term)`, reason: `no readable term; last confirmed ${isoDay(asOf)}, counts until ${isoDay(until)} (${key} + 6 months)` };
  }
  const months = P.value(key);
  const until = addMonths(asOf, months);
  if (until.getTime() >= day.getTime()) return null;
  return { ...base, period: `confirmed ${isoDay(asOf)}`, reason: `last confirmed ${isoDay(asOf)}, counts until ${isoDay(until)} (${key} = ${months} months)` };
}

function check<R extends { asOf: Date }>(f: Fetched<R>, source: SourceName, personId: string | null, P: ParameterReader, day: Date, out: StaleRecord[]): Fetched<R> {
  if (!f.ok || f.value === null || f.typedIn) return f;
  const s = staleOf(source, personId, f.value as R & { year?: number; term?: string }, P, day);
  if (!s) return f;
  out.push(s);
  return { ok: false, source, code: "STALE_RECORD", stale: s };
}

/** The facts with every stale department record replaced by a STALE_RECORD fact, and the stale records. */
export function freshFacts(facts: HouseholdFacts, P: ParameterReader, asOf: Date): { facts: HouseholdFacts; stale: StaleRecord[] } {
  const day = dayOf(asOf);
  const stale: StaleRecord[] = [];
  const members: MemberFacts[] = facts.members.map((m) => {
    const education = check(m.education, "education", m.personId, P, day, stale);
    const employment = check(m.employment, "employment", m.personId, P, day, stale);
    const medicalInsurance = check(m.medicalInsurance, "medicalInsurance", m.personId, P, day, stale);
    const disability = check(m.disability, "disability", m.personId, P, day, stale);
    // a member none of whose records is stale is the same member (no copy)
    return education === m.education && employment === m.employment && medicalInsurance === m.medicalInsurance && disability === m.disability
      ? m
      : { ...m, education, employment, medicalInsurance, disability };
  });
  const housing = check(facts.housing, "housing", null, P, day, stale);
  // nothing stale: the facts themselves
  if (stale.length === 0) return { facts, stale };
  return { facts: { ...facts, members, housing }, stale };
}

/** Every department source that failed (not stale: failed) for any member or the household. */
export function failedSourcesOf(facts: HouseholdFacts): SourceName[] {
  const out = new Set<SourceName>();
  const add = (f: Fetched<unknown>) => {
    if (!f.ok && f.code !== "STALE_RECORD") out.add(f.source);
  };
  add(facts.housing);
  for (const m of facts.members) for (const f of [m.education, m.employment, m.medicalInsurance, m.disability]) add(f);
  return [...out].sort();
}

const UNKNOWN_PREFIX = "not decidable: the ";

/**
 * Runs `evaluate` on the fresh facts, then: a FRESHNESS reason (UNKNOWN) per stale record; an UNKNOWN
 * rule whose only unknown inputs are stale records says so (not "did not answer"); a stale record makes
 * the evaluation incomplete even where no rule needed it; `failedSources` lists every failed source;
 * the entitlements of an incomplete evaluation are `provisional`; the freshness parameters read are in
 * `parametersUsed`. `evaluate` reads the parameters through the reader it is given (the freshness check's
 * own, so the parameters read are recorded once) and returns a result of its own making, which is completed
 * in place.
 */
export function withFreshness(
  facts: HouseholdFacts,
  params: ParameterSet,
  asOf: Date,
  evaluate: (facts: HouseholdFacts, P: ParameterReader, asOf: Date) => EligibilityResult,
  explain = true,
): EligibilityResult {
  const P = new ParameterReader(params, explain);
  const fresh = facts.status === "CLOSED" ? { facts, stale: [] } : freshFacts(facts, P, asOf);
  // read for the aid chain's training window and the possible-TEKUN alert (src/domain/aid-chain.ts, alerts.ts)
  P.get(TRAINING_WINDOW_KEY);
  for (const k of TEKUN_PRESUMPTION_KEYS) P.optional(k);
  const r = evaluate(fresh.facts, P, asOf);
  const stale = fresh.stale;
  if (explain) {
    r.reasons = r.reasons.map((x) => {
      if (x.outcome !== "UNKNOWN" || !x.explanation.startsWith(UNKNOWN_PREFIX)) return x;
      const unknown = x.inputs.filter((i) => i.value.startsWith("unavailable (") || i.value.startsWith("stale ("));
      if (unknown.length === 0 || !unknown.every((i) => i.value.startsWith("stale ("))) return x;
      const names = [...new Set(unknown.map((i) => i.source))].join(", ");
      return { ...x, explanation: `not decidable: the ${names} record is stale (outside the evaluation's period; see FRESHNESS)` };
    });
    for (const s of stale) {
      const p = P.get(s.parameter);
      r.reasons.push({
        rule: "FRESHNESS",
        reference: REFERENCE,
        outcome: "UNKNOWN",
        explanation: `${s.source} record not used: ${s.reason}`,
        personId: s.personId,
        inputs: [
          { name: `${s.source} record period`, value: s.period, source: s.source, asOf: s.asOf },
          { name: s.parameter, value: String(p.value), source: "policy", asOf: p.effectiveFrom },
        ],
      });
    }
  }
  if (stale.length > 0) r.missingSources = [...new Set([...r.missingSources, ...stale.map((s) => s.source)])].sort();
  const complete = r.complete && stale.length === 0;
  r.complete = complete;
  // the entitlements are this evaluation's own (entitlementsOf): their status and missing are set, provisional is not
  for (const e of r.entitlements) {
    e.status ??= "ESTABLISHED";
    e.missing ??= [];
    e.provisional = !complete;
  }
  r.failedSources = failedSourcesOf(facts);
  r.staleRecords = stale;
  return r;
}

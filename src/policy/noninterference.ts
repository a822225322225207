/**
 * Non-interference for withheld department records (issue 12). An audience that may not read a department
 * system's records (per src/policy/rules.ts: the field each is read through, e.g. Person.medicalInsurance)
 * gets every computed thing — eligibility, entitlements, rule outcomes, the aid chain's gaps, alerts — from
 * the household's facts with those records replaced by one constant "withheld" marker: the computation
 * never sees them, so nothing it shows can depend on them. A rule that needs a withheld record comes out
 * as a whole as WITHHELD (src/policy/disclosure.ts); an entitlement, gap or alert that needs one does not
 * come out at all.
 *
 * The tier: the computed tier is a decision over all of a household's facts, so it is disclosed only to an
 * audience that reads every record it draws on (civil affairs, street offices, auditors); for any other
 * audience Eligibility.tier is WITHHELD and per-person tiers are not listed. Departments act on the
 * recorded tier (AssistanceCase.tier: the civil-affairs decision in the registry), which no department
 * record changes until civil affairs decides again.
 */
import type { HouseholdFacts } from "../domain/facts.js";
import { PERSON_SOURCES, type SourceName } from "../domain/records.js";
import { SOURCE_BASIS } from "../domain/observed.js";
import type { Audience } from "./audiences.js";
import { mayRead } from "./disclosure.js";

const ALL_SOURCES: readonly SourceName[] = [...PERSON_SOURCES, "housing"];

/** The department systems whose records this audience may not read (null audience: policy off, none). */
export function withheldSources(audience: Audience | null): SourceName[] {
  return ALL_SOURCES.filter((s) => !mayRead(audience, SOURCE_BASIS[s]));
}

/** The constant a withheld record is replaced with: the same whatever the record held. */
const marker = (source: SourceName) => ({ ok: false as const, source, code: "WITHHELD" as never });

/** The facts with the records of the given sources replaced by the marker (the same object when there are none). */
export function withholdRecords(facts: HouseholdFacts, sources: readonly SourceName[]): HouseholdFacts {
  if (sources.length === 0) return facts;
  const hidden = new Set<string>(sources);
  return {
    ...facts,
    members: facts.members.map((m) => {
      const out = { ...m };
      for (const s of PERSON_SOURCES) if (hidden.has(s)) (out as Record<string, unknown>)[s] = marker(s);
      return out;
    }),
    housing: hidden.has("housing") ? marker("housing") : facts.housing,
  };
}

const memo = new WeakMap<HouseholdFacts, Map<string, HouseholdFacts>>();

/** The facts as this audience's computations may see them (memoised per facts object and audience). */
export function factsFor(facts: HouseholdFacts, audience: Audience | null): HouseholdFacts {
  return factsWithout(facts, withheldSources(audience));
}

/**
 * The facts with the records of these sources withheld (`withheldSources` of an audience, worked out by the caller once):
 * what `factsFor` gives that audience — memoised per facts object and set of sources.
 */
export function factsWithout(facts: HouseholdFacts, sources: readonly SourceName[]): HouseholdFacts {
  if (sources.length === 0) return facts;
  let m = memo.get(facts);
  if (!m) memo.set(facts, (m = new Map()));
  const key = sources.join(",");
  let f = m.get(key);
  if (!f) m.set(key, (f = withholdRecords(facts, sources)));
  return f;
}

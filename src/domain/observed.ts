/**
 * Reading the facts a rule uses as rule inputs: each reading carries its source and as-of time, and a
 * department reading whose source failed is `known: false` (the rule is then UNKNOWN). A source that
 * answered "no record" is a fact (no disability certificate, not insured, not a student). Pure.
 */
import type { SourceName } from "./records.js";
import { isSeriousDisease } from "./codes.js";
import type { Fetched, HouseholdFacts, MemberFacts, ParameterSet, ParameterValue, RuleInput } from "./facts.js";

/** The Person/Household field through which each department's records are read (src/policy/rules.ts). */
export const SOURCE_BASIS: Record<SourceName, string> = {
  education: "Person.education",
  employment: "Person.employment",
  medicalInsurance: "Person.medicalInsurance",
  disability: "Person.disability",
  housing: "Household.housing",
};

/** Registry facts readable only by some audiences: the coordinates their inputs name as their basis. */
export const BASIS = {
  INCOMES: "Household.incomes",
  ASSETS: "Household.assets",
  CASE_AMOUNT: "AssistanceCase.monthlyFen",
  TEMPORARY_AID: "Household.temporaryAidApplications",
} as const;

export type Reading<T> = { known: true; value: T; input: RuleInput } | { known: false; source: SourceName; input: RuleInput };

/** A department record read through `pick`; a failed source gives an unknown reading naming the source. */
export function readRecord<R extends { asOf: Date }, T>(
  fetched: Fetched<R>,
  source: SourceName,
  name: string,
  pick: (record: R | null) => T,
  show: (value: T) => string,
): Reading<T> {
  const basis = SOURCE_BASIS[source];
  if (!fetched.ok)
    return {
      known: false,
      source: fetched.source,
      input: { name, value: fetched.code === "STALE_RECORD" ? `stale (${fetched.stale?.period ?? "outside the evaluation's period"})` : `unavailable (${fetched.code})`, source: fetched.source, asOf: fetched.stale?.asOf ?? null, basis },
    };
  const value = pick(fetched.value);
  // typed in by the caller (a caseworker's trial calculation): their own fact, no department record behind it
  if (fetched.typedIn) return { known: true, value, input: { name, value: show(value), source: "caseworker", asOf: fetched.typedIn } };
  return { known: true, value, input: { name, value: fetched.value === null ? `${show(value)} (no record)` : show(value), source, asOf: fetched.value?.asOf ?? null, basis } };
}

/** The department facts about one member that the rules use. */
export const memberReadings = {
  /** the certified grade, whether or not the certificate is due for renewal (severity is a fact about the person) */
  disabilityGrade: (m: MemberFacts): Reading<number | null> =>
    readRecord(m.disability, "disability", "disability grade", (r) => r?.grade ?? null, (g) => (g === null ? "none" : String(g))),
  /** the grade of a VALID certificate: what the federation's subsidies require */
  validCertificateGrade: (m: MemberFacts): Reading<number | null> =>
    readRecord(m.disability, "disability", "disability grade (valid certificate)", (r) => (r && r.certificateStatus === "VALID" ? r.grade : null), (g) => (g === null ? "no valid certificate" : String(g))),
  /** a serious / special disease on the code list (src/domain/codes.ts); an unlisted code is not one */
  seriousDisease: (m: MemberFacts): Reading<string | null> =>
    readRecord(m.medicalInsurance, "medicalInsurance", "serious disease", (r) => (r?.seriousDisease && isSeriousDisease(r.seriousDisease) ? r.seriousDisease : null), (d) => d ?? "none on the code list"),
  outOfPocketFen: (m: MemberFacts): Reading<number> =>
    readRecord(m.medicalInsurance, "medicalInsurance", "annual in-policy out-of-pocket medical spending (fen)", (r) => r?.outOfPocketFen ?? 0, String),
  /** what the family bears after medical aid: out-of-pocket − medical aid paid (not below 0) — the rigid-expenditure test (003 §1, §9) */
  netOutOfPocketFen: (m: MemberFacts): Reading<number> =>
    readRecord(m.medicalInsurance, "medicalInsurance", "annual out-of-pocket medical spending after medical aid (fen)", (r) => Math.max(0, (r?.outOfPocketFen ?? 0) - (r?.medicalAidPaidFen ?? 0)), String),
  /** the residents' medical insurance tier the member is enrolled in (1 or 2); null = not insured there */
  insuranceTier: (m: MemberFacts): Reading<number | null> =>
    readRecord(m.medicalInsurance, "medicalInsurance", "residents' medical insurance tier", (r) => r?.tier ?? null, (t) => (t === null ? "not enrolled" : String(t))),
  studentStage: (m: MemberFacts): Reading<string | null> =>
    readRecord(m.education, "education", "school stage", (r) => r?.stage ?? null, (s) => s ?? "not a student"),
  educationExpenseFen: (m: MemberFacts): Reading<number> =>
    readRecord(m.education, "education", "annual necessary education spending (fen)", (r) => r?.necessaryExpenseFen ?? 0, String),
  employmentStatus: (m: MemberFacts): Reading<string | null> =>
    readRecord(m.employment, "employment", "employment status", (r) => r?.status ?? null, (s) => s ?? "none"),
};

export const isEmployedStatus = (s: string | null): boolean => s === "EMPLOYED" || s === "FLEXIBLE";

/** A registry (or caseworker) fact as a rule input. */
export function registryInput(facts: HouseholdFacts, name: string, value: string | number, basis?: string): RuleInput {
  return { name, value: String(value), source: facts.registry.source, asOf: facts.registry.asOf, ...(basis ? { basis } : {}) };
}

/**
 * The policy parameters one evaluation reads, recorded as used. A missing key fails loudly: a
 * parameter is never defaulted in code. `optional` is for time-limited programs (the 2022 one-time
 * subsidy): absent = the program is not in force.
 */
export class MissingParameterError extends Error {
  constructor(readonly key: string) {
    super(`policy parameter ${key} is not in force for this region and date`);
  }
}

/**
 * The rule input an evaluation without explanation (`explain: false`) passes where an input would be shown: it builds
 * no reason, so no input is ever read — only the parameters read are recorded.
 */
export const UNSHOWN_INPUT: RuleInput = Object.freeze({ name: "", value: "", source: "policy", asOf: null });

/** Each parameter set's keys in key order (localeCompare), made once per set: an evaluation lists the parameters it read in that order. */
const keyOrders = new WeakMap<ParameterSet, string[]>();

export class ParameterReader {
  readonly used = new Map<string, ParameterValue>();
  /** `shown` false: `input` records the parameter as read and returns UNSHOWN_INPUT (no reason will show it) */
  constructor(
    private readonly params: ParameterSet,
    private readonly shown = true,
  ) {}

  get(key: string): ParameterValue {
    const p = this.params.get(key);
    if (!p) throw new MissingParameterError(key);
    this.used.set(key, p);
    return p;
  }
  value(key: string): number {
    return this.get(key).value;
  }
  optional(key: string): ParameterValue | null {
    const p = this.params.get(key) ?? null;
    if (p) this.used.set(key, p);
    return p;
  }
  /** The parameters read, in key order (localeCompare): the set's keys sorted once, filtered to those read. */
  usedInKeyOrder(): ParameterValue[] {
    let keys = keyOrders.get(this.params);
    if (!keys) keyOrders.set(this.params, (keys = [...this.params.keys()].sort((a, b) => a.localeCompare(b))));
    const out: ParameterValue[] = [];
    for (const k of keys) {
      const p = this.used.get(k);
      if (p) out.push(p);
    }
    if (out.length === this.used.size) return out;
    // a key read that the remembered order lacks (the set was changed since it was sorted): sort it again
    keyOrders.delete(this.params);
    return this.usedInKeyOrder();
  }

  input(key: string): RuleInput {
    const p = this.get(key);
    if (!this.shown) return UNSHOWN_INPUT;
    return { name: key, value: String(p.value), source: "policy", asOf: p.effectiveFrom };
  }
}

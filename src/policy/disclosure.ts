/**
 * What one audience may see of an eligibility result (the resolver layer's withholding). The field
 * policy (src/policy/rules.ts) decides which Eligibility fields an audience reads at all; this decides,
 * inside the reasons and entitlements, which VALUES it may see: a rule input taken from a record is
 * disclosed only to an audience that may read the field that record is read through (its `basis`,
 * e.g. Person.medicalInsurance, Household.incomes) — so education never sees a diagnosis through a
 * reason. A withheld input has value null and `withheld: true`; a rule with a withheld input has its
 * explanation (which quotes the inputs) withheld too; an entitlement amount computed from a record
 * the audience may not read is withheld likewise. Pure.
 */
import type { EligibilityResult, EntitlementKind, FactSource, RuleInput } from "../domain/facts.js";
import { SOURCE_BASIS, BASIS } from "../domain/observed.js";
import type { Audience } from "./audiences.js";
import { accessFor } from "./plan.js";
import { POLICY } from "./rules.js";
import { withheldSources } from "./noninterference.js";

type InputSource = FactSource | "policy";

/** May this audience read the value of `coordinate` ("Type.field") as it is? null audience = policy off. */
export function mayRead(audience: Audience | null, coordinate: string | undefined): boolean {
  if (audience === null || coordinate === undefined) return true;
  const [type, field] = coordinate.split(".");
  return accessFor(POLICY, type, field, audience) === "read";
}

/** The record an entitlement's amount is computed from, where it is not only policy parameters. */
const AMOUNT_BASIS: Partial<Record<EntitlementKind, string>> = {
  DIBAO_PAYMENT: BASIS.INCOMES,
  DIBAO_EMPLOYMENT_SUBSIDY: BASIS.INCOMES,
  MEDICAL_OUT_OF_POCKET_AID: SOURCE_BASIS.medicalInsurance,
  RENT_SUBSIDY_EQUAL_TO_RENT: SOURCE_BASIS.housing,
};

/** May the audience see the amount of an entitlement of this kind (parameters only, or from a record it may read)? Also for the aid chain's gaps. */
export function entitlementAmountReadable(audience: Audience | null, kind: EntitlementKind): boolean {
  return mayRead(audience, AMOUNT_BASIS[kind]);
}

const SOURCE_ORDER: readonly InputSource[] = ["registry", "caseworker", "policy", "education", "employment", "housing", "medicalInsurance", "disability"];

function inputView(i: RuleInput, audience: Audience | null, hidden: readonly string[]) {
  const withheld = !mayRead(audience, i.basis) || hidden.includes(i.source);
  return { name: i.name, value: withheld ? null : i.value, source: i.source, asOf: i.asOf, withheld };
}

/** The GraphQL view (schema/eligibility.ts Eligibility) of a result, for an audience. */
export function eligibilityView(r: EligibilityResult, audience: Audience | null) {
  // department systems this audience may not read: the result was computed without their records
  // (src/policy/noninterference.ts); they are not listed, and the tier, a decision over all facts, is withheld
  const hidden: readonly string[] = withheldSources(audience);
  const consulted = new Set<InputSource>(r.missingSources);
  for (const reason of r.reasons) for (const i of reason.inputs) consulted.add(i.source);
  const missing = (r.missingSources as InputSource[]).filter((s) => !hidden.includes(s));
  const failedVisible = ((r.failedSources ?? r.missingSources) as InputSource[]).filter((s) => !hidden.includes(s));
  const staleVisible = (r.staleRecords ?? []).filter((x) => !hidden.includes(x.source));
  const tierShown = hidden.length === 0;
  return {
    asOf: r.asOf,
    tier: tierShown ? r.tier : ("WITHHELD" as const),
    // the tier class and per-person tiers: the registry keepers' only (src/policy/rules.ts), who read every record
    tierClass: r.tierClass ?? null,
    // visible sources only: a source this audience may not read was withheld from the evaluation (non-interference)
    complete: missing.length === 0 && failedVisible.length === 0 && staleVisible.length === 0,
    // answered: false when the source failed for any member (failedSources), whether or not a rule needed it;
    // stale: a record of it is outside the evaluation's period (src/domain/freshness.ts)
    sources: SOURCE_ORDER.filter((s) => (consulted.has(s) || failedVisible.includes(s)) && !hidden.includes(s)).map((source) => {
      const stale = staleVisible.some((x) => x.source === source);
      const failed = r.failedSources ? failedVisible.includes(source) : missing.includes(source) && !stale;
      return { source, answered: !failed, stale };
    }),
    persons: r.persons.map((p) => ({ personId: p.personId, tier: p.tier, reason: p.reason })),
    incomePerCapitaFen: r.incomePerCapitaFen,
    standardFen: r.standardFen,
    marginalLimitFen: r.marginalLimitFen,
    gradualExitEnds: r.gradualExitEnds,
    nextRecertification: r.nextRecertification,
    overdue: r.overdue,
    entitlements: r.entitlements.map((e) => {
      const withheld = e.amountFen !== null && !entitlementAmountReadable(audience, e.kind);
      return {
        kind: e.kind,
        department: e.department,
        personId: e.personId,
        amountFen: withheld ? null : e.amountFen,
        monthly: e.monthly,
        ratio: e.ratio,
        rule: e.rule,
        reference: e.reference,
        withheld,
        status: e.status ?? "ESTABLISHED",
        missing: e.missing ?? [],
        provisional: e.provisional ?? !r.complete,
      };
    }),
    // a rule with an input the audience may not read is withheld as a whole: its outcome would tell the input
    reasons: r.reasons.map((x) => {
      const inputs = x.inputs.map((i) => inputView(i, audience, hidden));
      const withheld = inputs.some((i) => i.withheld);
      return withheld
        ? { rule: x.rule, reference: x.reference, outcome: "WITHHELD" as const, explanation: null, personId: x.personId, withheld, inputs: [] }
        : { rule: x.rule, reference: x.reference, outcome: x.outcome, explanation: x.explanation, personId: x.personId, withheld, inputs };
    }),
    parametersUsed: r.parametersUsed.map((p) => ({
      key: p.key,
      value: String(p.value),
      unit: p.unit,
      regionCode: p.regionCode,
      effectiveFrom: p.effectiveFrom,
      effectiveTo: p.effectiveTo,
      source: p.source,
    })),
  };
}

export type EligibilityView = ReturnType<typeof eligibilityView>;

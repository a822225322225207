/**
 * Early-warning alerts from cross-department comparison (DOMAIN.md §3; 003 §4–7): newly registered
 * unemployed, a new severe-disability certificate, serious or special disease, a hardship student not yet
 * covered, medical + education spending crossing the rigid-expenditure ratio, income above the standard
 * (gradual exit or termination check), re-certification overdue. Each is classed as DOMAIN §3 says:
 *   IMPLEMENT        (a) entitled but not implemented → implement, or push to the responsible department
 *   INFORM_AND_PUSH  (b) possibly eligible but not covered → inform the household and push
 *   VERIFY_EXIT      (c) possibly no longer eligible → verify and, if so, terminate
 *   CASE_CONFERENCE  (d) complex: several kinds at once for one household, or a large expenditure
 * with a severity, the responsible department and the evidence (each fact with its source and as-of).
 *
 * Pure: facts + eligibility + evaluation date. The windows are monitoring choices (ALERT_WINDOWS), not
 * policy standards; the one policy standard used (the rigid-expenditure ratio) comes from the parameters
 * the eligibility evaluation used. Every alert has a stable `key` built from the facts that raised it
 * (never from the evaluation date or from amounts that drift), so stored actions attach to it across requests.
 */
import type { AidChain } from "./aid-chain.js";
import { buildAidChain } from "./aid-chain.js";
import type { CaseFact, Department, EligibilityResult, FactSource, HouseholdFacts, MemberFacts, RuleInput } from "./facts.js";
import { addDays, dayOf, isoDay } from "./calendar.js";
import { TIER_ORDER, caseInForce, incomeValidOn, stronger } from "./evaluation.js";
import { ageOn } from "./age.js";
import type { SourceName } from "./records.js";
import type { EligibilityTier } from "./facts.js";
import { isEmployedStatus } from "./observed.js";

/** What the alerts read of the aid chain: its links and gaps. */
export type ChainForAlerts = Pick<AidChain, "links" | "gaps">;

export type AlertKind =
  | "NEWLY_UNEMPLOYED"
  | "NEW_SEVERE_DISABILITY"
  | "SERIOUS_DISEASE"
  | "HARDSHIP_STUDENT"
  | "RIGID_EXPENDITURE_CROSSED"
  | "INCOME_ABOVE_STANDARD"
  | "RECERTIFICATION_OVERDUE"
  | "POSSIBLY_ELIGIBLE_NOT_COVERED"
  | "POSSIBLE_TEKUN"
  | "VERIFY_EXIT"
  | "HOUSING_BENEFIT_HOME_OWNER";

export const ALERT_KINDS: readonly AlertKind[] = [
  "NEWLY_UNEMPLOYED",
  "NEW_SEVERE_DISABILITY",
  "SERIOUS_DISEASE",
  "HARDSHIP_STUDENT",
  "RIGID_EXPENDITURE_CROSSED",
  "INCOME_ABOVE_STANDARD",
  "RECERTIFICATION_OVERDUE",
  "POSSIBLY_ELIGIBLE_NOT_COVERED",
  "POSSIBLE_TEKUN",
  "VERIFY_EXIT",
  "HOUSING_BENEFIT_HOME_OWNER",
];

export type AlertClass = "IMPLEMENT" | "INFORM_AND_PUSH" | "VERIFY_EXIT" | "CASE_CONFERENCE";
export type AlertSeverity = "LOW" | "MEDIUM" | "HIGH";

/** Monitoring windows and thresholds (choices, documented in the README). Days are inclusive of both ends. */
export const ALERT_WINDOWS = {
  /** registered unemployed on or after asOf − 90 days */
  newlyUnemployedDays: 90,
  /** a grade 1–2 certificate whose record was issued or updated on or after asOf − 90 days */
  newSevereDisabilityDays: 90,
  /** re-certification more than this many days overdue is HIGH */
  overdueHighDays: 90,
  /** out-of-pocket left after medical aid at or above this (fen) makes a serious disease HIGH; 50,000 yuan */
  largeOutOfPocketFen: 5_000_000,
  /** distinct alert kinds at once for one household that make it a case conference */
  caseConferenceKinds: 3,
} as const;

export type AlertEvidence = RuleInput;

export interface AlertFinding {
  /** stable: same facts → same key (stored acknowledgements attach to it) */
  key: string;
  kind: AlertKind;
  class: AlertClass;
  severity: AlertSeverity;
  /** the department responsible for acting */
  department: Department;
  householdId: string | null;
  personId: string | null;
  /** one line with the numbers */
  message: string;
  /** DOMAIN.md section and seed document */
  reference: string;
  evidence: AlertEvidence[];
  /** the sources the evidence comes from (for audience filtering) */
  sources: (FactSource | "policy")[];
}

const ASSISTED_TIERS = new Set(["DIBAO", "TEKUN"]);

/** A case in force on the calendar day of `asOf` (registry case dates are calendar days). */
const inForce = (c: CaseFact, asOf: Date): boolean => caseInForce(c, dayOf(asOf));

/** Is the member covered by a dibao or TEKUN case in force (household case or their own)? */
function covered(facts: HouseholdFacts, personId: string | null, asOf: Date): boolean {
  return facts.cases.some((c) => inForce(c, asOf) && ASSISTED_TIERS.has(c.tier) && (c.personId === null || c.personId === personId));
}

/** Any assistance case in force (any tier) covering the member. */
function anyCase(facts: HouseholdFacts, personId: string | null, asOf: Date): boolean {
  return facts.cases.some((c) => inForce(c, asOf) && (c.personId === null || personId === null || c.personId === personId));
}

const ev = (name: string, value: string | number | boolean, source: FactSource | "policy", asOf: Date | null): AlertEvidence => ({
  name,
  value: String(value),
  source,
  asOf,
});

function finding(f: Omit<AlertFinding, "sources">): AlertFinding {
  return { ...f, sources: [...new Set(f.evidence.map((e) => e.source))].sort() };
}

/** Days from `from` to `to` (UTC days). */
function daysBetween(from: Date, to: Date): number {
  return Math.round((dayOf(to).getTime() - dayOf(from).getTime()) / 86_400_000);
}

function newlyUnemployed(facts: HouseholdFacts, m: MemberFacts, asOf: Date): AlertFinding | null {
  if (!m.employment.ok || !m.employment.value) return null;
  const r = m.employment.value;
  if (r.status !== "UNEMPLOYED_REGISTERED" || !r.registeredUnemployedSince) return null;
  const since = dayOf(r.registeredUnemployedSince);
  if (since.getTime() > dayOf(asOf).getTime() || since.getTime() < addDays(asOf, -ALERT_WINDOWS.newlyUnemployedDays).getTime()) return null;
  const assisted = covered(facts, m.personId, asOf);
  const othersWorking = facts.members.some(
    (o) => o.personId !== m.personId && o.employment.ok && o.employment.value !== null && isEmployedStatus(o.employment.value.status),
  );
  return finding({
    key: `NEWLY_UNEMPLOYED:${m.personId}:${isoDay(since)}`,
    kind: "NEWLY_UNEMPLOYED",
    // an assisted household is entitled to employment help (000 二(七), 003 §12); otherwise the lost income may make it eligible
    class: assisted ? "IMPLEMENT" : "INFORM_AND_PUSH",
    severity: othersWorking ? "MEDIUM" : "HIGH",
    department: assisted ? "employment" : "civil_affairs",
    householdId: facts.householdId,
    personId: m.personId,
    message: `registered unemployed since ${isoDay(since)} (${daysBetween(since, asOf)} days)${othersWorking ? "" : "; no other member employed"}`,
    reference: "DOMAIN §2 (employment), §3; 000 二(七), 003 §12",
    evidence: [
      ev("employment.status", r.status, "employment", r.asOf),
      ev("employment.registeredUnemployedSince", isoDay(since), "employment", r.asOf),
      ev("case.assisted", assisted, "registry", facts.registry.asOf),
    ],
  });
}

function newSevereDisability(facts: HouseholdFacts, m: MemberFacts, chain: ChainForAlerts, asOf: Date): AlertFinding | null {
  if (!m.disability.ok || !m.disability.value) return null;
  const r = m.disability.value;
  if (r.grade > 2 || r.certificateStatus !== "VALID") return null;
  const updated = dayOf(r.asOf);
  if (updated > dayOf(asOf) || updated < addDays(asOf, -ALERT_WINDOWS.newSevereDisabilityDays)) return null;
  const nursing = chain.links.some((l) => l.purpose === "NURSING_CARE" && (l.personId === m.personId || l.personId === null));
  const assisted = covered(facts, m.personId, asOf);
  // entitled to the nursing subsidy and not getting it → implement; not covered → single-person inclusion may apply (002 #3, 003 §8)
  if (nursing && assisted) return null;
  return finding({
    key: `NEW_SEVERE_DISABILITY:${m.personId}:${r.certificateNo}`,
    kind: "NEW_SEVERE_DISABILITY",
    class: nursing ? "INFORM_AND_PUSH" : "IMPLEMENT",
    severity: r.grade === 1 ? "HIGH" : "MEDIUM",
    department: nursing ? "civil_affairs" : "disability",
    householdId: facts.householdId,
    personId: m.personId,
    message: `grade ${r.grade} ${r.category.toLowerCase()} disability certificate of ${isoDay(updated)}${nursing ? "" : ", no nursing subsidy"}${assisted ? "" : ", not covered by dibao/TEKUN"}`,
    reference: "DOMAIN §1 (single-person inclusion), §2 (disabled persons' federation), §3; 002 #10, #23, 003 §8, §16",
    evidence: [
      ev("disability.grade", r.grade, "disability", r.asOf),
      ev("disability.certificateStatus", r.certificateStatus, "disability", r.asOf),
      ev("disability.nursingSubsidyFen", r.nursingSubsidyFen, "disability", r.asOf),
      ev("case.assisted", assisted, "registry", facts.registry.asOf),
    ],
  });
}

function seriousDisease(facts: HouseholdFacts, m: MemberFacts, chain: ChainForAlerts, asOf: Date): AlertFinding | null {
  if (!m.medicalInsurance.ok || !m.medicalInsurance.value) return null;
  const r = m.medicalInsurance.value;
  if (!r.seriousDisease || r.year < asOf.getUTCFullYear() - 1) return null;
  const assisted = covered(facts, m.personId, asOf);
  const aidGap = chain.gaps.some((g) => g.personId === m.personId && g.kind === "MEDICAL_OUT_OF_POCKET_AID");
  if (assisted && !aidGap) return null; // covered and aided: nothing to do
  const left = Math.max(0, r.outOfPocketFen - r.medicalAidPaidFen);
  const large = left >= ALERT_WINDOWS.largeOutOfPocketFen;
  return finding({
    key: `SERIOUS_DISEASE:${m.personId}:${r.seriousDisease}:${r.year}`,
    kind: "SERIOUS_DISEASE",
    class: large ? "CASE_CONFERENCE" : assisted ? "IMPLEMENT" : "INFORM_AND_PUSH",
    severity: large ? "HIGH" : "MEDIUM",
    department: assisted ? "medical_insurance" : "civil_affairs",
    householdId: facts.householdId,
    personId: m.personId,
    message: `${r.seriousDisease} (${r.year}): out of pocket ${r.outOfPocketFen} fen, medical aid ${r.medicalAidPaidFen} fen, ${left} fen left${
      assisted ? ", out-of-pocket aid below entitlement" : ", not covered by dibao/TEKUN"
    }`,
    reference: "DOMAIN §1 (single-person inclusion), §2 (medical insurance), §3; 003 §8, §9",
    evidence: [
      ev("medicalInsurance.seriousDisease", r.seriousDisease, "medicalInsurance", r.asOf),
      ev("medicalInsurance.outOfPocketFen", r.outOfPocketFen, "medicalInsurance", r.asOf),
      ev("medicalInsurance.medicalAidPaidFen", r.medicalAidPaidFen, "medicalInsurance", r.asOf),
      ev("case.assisted", assisted, "registry", facts.registry.asOf),
    ],
  });
}

function hardshipStudent(facts: HouseholdFacts, m: MemberFacts, asOf: Date): AlertFinding | null {
  if (!m.education.ok || !m.education.value) return null;
  const r = m.education.value;
  if (!r.hardshipStudent || anyCase(facts, m.personId, asOf)) return null;
  return finding({
    key: `HARDSHIP_STUDENT:${m.personId}:${r.term}`,
    kind: "HARDSHIP_STUDENT",
    class: "INFORM_AND_PUSH",
    severity: r.aid.length === 0 ? "HIGH" : "MEDIUM",
    department: "civil_affairs",
    householdId: facts.householdId,
    personId: m.personId,
    message: `hardship student (${r.stage.toLowerCase()}, ${r.term}) in a household with no assistance case${r.aid.length === 0 ? "; no education aid" : ""}`,
    reference: "DOMAIN §2 (education), §3; 002 #8–10, 003 §10",
    evidence: [
      ev("education.hardshipStudent", true, "education", r.asOf),
      ev("education.term", r.term, "education", r.asOf),
      ev("education.aidItems", r.aid.length, "education", r.asOf),
      ev("case.inForce", false, "registry", facts.registry.asOf),
    ],
  });
}

/** Medical out-of-pocket + education necessary spending over the household's annual income, against the local ratio. */
function rigidExpenditure(facts: HouseholdFacts, eligibility: EligibilityResult, asOf: Date): AlertFinding | null {
  const ratioParam = eligibility.parametersUsed.find((p) => p.key === "RIGID_EXPENDITURE_RATIO");
  if (!ratioParam) return null;
  // a failed medical or education source: the spending is unknown, so no alert (unknown ≠ crossed)
  if (facts.members.some((m) => !m.medicalInsurance.ok || !m.education.ok)) return null;
  if (facts.cases.some((c) => inForce(c, asOf) && (c.tier === "RIGID_EXPENDITURE" || c.tier === "DIBAO" || c.tier === "TEKUN") && c.personId === null)) return null;
  let medical = 0;
  let education = 0;
  const evidence: AlertEvidence[] = [];
  for (const m of facts.members) {
    const mi = m.medicalInsurance.ok ? m.medicalInsurance.value : null;
    const ed = m.education.ok ? m.education.value : null;
    // what the family bears after medical aid (003 §1, §9), as the eligibility's rigid-expenditure test counts it
    const net = mi ? Math.max(0, mi.outOfPocketFen - mi.medicalAidPaidFen) : 0;
    if (mi && net > 0) {
      medical += net;
      evidence.push(ev(`medicalInsurance.outOfPocketFen[${m.personId}]`, mi.outOfPocketFen, "medicalInsurance", mi.asOf));
      if (mi.medicalAidPaidFen > 0) evidence.push(ev(`medicalInsurance.medicalAidPaidFen[${m.personId}]`, mi.medicalAidPaidFen, "medicalInsurance", mi.asOf));
    }
    const eduSpend = ed?.necessaryExpenseFen ?? 0;
    if (ed && eduSpend > 0) {
      education += eduSpend;
      evidence.push(ev(`education.necessaryExpenseFen[${m.personId}]`, eduSpend, "education", ed.asOf));
    }
  }
  const day = dayOf(asOf);
  const monthly = facts.incomes.filter((i) => incomeValidOn(i, day)).reduce((s, i) => s + i.monthlyFen, 0);
  const annualIncome = monthly * 12;
  const spending = medical + education;
  if (spending === 0) return null;
  const ratio = annualIncome > 0 ? spending / annualIncome : Infinity;
  if (ratio <= ratioParam.value) return null;
  const large = ratio >= 1;
  return finding({
    key: `RIGID_EXPENDITURE_CROSSED:${facts.householdId ?? "trial"}`,
    kind: "RIGID_EXPENDITURE_CROSSED",
    class: large ? "CASE_CONFERENCE" : "INFORM_AND_PUSH",
    severity: large ? "HIGH" : "MEDIUM",
    department: "civil_affairs",
    householdId: facts.householdId,
    personId: null,
    message: `medical after aid ${medical} + education ${education} fen = ${
      annualIncome > 0 ? `${ratio.toFixed(2)} of` : "more than"
    } the annual income ${annualIncome} fen, over the ratio ${ratioParam.value}${large ? " (spending at least the whole income)" : ""}`,
    reference: "DOMAIN §1 (RIGID_EXPENDITURE), §3; 003 §1, §4–7",
    evidence: [
      ...evidence,
      ev("incomes.annualFen", annualIncome, "registry", facts.registry.asOf),
      ev("RIGID_EXPENDITURE_RATIO", ratioParam.value, "policy", ratioParam.effectiveFrom),
    ],
  });
}

function incomeAboveStandard(facts: HouseholdFacts, eligibility: EligibilityResult, asOf: Date): AlertFinding | null {
  const day = dayOf(asOf);
  const standard = eligibility.standardFen;
  const marginal = eligibility.marginalLimitFen;
  const income = eligibility.incomePerCapitaFen;
  const evidence = (c: CaseFact): AlertEvidence[] => [
    ev("incomePerCapitaFen", income, "registry", facts.registry.asOf),
    ev("dibaoStandardFen", standard, "policy", null),
    ev("marginalLimitFen", marginal, "policy", null),
    ev("case.status", c.status, "registry", facts.registry.asOf),
    ...(c.endDate ? [ev("case.endDate", isoDay(c.endDate), "registry", facts.registry.asOf)] : []),
  ];
  const base = { kind: "INCOME_ABOVE_STANDARD" as const, class: "VERIFY_EXIT" as const, department: "civil_affairs" as const, householdId: facts.householdId, personId: null, reference: "DOMAIN §1 (gradual exit), §3 (c); 002 #3, 004 §1" };
  // a gradual exit whose 6-month grace ended without the case being closed: termination check
  const lapsed = facts.cases.find((c) => c.tier === "DIBAO" && c.personId === null && c.status === "GRADUAL_EXIT" && c.endDate !== null && dayOf(c.endDate).getTime() < day.getTime());
  if (lapsed) {
    return finding({
      ...base,
      key: `INCOME_ABOVE_STANDARD:${lapsed.id}:TERMINATION_CHECK`,
      severity: "HIGH",
      message: `gradual-exit grace period ended ${isoDay(lapsed.endDate as Date)} but the case is still in gradual exit: termination check`,
      evidence: evidence(lapsed),
    });
  }
  const dibao = facts.cases.find((c) => inForce(c, asOf) && c.tier === "DIBAO" && c.personId === null);
  if (!dibao || standard <= 0 || income < standard) return null;
  const aboveMarginal = income >= marginal;
  const mode = aboveMarginal ? "TERMINATION_CHECK" : "GRADUAL_EXIT";
  // in gradual exit already: a verification at the end of the grace period is planned (LOW); not yet: start it (MEDIUM)
  const severity = aboveMarginal ? "HIGH" : dibao.status === "GRADUAL_EXIT" ? "LOW" : "MEDIUM";
  return finding({
    ...base,
    key: `INCOME_ABOVE_STANDARD:${dibao.id}:${mode}`,
    severity,
    message: aboveMarginal
      ? `income per capita ${income} fen at or above ${marginal} (the marginal limit): termination check`
      : `income per capita ${income} fen at or above the dibao standard ${standard} but below ${marginal}: gradual exit (6-month grace${
          dibao.endDate ? `, ends ${isoDay(dibao.endDate)}` : eligibility.gradualExitEnds ? `, ends ${isoDay(eligibility.gradualExitEnds)}` : ""
        }), verify at its end`,
    evidence: evidence(dibao),
  });
}

function recertificationOverdue(facts: HouseholdFacts, asOf: Date): AlertFinding[] {
  const out: AlertFinding[] = [];
  for (const c of facts.cases) {
    if (!inForce(c, asOf) || !ASSISTED_TIERS.has(c.tier) || !c.nextReviewDate) continue;
    const due = dayOf(c.nextReviewDate);
    if (due >= dayOf(asOf)) continue; // due today is not overdue
    const late = daysBetween(due, asOf);
    out.push(
      finding({
        key: `RECERTIFICATION_OVERDUE:${c.id}:${isoDay(due)}`,
        kind: "RECERTIFICATION_OVERDUE",
        class: "VERIFY_EXIT",
        severity: late > ALERT_WINDOWS.overdueHighDays ? "HIGH" : "MEDIUM",
        department: "civil_affairs",
        householdId: facts.householdId,
        personId: c.personId,
        message: `${c.tier} re-certification due ${isoDay(due)}, ${late} days overdue`,
        reference: "DOMAIN §1 (re-certification), §3 (c); 002 #4",
        evidence: [ev("case.nextReviewDate", isoDay(due), "registry", facts.registry.asOf), ev("case.tier", c.tier, "registry", facts.registry.asOf)],
      }),
    );
  }
  return out;
}

/** The tier the evaluation computed for a member (their own where it differs, else the household's). */
function computedTierOf(eligibility: EligibilityResult, personId: string | null): EligibilityTier {
  return (personId !== null ? eligibility.persons.find((p) => p.personId === personId)?.tier : undefined) ?? eligibility.tier;
}

/**
 * 003 §7 class (b) and (c): a registry case in force whose tier differs from what the facts compute.
 * Stronger computed tier → POSSIBLY_ELIGIBLE_NOT_COVERED (inform and push); weaker → VERIFY_EXIT (verify and,
 * if so, terminate) — only on a complete evaluation (a provisional tier is no ground for an exit), and not
 * where INCOME_ABOVE_STANDARD already asks to verify the same dibao case.
 */
function tierMismatch(facts: HouseholdFacts, eligibility: EligibilityResult, asOf: Date, already: ReadonlySet<string>): AlertFinding[] {
  const out: AlertFinding[] = [];
  for (const c of facts.cases) {
    if (!inForce(c, asOf)) continue;
    const computed = computedTierOf(eligibility, c.personId);
    if (computed === c.tier) continue;
    const evidence = [
      ev("case.tier", c.tier, "registry", facts.registry.asOf),
      ev("case.status", c.status, "registry", facts.registry.asOf),
      ev("case.computedTier", computed, "registry", facts.registry.asOf),
      ev("case.evaluationComplete", eligibility.complete, "registry", facts.registry.asOf),
    ];
    const who = c.personId === null ? "household" : "member";
    if (stronger(computed, c.tier)) {
      out.push(
        finding({
          key: `POSSIBLY_ELIGIBLE_NOT_COVERED:${c.id}:${computed}`,
          kind: "POSSIBLY_ELIGIBLE_NOT_COVERED",
          class: "INFORM_AND_PUSH",
          severity: computed === "DIBAO" || computed === "TEKUN" ? "HIGH" : "MEDIUM",
          department: "civil_affairs",
          householdId: facts.householdId,
          personId: c.personId,
          message: `the ${who}'s case is ${c.tier} but its facts give ${computed}${eligibility.complete ? "" : " (provisional: a source failed or is stale)"}: inform the household and start the ${computed} determination`,
          reference: "DOMAIN §3 (b); 003 §7, §20",
          evidence,
        }),
      );
    } else if (eligibility.complete && TIER_ORDER.includes(computed) && !already.has(c.id)) {
      out.push(
        finding({
          key: `VERIFY_EXIT:${c.id}:${computed}`,
          kind: "VERIFY_EXIT",
          class: "VERIFY_EXIT",
          severity: computed === "NOT_ELIGIBLE" ? "HIGH" : "MEDIUM",
          department: "civil_affairs",
          householdId: facts.householdId,
          personId: c.personId,
          message: `the ${who}'s case is ${c.tier} but its facts now give ${computed}: verify and, if so, ${computed === "NOT_ELIGIBLE" ? "terminate" : `move it to ${computed}`}`,
          reference: "DOMAIN §3 (c); 003 §7",
          evidence,
        }),
      );
    }
  }
  return out;
}

/**
 * A possible TEKUN person (DOMAIN §1 三无; 003 §7 (b)): unable to work (registry NONE, or aged
 * TEKUN_PRESUMED_UNABLE_TO_WORK_AGE or more — 特困人员认定办法 2021 第六条), no income source (own income below
 * TEKUN_NO_INCOME_SOURCE_RATIO × the dibao standard — 第七条), nobody in the household able to support (an
 * adult under that age able to work, or with income at or above the standard), and not TEKUN already (computed
 * or by a case). Whether anyone outside the household is obliged and able to support is what the visit decides.
 */
function possibleTekun(facts: HouseholdFacts, eligibility: EligibilityResult, asOf: Date): AlertFinding[] {
  const ageP = eligibility.parametersUsed.find((p) => p.key === "TEKUN_PRESUMED_UNABLE_TO_WORK_AGE");
  const ratioP = eligibility.parametersUsed.find((p) => p.key === "TEKUN_NO_INCOME_SOURCE_RATIO");
  const sizeP = eligibility.parametersUsed.find((p) => p.key === "POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE");
  if (!ageP || !ratioP || facts.status === "CLOSED") return [];
  // the registry cannot see legally obliged supporters living elsewhere (children, 第八条); the local decision
  // POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE keeps the alert to the households a street office should visit first
  if (sizeP && facts.members.length > sizeP.value) return [];
  const day = dayOf(asOf);
  const incomes = facts.incomes.filter((i) => incomeValidOn(i, day));
  const alone = facts.members.length === 1;
  const own = (m: MemberFacts) => incomes.filter((i) => i.personId === m.personId || (alone && i.personId === null)).reduce((s, i) => s + i.monthlyFen, 0);
  const limit = ratioP.value * eligibility.standardFen;
  const out: AlertFinding[] = [];
  for (const m of facts.members) {
    if (computedTierOf(eligibility, m.personId) === "TEKUN") continue;
    if (facts.cases.some((c) => c.tier === "TEKUN" && inForce(c, asOf) && (c.personId === null || c.personId === m.personId))) continue;
    const age = ageOn(m.birthDate, day);
    const unable = m.workAbility === "NONE" || age >= ageP.value;
    const income = own(m);
    if (!unable || !(income < limit)) continue;
    const supporters = facts.members.filter((o) => o.personId !== m.personId && ageOn(o.birthDate, day) >= 18 && ((o.workAbility !== "NONE" && ageOn(o.birthDate, day) < ageP.value) || own(o) >= eligibility.standardFen));
    if (supporters.length > 0) continue;
    out.push(
      finding({
        key: `POSSIBLE_TEKUN:${m.personId}`,
        kind: "POSSIBLE_TEKUN",
        class: "INFORM_AND_PUSH",
        severity: m.selfCare === "FULL" ? "MEDIUM" : "HIGH",
        department: "civil_affairs",
        householdId: facts.householdId,
        personId: m.personId,
        message: `${m.workAbility === "NONE" ? "no work ability" : `aged ${age} (≥ ${ageP.value}: regarded as unable to work)`}, own income ${income} fen below ${Math.round(limit)} fen, nobody in the household able to support: possible TEKUN (三无) — check for supporters outside the household`,
        reference: "DOMAIN §1 (TEKUN 三无), §3 (b); 003 §7; 特困人员认定办法 (民发〔2021〕43号) 第六条, 第七条",
        evidence: [
          ev("case.member.age", age, "registry", facts.registry.asOf),
          ev("case.member.workAbility", m.workAbility, "registry", facts.registry.asOf),
          ev("incomes.ownMonthlyFen", income, "registry", facts.registry.asOf),
          ev("case.ableSupportersInHousehold", 0, "registry", facts.registry.asOf),
          ev("TEKUN_PRESUMED_UNABLE_TO_WORK_AGE", ageP.value, "policy", ageP.effectiveFrom),
          ev("TEKUN_NO_INCOME_SOURCE_RATIO", ratioP.value, "policy", ratioP.effectiveFrom),
          ...(sizeP ? [ev("POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE", sizeP.value, "policy", sizeP.effectiveFrom)] : []),
          ev("case.householdSize", facts.members.length, "registry", facts.registry.asOf),
        ],
      }),
    );
  }
  return out;
}

/** A home owner (registry HOUSE asset) receiving public rental housing or a rental subsidy: verify (003 §11: 符合住房保障条件). */
function housingHomeOwner(facts: HouseholdFacts, asOf: Date): AlertFinding | null {
  if (!facts.housing.ok || !facts.housing.value) return null;
  const homes = facts.assets.filter((a) => a.kind === "HOUSE" && a.valueFen > 0);
  if (homes.length === 0 && facts.housingCondition !== "OWNS_HOME") return null;
  const r = facts.housing.value;
  const day = dayOf(asOf);
  const b = r.benefits.find((x) => x.status === "ACTIVE" && (x.type === "PUBLIC_RENTAL" || x.type === "RENTAL_SUBSIDY") && (x.endDate === null || dayOf(x.endDate).getTime() >= day.getTime()));
  if (!b) return null;
  return finding({
    key: `HOUSING_BENEFIT_HOME_OWNER:${r.registryNo}:${b.type}:${isoDay(b.startDate)}`,
    kind: "HOUSING_BENEFIT_HOME_OWNER",
    class: "VERIFY_EXIT",
    severity: "MEDIUM",
    department: "housing",
    householdId: facts.householdId,
    personId: null,
    message: `${b.type} since ${isoDay(b.startDate)} while the household owns a home (${homes.length > 0 ? `${homes.length} registry asset(s)` : "caseworker finding"}): verify the housing benefit`,
    reference: "DOMAIN §2 (housing), §3 (c); 003 §11, 002 #11–12",
    evidence: [
      ev("housing.benefit", b.type, "housing", r.asOf),
      ev("housing.benefitStart", isoDay(b.startDate), "housing", r.asOf),
      ev("case.homesOwned", homes.length, "registry", facts.registry.asOf),
    ],
  });
}

/** Whether an alert list is complete: no department source failed and no record was stale for the household. */
export interface AlertCompleteness {
  complete: boolean;
  failedSources: SourceName[];
  staleSources: SourceName[];
}

export function alertCompleteness(chain: Pick<AidChain, "failedSources" | "staleRecords">): AlertCompleteness {
  const staleSources = [...new Set((chain.staleRecords ?? []).map((s) => s.source))].sort();
  return { complete: chain.failedSources.length === 0 && staleSources.length === 0, failedSources: [...chain.failedSources], staleSources };
}

/**
 * Every alert for the household on `asOf`. Pass the aid chain when the caller has it (its gaps and links
 * decide IMPLEMENT vs INFORM_AND_PUSH); it is built otherwise. When a household has alerts of
 * ALERT_WINDOWS.caseConferenceKinds or more distinct kinds at once, all of them become CASE_CONFERENCE
 * (complex, DOMAIN §3 (d)), keeping their severity (at least MEDIUM).
 */
export function deriveAlerts(facts: HouseholdFacts, eligibility: EligibilityResult, asOf: Date, chain?: ChainForAlerts): AlertFinding[] {
  const c = chain ?? buildAidChain(facts, eligibility, asOf);
  const out: AlertFinding[] = [];
  for (const m of facts.members) {
    for (const a of [newlyUnemployed(facts, m, asOf), newSevereDisability(facts, m, c, asOf), seriousDisease(facts, m, c, asOf), hardshipStudent(facts, m, asOf)]) {
      if (a) out.push(a);
    }
  }
  const income = incomeAboveStandard(facts, eligibility, asOf);
  for (const a of [rigidExpenditure(facts, eligibility, asOf), income]) if (a) out.push(a);
  out.push(...recertificationOverdue(facts, asOf));
  const incomeCase = income ? new Set(facts.cases.filter((k) => income.key.startsWith(`INCOME_ABOVE_STANDARD:${k.id}:`)).map((k) => k.id)) : new Set<string>();
  out.push(...tierMismatch(facts, eligibility, asOf, incomeCase));
  out.push(...possibleTekun(facts, eligibility, asOf));
  const owner = housingHomeOwner(facts, asOf);
  if (owner) out.push(owner);
  const kinds = new Set(out.map((a) => a.kind));
  if (kinds.size >= ALERT_WINDOWS.caseConferenceKinds) {
    for (const a of out) {
      a.class = "CASE_CONFERENCE";
      if (a.severity === "LOW") a.severity = "MEDIUM";
    }
  }
  return out;
}

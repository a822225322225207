/**
 * Explainable eligibility (DOMAIN.md §1–§3): the tier of a household and of each member where it
 * differs, the numbers it was decided on, gradual exit, the next re-certification, the entitlements the
 * tier gives (src/domain/entitlements.ts) and every rule evaluated with its inputs. Pure: facts +
 * policy parameters + an evaluation date; no clock, no I/O.
 *
 * Counting rules (the issue leaves them open; stated here and in the reasons):
 * - Income per capita = the sum of every income valid on the evaluation day (validFrom ≤ day ≤ validTo,
 *   member-attributed and household-level alike) / the number of registered members (all of them:
 *   children, students, elderly). Tests compare totals (total < standard × members), so no rounding
 *   decides a boundary; the per-capita figure shown is rounded to the fen.
 * - Assets: financial assets (DEPOSIT + SECURITIES) against ASSET_LIMIT_DEPOSIT_PER_CAPITA × members,
 *   "within" = at most the limit. The home, a vehicle and a small business are not counted (no
 *   parameter for them).
 * - TEKUN "三无" per person: no work ability (registry NONE, or a minor under TEKUN_MINOR_AGE_LIMIT —
 *   exactly that age is no longer a minor), no income of their own (a one-person household's
 *   household-level income is theirs), no able supporter in the household (another member of at least
 *   that age who can work or has income), and no supporter outside it — a finding only a TEKUN
 *   determination (a TEKUN case covering them) or a caseworker's `noSupporterOutsideHousehold` gives.
 *   The household is TEKUN when every member is; otherwise TEKUN members are listed per person.
 * - MONITORED and OTHER come only from a registry case in force (the agriculture & rural department's
 *   flag; registered special hardship): facts cannot establish them, and a tier computed from facts
 *   outranks them (order: TEKUN, DIBAO, DIBAO_MARGINAL, RIGID_EXPENDITURE, OTHER, MONITORED).
 *
 * A failed department source: every rule that needs it is UNKNOWN, `complete` is false and
 * `missingSources` names it; the tier is the best the known facts give, and a COMPLETENESS reason
 * (outcome UNKNOWN) says it is provisional — a consumer must not treat it as final.
 */
import { isoDay } from "./calendar.js";
import { graceOn } from "./gradual-exit.js";
import { entitlementsOf } from "./entitlements.js";
import { withFreshness } from "./freshness.js";
import type { CaseFact, EligibilityResult, EligibilityTier, HouseholdFacts, IncomeFact, MemberFacts, ParameterSet, PersonEligibility, RuleOutcome } from "./facts.js";
import { BASIS, isEmployedStatus, memberReadings, type ParameterReader } from "./observed.js";
import { Evaluation, REF, caseInForce, covers, fen, incomeValidOn, ownIncome, stronger } from "./evaluation.js";
import { classOf, monitoringRetention, recertification } from "./recertification.js";

export { TIER_ORDER } from "./evaluation.js";

// ---------------------------------------------------------------------------------------------------

/**
 * `options.explain: false` (default true): `reasons` left empty — every other field is the same (no rule reads a
 * reason); for callers that read none (a monitoring run, src/features/monitoring/evaluate.ts).
 */
export function evaluateEligibility(facts: HouseholdFacts, params: ParameterSet, asOf: Date, options: { explain?: boolean } = {}): EligibilityResult {
  const explain = options.explain ?? true;
  return withFreshness(facts, params, asOf, (f, P, a) => evaluateFacts(f, P, a, explain), explain);
}

function evaluateFacts(facts: HouseholdFacts, P: ParameterReader, asOf: Date, explain: boolean): EligibilityResult {
  const ev = new Evaluation(facts, P, asOf, explain);
  const day = ev.day;
  const n = facts.members.length;
  if (n === 0) throw new Error("eligibility of a household without members");

  const standardKey = facts.hukou === "URBAN" ? "DIBAO_STANDARD_URBAN" : "DIBAO_STANDARD_RURAL";
  const standard = P.value(standardKey);
  const multiplier = P.value("MARGINAL_MULTIPLIER");
  const incomes = facts.incomes.filter((i) => incomeValidOn(i, day));
  const total = incomes.reduce((s, i) => s + i.monthlyFen, 0);
  const perCapita = Math.round(total / n);
  const marginalLimit = multiplier * standard;
  const base = { asOf: day, incomePerCapitaFen: perCapita, standardFen: standard, marginalLimitFen: Math.round(marginalLimit) };

  // The registry says the household is closed (left the registry, the member died): nothing to evaluate.
  if (facts.status === "CLOSED") {
    ev.note(() => ({
      rule: "HOUSEHOLD_OPEN",
      reference: "registry household status",
      outcome: "FAIL",
      explanation: "the household is CLOSED in the registry: not evaluated",
      personId: null,
      inputs: [ev.reg("household status", facts.status)],
    }));
    return finish(ev, { ...base, tier: "NOT_ELIGIBLE", persons: [], gradualExitEnds: null, nextRecertification: null, overdue: false, entitlements: [], tierClass: null });
  }

  const incomeInputs = [
    ev.reg("household monthly income valid on the day (fen)", total, BASIS.INCOMES),
    ev.reg("income items counted", incomes.length, BASIS.INCOMES),
    ev.reg("registered members", n),
  ];

  // --- DOMAIN §1 DIBAO: income per capita < the standard (urban or rural by hukou)
  const dibaoIncome = ev.rule("DIBAO_INCOME", REF.DIBAO, null, [], [...incomeInputs, ev.reg("hukou", facts.hukou), P.input(standardKey)], () =>
    total < standard * n
      ? { outcome: "PASS", explanation: `income per capita ${perCapita} fen < dibao standard ${standard} fen (${facts.hukou.toLowerCase()})` }
      : { outcome: "FAIL", explanation: `income per capita ${perCapita} fen is not below the dibao standard ${standard} fen (${facts.hukou.toLowerCase()})` },
  );

  // --- assets within local rules (DIBAO, marginal, rigid expenditure)
  const financial = facts.assets.filter((a) => a.kind === "DEPOSIT" || a.kind === "SECURITIES").reduce((s, a) => s + a.valueFen, 0);
  const assetLimit = P.value("ASSET_LIMIT_DEPOSIT_PER_CAPITA");
  const assets = ev.rule(
    "ASSET_LIMIT",
    REF.ASSETS,
    null,
    [],
    [ev.reg("deposits and securities (fen)", financial, BASIS.ASSETS), ev.reg("registered members", n), P.input("ASSET_LIMIT_DEPOSIT_PER_CAPITA")],
    () =>
      financial <= assetLimit * n
        ? { outcome: "PASS", explanation: `deposits and securities ${financial} fen ≤ ${assetLimit} fen × ${n} members` }
        : { outcome: "FAIL", explanation: `deposits and securities ${financial} fen exceed ${assetLimit} fen × ${n} members` },
  );
  const assetsOk = assets === "PASS";

  // --- DOMAIN §1 DIBAO_MARGINAL: income per capita < multiplier × standard
  const marginalIncome = ev.rule("MARGINAL_INCOME", REF.MARGINAL, null, [], [...incomeInputs, P.input(standardKey), P.input("MARGINAL_MULTIPLIER")], () =>
    total < marginalLimit * n
      ? { outcome: "PASS", explanation: `income per capita ${perCapita} fen < ${multiplier} × ${standard} = ${fen(marginalLimit)} fen` }
      : { outcome: "FAIL", explanation: `income per capita ${perCapita} fen is not below ${multiplier} × ${standard} = ${fen(marginalLimit)} fen` },
  );

  // --- DOMAIN §1 TEKUN, per person
  const tekun = new Map(facts.members.map((m) => [m.personId, tekunSanwu(ev, m, incomes)]));
  const householdTekun = facts.members.every((m) => tekun.get(m.personId) === "PASS");

  // --- DOMAIN §1 gradual exit
  const grace = gradualExit(ev, { total, standard, marginalLimit, n, assetsOk, standardKey });

  const dibao = (dibaoIncome === "PASS" && assetsOk) || grace.outcome === "PASS";
  const marginalHousehold = !householdTekun && !dibao && marginalIncome === "PASS" && assetsOk;
  // --- DOMAIN §1 single-person inclusion (单人户) in a marginal household; the rest is then a household of its own members
  const included = marginalHousehold ? singlePersonInclusion(ev, { incomes, standard, standardKey }) : null;
  const marginal = !dibao && marginalIncome === "PASS" && assetsOk && (included === null || restMarginal(ev, { included, incomes, total, marginalLimit, standardKey }));

  // --- DOMAIN §1 RIGID_EXPENDITURE (only where no stronger tier is established)
  let rigid: RuleOutcome = "NOT_APPLICABLE";
  if (!householdTekun && !dibao && !marginal) rigid = rigidExpenditure(ev, { total, n, assetsOk });
  else
    ev.note(() => ({ rule: "RIGID_EXPENDITURE", reference: REF.RIGID, outcome: "NOT_APPLICABLE", explanation: "a stronger tier applies", personId: null, inputs: [] }));

  // --- MONITORED / OTHER: registry designations only
  const designation = (tier: "MONITORED" | "OTHER"): boolean => {
    const c = facts.cases.find((x) => x.tier === tier && x.personId === null && caseInForce(x, day));
    const source = tier === "MONITORED" ? "the agriculture & rural department's return-to-poverty flag" : "a registered special-hardship case";
    ev.note(() => ({
      rule: `REGISTRY_${tier}`,
      reference: tier === "MONITORED" ? REF.MONITORED : REF.OTHER,
      outcome: c ? "PASS" : "FAIL",
      explanation: `${tier} can only come from the registry case (${source}); facts cannot establish it: ${c ? `case in force since ${isoDay(c.startDate)}` : "no such case in force"}`,
      personId: null,
      inputs: c ? [ev.reg(`${tier} case start`, isoDay(c.startDate)), ev.reg(`${tier} case status`, c.status)] : [ev.reg(`${tier} case in force`, "none")],
    }));
    return c !== undefined;
  };
  const other = designation("OTHER");
  const monitored = designation("MONITORED");

  const tier: EligibilityTier = householdTekun
    ? "TEKUN"
    : dibao
      ? "DIBAO"
      : marginal
        ? "DIBAO_MARGINAL"
        : rigid === "PASS"
          ? "RIGID_EXPENDITURE"
          : other
            ? "OTHER"
            : monitored
              ? "MONITORED"
              : "NOT_ELIGIBLE";

  // a registry designation outranked by a tier the facts give: say so in its reason
  for (const x of ev.reasons) {
    if ((x.rule === "REGISTRY_OTHER" || x.rule === "REGISTRY_MONITORED") && x.personId === null && x.outcome === "PASS" && stronger(tier, x.rule.slice(9) as EligibilityTier))
      x.explanation += `; the facts give the stronger tier ${tier}, which is reported instead`;
  }

  // --- persons whose tier differs
  const persons = personTiers(ev, { tier, tekun, incomes, standard, standardKey, assetsOk, included });

  if (tier === "NOT_ELIGIBLE") monitoringRetention(ev);

  const tierClass = classOf(ev, tier);
  const recert = recertification(ev, tier, persons, grace.outcome === "PASS" ? grace.ends : null);
  const entitlements = entitlementsOf(ev, {
    tier,
    tierClass,
    persons,
    standard,
    standardKey,
    total,
    incomes,
    gradualExit: grace.outcome === "PASS" ? grace.dibaoCase : null,
  });
  return finish(ev, {
    ...base,
    tier,
    tierClass,
    persons,
    gradualExitEnds: grace.outcome === "PASS" ? grace.ends : null,
    nextRecertification: recert.next,
    overdue: recert.overdue,
    entitlements,
  });
}

function finish(ev: Evaluation, r: Omit<EligibilityResult, "reasons" | "parametersUsed" | "complete" | "missingSources">): EligibilityResult {
  const missing = [...ev.missing].sort();
  if (missing.length > 0) {
    ev.note(() => ({
      rule: "COMPLETENESS",
      reference: "DOMAIN §3 (cross-department comparison)",
      outcome: "UNKNOWN",
      explanation: `provisional: ${missing.join(", ")} did not answer; tier ${r.tier} is the best the known facts give and is not final`,
      personId: null,
      inputs: missing.map((s) => ({ name: "missing source", value: s, source: s, asOf: null })),
    }));
  }
  return { ...r, reasons: ev.reasons, parametersUsed: ev.P.usedInKeyOrder(), complete: missing.length === 0, missingSources: missing };
}

// ---------------------------------------------------------------------------------------------------
// Rules


function tekunSanwu(ev: Evaluation, m: MemberFacts, incomes: IncomeFact[]): RuleOutcome {
  const limit = ev.P.value("TEKUN_MINOR_AGE_LIMIT");
  const age = ev.age(m);
  const minor = age < limit;
  const own = ownIncome(ev, m, incomes);
  const supporters = ev.facts.members.filter(
    (o) => o.personId !== m.personId && ev.age(o) >= limit && (o.workAbility !== "NONE" || ownIncome(ev, o, incomes) > 0),
  );
  const determination = ev.facts.cases.find((c) => c.tier === "TEKUN" && covers(c, m.personId) && c.status !== "REJECTED" && c.status !== "APPLIED");
  const noOutside = m.noSupporterOutsideHousehold === true || determination !== undefined;
  const inputs = [
    ev.reg("age", age),
    ev.P.input("TEKUN_MINOR_AGE_LIMIT"),
    ev.reg("work ability", m.workAbility),
    ev.reg("own monthly income (fen)", own, BASIS.INCOMES),
    ev.reg("able supporters in the household", supporters.length),
    ev.reg(
      "no supporter outside the household",
      m.noSupporterOutsideHousehold === true ? "yes (caseworker finding)" : determination ? `yes (TEKUN case since ${isoDay(determination.startDate)})` : "no finding",
    ),
  ];
  return ev.rule("TEKUN_SANWU", REF.TEKUN, m.personId, [], inputs, () => {
    const failed: string[] = [];
    if (!minor && m.workAbility !== "NONE") failed.push(`can work (${m.workAbility}) and is not a minor (age ${age}, minors until ${limit})`);
    if (own > 0) failed.push(`has income ${own} fen`);
    if (supporters.length > 0) failed.push(`${supporters.length} able supporter(s) in the household`);
    if (!noOutside) failed.push("no finding that nobody outside the household is obliged and able to support (a TEKUN determination or a caseworker's finding)");
    return failed.length === 0
      ? { outcome: "PASS", explanation: `三无: ${minor ? `a minor (age ${age} < ${limit})` : "no work ability"}, no income, no able supporter` }
      : { outcome: "FAIL", explanation: `not 三无: ${failed.join("; ")}` };
  });
}

interface GraceResult {
  outcome: RuleOutcome;
  ends: Date | null;
  dibaoCase: CaseFact | null;
}

function gradualExit(
  ev: Evaluation,
  x: { total: number; standard: number; marginalLimit: number; n: number; assetsOk: boolean; standardKey: string },
): GraceResult {
  const { facts, day, P } = ev;
  const months = P.value("GRADUAL_EXIT_MONTHS");
  const candidates = facts.cases
    .filter((c) => c.tier === "DIBAO" && c.personId === null && c.startDate.getTime() <= day.getTime())
    .filter((c) => c.status === "GRADUAL_EXIT" || (c.status === "ACTIVE" && caseInForce(c, day)))
    .sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
  const c = candidates[0] ?? null;
  const inputs = [ev.reg("household monthly income (fen)", x.total, BASIS.INCOMES), ev.reg("registered members", x.n), P.input(x.standardKey), P.input("MARGINAL_MULTIPLIER"), P.input("GRADUAL_EXIT_MONTHS")];
  if (!c) {
    ev.note(() => ({ rule: "GRADUAL_EXIT", reference: REF.GRADUAL_EXIT, outcome: "NOT_APPLICABLE", explanation: "no dibao case in force or in gradual exit", personId: null, inputs: [] }));
    return { outcome: "NOT_APPLICABLE", ends: null, dibaoCase: null };
  }
  inputs.push(ev.reg("dibao case status", c.status), ev.reg("dibao case start", isoDay(c.startDate)), ev.reg("dibao case end date", c.endDate ? isoDay(c.endDate) : "none"));
  // the one rule for "is this day in the grace period" (shared with the audit findings)
  const g = graceOn({ incomes: facts.incomes, members: x.n, standardFen: x.standard, multiplier: P.value("MARGINAL_MULTIPLIER"), months, caseStart: c.startDate }, day);
  if (g.state === "BELOW_STANDARD") {
    ev.note(() => ({ rule: "GRADUAL_EXIT", reference: REF.GRADUAL_EXIT, outcome: "NOT_APPLICABLE", explanation: "income per capita is still below the standard: dibao continues", personId: null, inputs }));
    return { outcome: "NOT_APPLICABLE", ends: null, dibaoCase: c };
  }
  let outcome: RuleOutcome;
  let explanation: string;
  let ends: Date | null = null;
  const pc = Math.round(x.total / x.n);
  if (g.state === "ABOVE_MARGINAL") {
    outcome = "FAIL";
    explanation = `income per capita rose to ${pc} fen, at or above ${Math.round(x.marginalLimit)} fen: no grace period, dibao ends`;
  } else {
    ends = g.ends;
    inputs.push(ev.reg(g.roseFrom === "INCOME_CHANGE" ? "income at or above the standard since (income record validFrom)" : "income at or above the standard since (before the case: its start)", isoDay(g.rose), BASIS.INCOMES));
    const from = `${months} months from ${isoDay(g.rose)} (${g.roseFrom === "INCOME_CHANGE" ? "the income change" : "the case start: the income was already at or above the standard"})`;
    if (!x.assetsOk) {
      outcome = "FAIL";
      explanation = "assets exceed the limit: no grace period";
    } else if (g.state === "IN_GRACE") {
      outcome = "PASS";
      explanation = `income per capita ${pc} fen is in [standard, ${Math.round(x.marginalLimit)}): dibao continues until ${isoDay(g.ends)} inclusive, ${from}`;
    } else {
      outcome = "FAIL";
      explanation = `income per capita ${pc} fen is in [standard, ${Math.round(x.marginalLimit)}), but the grace period of ${from} ended on ${isoDay(g.ends)}: dibao ends (a marginal household if the other tests pass)`;
    }
  }
  ev.note(() => ({ rule: "GRADUAL_EXIT", reference: REF.GRADUAL_EXIT, outcome, explanation, personId: null, inputs }));
  return { outcome, ends, dibaoCase: c };
}

function rigidExpenditure(ev: Evaluation, x: { total: number; n: number; assetsOk: boolean }): RuleOutcome {
  const { facts, P } = ev;
  const key = facts.hukou === "URBAN" ? "PER_CAPITA_DISPOSABLE_INCOME_URBAN" : "PER_CAPITA_DISPOSABLE_INCOME_RURAL";
  const disposable = P.value(key);
  const ratio = P.value("RIGID_EXPENDITURE_RATIO");
  const medical = facts.members.map((m) => memberReadings.netOutOfPocketFen(m));
  const education = facts.members.map((m) => memberReadings.educationExpenseFen(m));
  const annual = x.total * 12;
  return ev.rule(
    "RIGID_EXPENDITURE",
    REF.RIGID,
    null,
    [...medical, ...education],
    [ev.reg("annual household income (fen)", annual, BASIS.INCOMES), ev.reg("registered members", x.n), P.input(key), P.input("RIGID_EXPENDITURE_RATIO")],
    () => {
      const spending = [...medical, ...education].reduce((s, r) => s + (r.known ? r.value : 0), 0);
      const failed: string[] = [];
      if (!(annual < disposable * x.n)) failed.push(`annual income per capita ${Math.round(annual / x.n)} fen is not below last year's disposable income ${disposable} fen`);
      if (!x.assetsOk) failed.push("assets exceed the limit");
      const heavy = annual === 0 ? spending > 0 : spending > ratio * annual;
      const share = annual === 0 ? "no income" : `${(spending / annual).toFixed(3)} of annual income`;
      if (!heavy) failed.push(`medical + education spending ${spending} fen is ${share}, not above ${ratio}`);
      return failed.length === 0
        ? { outcome: "PASS", explanation: `medical + education spending ${spending} fen is ${share} (> ${ratio}); income per capita below last year's disposable income; assets within limits` }
        : { outcome: "FAIL", explanation: failed.join("; ") };
    },
  );
}

/**
 * 002 #3, 003 §8, 004 一: in a marginal household (income per capita in [standard, 1.5 × standard)), a severely
 * disabled (grade 1–2) or seriously ill member is put on dibao as a one-person household, "补差发放低保金": the
 * payment is the standard − their own income, so a member whose own income is at or above the standard
 * gains nothing and is not included. Returns the included members.
 */
function singlePersonInclusion(ev: Evaluation, x: { incomes: IncomeFact[]; standard: number; standardKey: string }): Set<string> {
  const out = new Set<string>();
  for (const m of ev.facts.members) {
    const grade = memberReadings.disabilityGrade(m);
    const severe = grade.known && grade.value !== null && grade.value <= 2;
    const disease = memberReadings.seriousDisease(m);
    const ill = disease.known && disease.value !== null;
    const own = ownIncome(ev, m, x.incomes);
    const decided = severe || ill || (grade.known && disease.known);
    const outcome = ev.rule(
      "SINGLE_PERSON_INCLUSION",
      REF.INCLUSION,
      m.personId,
      decided ? [] : [grade, disease],
      [...(decided ? [grade.input, disease.input] : []), ev.reg("own monthly income (fen)", own, BASIS.INCOMES), ev.P.input(x.standardKey)],
      () => {
        if (!severe && !ill) return { outcome: "FAIL", explanation: "neither severely disabled (grade 1–2) nor seriously ill" };
        const why = severe ? `a grade ${grade.known ? grade.value : "?"} disability` : "a serious disease";
        return own < x.standard
          ? { outcome: "PASS", explanation: `member of a DIBAO_MARGINAL household with ${why}, own income ${own} fen < ${x.standard} fen: dibao as a one-person household, ${x.standard - own} fen (补差)` }
          : { outcome: "FAIL", explanation: `${why}, but own income ${own} fen is not below the standard ${x.standard} fen: the 补差 would be nothing, not included` };
      },
    );
    if (outcome === "PASS") out.add(m.personId);
  }
  return out;
}

/** With members included alone, the rest of the household is a household of its own members: its marginal test on their income. */
function restMarginal(
  ev: Evaluation,
  x: { included: Set<string>; incomes: IncomeFact[]; total: number; marginalLimit: number; standardKey: string },
): boolean {
  if (x.included.size === 0) return true;
  const rest = ev.facts.members.filter((m) => !x.included.has(m.personId));
  const inputs = [
    ev.reg("members included alone", x.included.size),
    ev.reg("remaining members", rest.length),
    ev.P.input(x.standardKey),
    ev.P.input("MARGINAL_MULTIPLIER"),
  ];
  if (rest.length === 0) {
    ev.note(() => ({ rule: "MARGINAL_INCOME_REST", reference: REF.INCLUSION, outcome: "NOT_APPLICABLE", explanation: "every member is included alone: the household stays DIBAO_MARGINAL, each member DIBAO", personId: null, inputs }));
    return true;
  }
  const own = ev.facts.members.filter((m) => x.included.has(m.personId)).reduce((s, m) => s + ownIncome(ev, m, x.incomes), 0);
  const restTotal = x.total - own;
  const pc = Math.round(restTotal / rest.length);
  return ev.rule("MARGINAL_INCOME_REST", REF.INCLUSION, null, [], [...inputs, ev.reg("remaining members' monthly income (fen)", restTotal, BASIS.INCOMES)], () =>
    restTotal < x.marginalLimit * rest.length
      ? { outcome: "PASS", explanation: `the remaining ${rest.length} member(s): income per capita ${pc} fen < ${fen(x.marginalLimit)} fen: DIBAO_MARGINAL` }
      : { outcome: "FAIL", explanation: `the remaining ${rest.length} member(s): income per capita ${pc} fen is not below ${fen(x.marginalLimit)} fen: not marginal on their own` },
  ) === "PASS";
}

function personTiers(
  ev: Evaluation,
  x: { tier: EligibilityTier; tekun: Map<string, RuleOutcome>; incomes: IncomeFact[]; standard: number; standardKey: string; assetsOk: boolean; included: Set<string> | null },
): PersonEligibility[] {
  const { facts, day } = ev;
  const out = new Map<string, PersonEligibility>();
  const set = (personId: string, tier: EligibilityTier, reason: string) => {
    const cur = out.get(personId)?.tier ?? x.tier;
    if (stronger(tier, cur)) out.set(personId, { personId, tier, reason });
  };
  if (x.tier !== "TEKUN") {
    for (const m of facts.members) if (x.tekun.get(m.personId) === "PASS") set(m.personId, "TEKUN", "TEKUN (三无) member of a household that is not TEKUN as a whole");
  }
  const n = facts.members.length;
  for (const m of facts.members) {
    if (x.tier === "DIBAO" || x.tier === "TEKUN") {
      ev.note(() => ({ rule: "SINGLE_PERSON_INCLUSION", reference: REF.INCLUSION, outcome: "NOT_APPLICABLE", explanation: `the household is ${x.tier}`, personId: m.personId, inputs: [] }));
      continue;
    }
    const grade = memberReadings.disabilityGrade(m);
    const severe = grade.known && grade.value !== null && grade.value <= 2;
    if (x.included !== null) {
      // the household as a whole is marginal: the inclusion was decided (singlePersonInclusion), whatever the rest's tier
      if (x.included.has(m.personId)) set(m.personId, "DIBAO", "single-person inclusion (单人户): severe disability or serious illness in a marginal household, own income below the standard");
      continue;
    }
    // an unemployed adult with a severe disability may apply as a one-person household
    const age = ev.age(m);
    const adult = age >= 18;
    if (n === 1 || !adult) {
      ev.note(() => ({
        rule: "SINGLE_PERSON_INCLUSION",
        reference: REF.INCLUSION,
        outcome: "NOT_APPLICABLE",
        explanation: n === 1 ? "a one-person household already: the household tests decide" : `not an adult (age ${age})`,
        personId: m.personId,
        inputs: [ev.reg("age", age), ev.reg("registered members", n)],
      }));
      continue;
    }
    const status = memberReadings.employmentStatus(m);
    const own = ownIncome(ev, m, x.incomes);
    const decided = (grade.known && !severe) || (status.known && isEmployedStatus(status.value));
    const outcome = ev.rule(
      "SINGLE_PERSON_INCLUSION",
      REF.INCLUSION,
      m.personId,
      decided ? [] : [grade, status],
      [...(decided ? [grade.input, status.input] : []), ev.reg("age", age), ev.reg("own monthly income (fen)", own, BASIS.INCOMES), ev.P.input(x.standardKey)],
      () => {
        const failed: string[] = [];
        if (!severe) failed.push("not severely disabled (grade 1–2)");
        if (status.known && isEmployedStatus(status.value)) failed.push(`employed (${status.value})`);
        if (!(own < x.standard)) failed.push(`own income ${own} fen is not below the standard ${x.standard} fen`);
        if (!x.assetsOk) failed.push("household assets exceed the limit");
        return failed.length === 0
          ? { outcome: "PASS", explanation: `unemployed adult with a grade ${grade.known ? grade.value : "?"} disability, own income ${own} fen < ${x.standard} fen: dibao as a one-person household` }
          : { outcome: "FAIL", explanation: failed.join("; ") };
      },
    );
    if (outcome === "PASS") set(m.personId, "DIBAO", "single-person inclusion (单人户): unemployed adult with a severe disability as a one-person household");
  }
  // a registered special-hardship individual (a person-level OTHER case)
  for (const c of facts.cases) {
    if (c.tier !== "OTHER" || c.personId === null || !caseInForce(c, day)) continue;
    if (!facts.members.some((m) => m.personId === c.personId)) continue;
    ev.note(() => ({
      rule: "REGISTRY_OTHER",
      reference: REF.OTHER,
      outcome: "PASS",
      explanation: "OTHER can only come from the registry case: a registered special-hardship individual",
      personId: c.personId,
      inputs: [ev.reg("OTHER case start", isoDay(c.startDate))],
    }));
    set(c.personId, "OTHER", "registered special-hardship individual (registry case)");
  }
  return [...out.values()];
}

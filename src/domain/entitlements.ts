/**
 * The entitlements a tier gives, by department (DOMAIN.md §2), one per beneficiary per kind, each with
 * the rule that gives it, and every entitlement rule recorded as a reason. Pure; called by
 * evaluateEligibility with its evaluation state.
 *
 * Choices where the documents leave room (documented, and in each reason):
 * - A member's tier is their own where it differs (single-person inclusion, TEKUN member), else the household's.
 * - Medical (003 §9): premium subsidy TEKUN 100 %, DIBAO 90 %, DIBAO_MARGINAL / RIGID_EXPENDITURE / OTHER
 *   70 %; MONITORED gets no premium subsidy (the insurer's assist-type table has none for it).
 *   Out-of-pocket aid 70 % (DIBAO, TEKUN) / 60 % (the others) for members with in-policy out-of-pocket
 *   spending, amount = ratio × that year's spending.
 * - Education (002 #8–10, 003 §10) for students of DIBAO/TEKUN, marginal, rigid-expenditure and OTHER members, by stage; free
 *   senior-high textbooks only while EDUCATION_FREE_TEXTBOOKS_SENIOR is in force. No amounts (no parameter).
 * - Disability: living subsidy for certificate holders who are DIBAO, TEKUN or marginal; nursing subsidy
 *   for grade 1–2 members of any eligible tier except TEKUN (who get the TEKUN care subsidy: not both);
 *   child rehabilitation for disabled members under 18.
 * - Employment: a zero-employment household (no member employed or in flexible work) of any eligible
 *   tier — each working-age member able to work, not in school, not retired, gets EMPLOYMENT_ASSISTANCE;
 *   DIBAO_EMPLOYMENT_SUBSIDY (002 #13): see dibaoEmploymentSubsidy — the month's dibao reduction for a member who
 *   found work while the household is on a (reduced) dibao, for at most a year; never during gradual exit.
 * - Housing (urban): DIBAO, dispersed TEKUN, marginal and rigid-expenditure households and orphans aged
 *   18+ who own no home: HOUSING_SECURITY; a Yuzhong DIBAO_A household renting (an active benefit with a
 *   rent): RENT_SUBSIDY_EQUAL_TO_RENT instead. Rural renovation is not derived (no fact says a house is dilapidated).
 */
import type { Entitlement, EligibilityTier, MemberFacts } from "./facts.js";
import type { Evaluation } from "./evaluation.js";
import type { Amount, Decide, EntitlementContext, Give } from "./entitlements/common.js";
import { civilAffairsForMember, householdDibao } from "./entitlements/civil-affairs.js";
import { disabilityForMember } from "./entitlements/disability.js";
import { educationForMember } from "./entitlements/education.js";
import { employment } from "./entitlements/employment.js";
import { housing } from "./entitlements/housing.js";
import { medicalForMember } from "./entitlements/medical.js";

export type { EntitlementContext } from "./entitlements/common.js";

export function entitlementsOf(ev: Evaluation, x: EntitlementContext): Entitlement[] {
  const { facts } = ev;
  const out: Entitlement[] = [];
  const tierOf = (m: MemberFacts): EligibilityTier => x.persons.find((p) => p.personId === m.personId)?.tier ?? x.tier;
  const give: Give = (kind, department, personId, rule, reference, amount: Amount = {}) =>
    void out.push({
      kind,
      department,
      personId,
      amountFen: amount.amountFen ?? null,
      monthly: amount.monthly ?? false,
      ratio: amount.ratio ?? null,
      rule,
      reference,
      status: amount.unverified ? "UNVERIFIED" : "ESTABLISHED",
      missing: amount.unverified ?? [],
    });
  /** records an entitlement rule for a member and gives the entitlement when it passes */
  const decide: Decide = (rule, reference, personId, readings, inputs, test, onPass) => {
    const outcome = ev.rule(rule, reference, personId, readings, inputs, () => {
      const r = test();
      return { outcome: r.pass ? "PASS" : "FAIL", explanation: r.explanation };
    });
    if (outcome === "PASS") onPass();
  };

  householdDibao(ev, x, give);

  for (const m of facts.members) {
    const t = tierOf(m);
    if (t === "NOT_ELIGIBLE") continue;
    const c = { m, t, age: ev.age(m), id: m.personId };
    // per member, in this order (the reasons keep it): civil affairs, medical insurance, education, disability
    civilAffairsForMember(ev, x, c, { give, decide });
    medicalForMember(ev, x, c, { give, decide });
    educationForMember(ev, x, c, { give, decide });
    disabilityForMember(ev, x, c, { give, decide });
  }

  employment(ev, x, give);
  housing(ev, x, give);
  return out;
}

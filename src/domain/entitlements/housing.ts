import { isoDay } from "../calendar.js";
import type { Evaluation } from "../evaluation.js";
import { BASIS, type Reading, readRecord } from "../observed.js";
import { REF, YUZHONG, type EntitlementContext, type Give } from "./common.js";

/**
 * Housing (003 §11, 002 #11–12, 001 (6)): the tier gives urban housing security only to a household "符合当地城市住房保障条件"
 * — without a home of its own. What establishes it: a caseworker's finding (`housingCondition` NO_HOME or RENTING),
 * or the housing department's own active public-rental / rental-subsidy benefit. A HOUSE asset or OWNS_HOME: not
 * entitled (and a home owner receiving a rental benefit is flagged in the reason, and by an alert). Otherwise the
 * registry does not say whether the household has a home: HOUSING_SECURITY is UNVERIFIED — a thing to check, never a gap.
 */
export function housing(ev: Evaluation, x: EntitlementContext, give: Give): void {
  const { facts, day } = ev;
  if (facts.hukou !== "URBAN") return;
  const orphan18 = facts.members.find((m) =>
    facts.cases.some((c) => c.tier === "TEKUN" && (c.personId === null || c.personId === m.personId) && c.status === "TERMINATED" && c.endDate !== null && ev.age(m) >= 18 && isoDay(c.endDate).slice(5) === isoDay(m.birthDate).slice(5)),
  );
  const dispersedTekun = x.tier === "TEKUN" && x.tierClass !== "TEKUN_CENTRALISED";
  const byTier = x.tier === "DIBAO" || dispersedTekun || x.tier === "DIBAO_MARGINAL" || x.tier === "RIGID_EXPENDITURE";
  if (!byTier && !orphan18) return;
  const owned = facts.assets.filter((a) => a.kind === "HOUSE" && a.valueFen > 0);
  const condition = facts.housingCondition ?? null;
  const inputs = [
    ev.reg("hukou", facts.hukou),
    ev.reg("homes owned (registry assets)", owned.length, BASIS.ASSETS),
    ev.reg("housing conditions (caseworker finding)", condition ?? "not recorded"),
    ...(orphan18 && !byTier ? [ev.reg("orphan aged 18+ (TEKUN ended at 18)", "yes")] : []),
  ];
  const yuzhongA = facts.districtCode === YUZHONG && x.tier === "DIBAO" && x.tierClass === "DIBAO_A";
  const activeBenefit = (r: { benefits: { type: string; status: string; monthlyRentFen: number | null; endDate: Date | null }[] } | null) =>
    r?.benefits.find((b) => b.status === "ACTIVE" && (b.type === "PUBLIC_RENTAL" || b.type === "RENTAL_SUBSIDY") && (b.endDate === null || b.endDate.getTime() >= day.getTime())) ?? null;
  const benefit: Reading<{ type: string; monthlyRentFen: number | null } | null> = readRecord(
    facts.housing,
    "housing",
    "active public-rental or rental-subsidy benefit",
    (r) => activeBenefit(r),
    (b) => (b === null ? "none" : `${b.type}${b.monthlyRentFen !== null ? ` (rent ${b.monthlyRentFen} fen)` : ""}`),
  );
  const ownsHome = owned.length > 0 || condition === "OWNS_HOME";
  const noHome = condition === "NO_HOME" || condition === "RENTING";
  // the housing record decides only what the registry and the caseworker leave open (a Yuzhong A-class rent, or whether the department already found the need)
  const needsRecord = !ownsHome && (yuzhongA || !noHome);
  let given: "RENT" | "SECURITY" | "UNVERIFIED" | null = null;
  let rent: number | null = null;
  const outcome = ev.rule("ENT_HOUSING", REF.HOUSING, null, needsRecord ? [benefit] : [], needsRecord || !benefit.known ? inputs : [...inputs, benefit.input], () => {
    const b = benefit.known ? benefit.value : null;
    if (yuzhongA && b && b.monthlyRentFen !== null && !ownsHome) {
      given = "RENT";
      rent = b.monthlyRentFen;
      return { outcome: "PASS", explanation: `Yuzhong dibao A-class tenant: rent subsidy equal to the rent, ${b.monthlyRentFen} fen per month` };
    }
    if (ownsHome)
      return {
        outcome: "FAIL",
        explanation: b
          ? `owns a home${owned.length > 0 ? " (registry asset)" : " (caseworker finding)"} but the housing department shows an active ${b.type}: verify the housing benefit`
          : "owns a home: no housing security",
      };
    given = "SECURITY";
    if (noHome) return { outcome: "PASS", explanation: `urban ${byTier ? x.tier : "orphan aged 18+"} without a home of its own (caseworker finding: ${condition}): public rental housing or a rental subsidy` };
    if (b) return { outcome: "PASS", explanation: `urban ${byTier ? x.tier : "orphan aged 18+"} the housing department already supports (${b.type}): housing security established` };
    given = "UNVERIFIED";
    return {
      outcome: "UNKNOWN",
      explanation: `urban ${byTier ? x.tier : "orphan aged 18+"}: entitled to housing security only without a home of its own, and the registry does not record the household's housing conditions — UNVERIFIED, to check (not a gap)`,
    };
  });
  const missing = "the household's housing conditions: whether it owns a home (not recorded in the registry; record housingCondition or a HOUSE asset)";
  if (outcome === "UNKNOWN" && given === null) {
    // the housing system did not answer (or its record is stale): a caseworker's NO_HOME / RENTING still establishes
    // housing security (a Yuzhong A-class rent subsidy needs the rent, which is unknown); otherwise nothing decides
    if (noHome) give("HOUSING_SECURITY", "housing", null, "ENT_HOUSING", REF.HOUSING);
    else give("HOUSING_SECURITY", "housing", null, "ENT_HOUSING", REF.HOUSING, { unverified: [missing, "the housing department's record (unavailable or stale)"] });
    return;
  }
  if (given === "RENT") give("RENT_SUBSIDY_EQUAL_TO_RENT", "housing", null, "ENT_HOUSING", REF.HOUSING, { amountFen: rent, monthly: true });
  if (given === "SECURITY") give("HOUSING_SECURITY", "housing", null, "ENT_HOUSING", REF.HOUSING);
  if (given === "UNVERIFIED") give("HOUSING_SECURITY", "housing", null, "ENT_HOUSING", REF.HOUSING, { unverified: [missing] });
}

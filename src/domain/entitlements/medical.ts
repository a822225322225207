/** Medical insurance entitlements (003 §9): the premium subsidy and out-of-pocket aid. */
import type { Evaluation } from "../evaluation.js";
import { memberReadings } from "../observed.js";
import { REF, type EntitlementContext, type MemberCase, type Rules } from "./common.js";

/** A member's medical-insurance entitlements. */
export function medicalForMember(ev: Evaluation, x: EntitlementContext, c: MemberCase, { give, decide }: Rules): void {
  const { P } = ev;
  const { m, t, id } = c;
  // --- medical insurance
  if (t !== "MONITORED") {
    // 003 §9: tier 1 by tier (TEKUN 100 %, DIBAO 90 %, others 70 %); a member who chose tier 2 is subsidised
    // at MEDICAL_PREMIUM_SUBSIDY_TIER2 (100 %) of the tier-1 personal premium, whatever the tier
    const key = t === "TEKUN" ? "MEDICAL_PREMIUM_SUBSIDY_TEKUN" : t === "DIBAO" ? "MEDICAL_PREMIUM_SUBSIDY_DIBAO" : "MEDICAL_PREMIUM_SUBSIDY_MARGINAL";
    const tier1 = P.value(key);
    const enrolled = memberReadings.insuranceTier(m);
    let ratio: number | null = null;
    const outcome = ev.rule("ENT_MEDICAL_PREMIUM", REF.MEDICAL, id, [enrolled], [P.input(key), P.input("MEDICAL_PREMIUM_SUBSIDY_TIER2")], () => {
      if (enrolled.known && enrolled.value === 2) {
        ratio = P.value("MEDICAL_PREMIUM_SUBSIDY_TIER2");
        return { outcome: "PASS", explanation: `${t} enrolled in tier 2: subsidised at ${ratio} of the tier-1 personal premium (003 §9)` };
      }
      ratio = tier1;
      return { outcome: "PASS", explanation: `${t}: tier-1 premium subsidised at ${tier1}` };
    });
    if (outcome === "PASS") give("MEDICAL_PREMIUM_SUBSIDY", "medical_insurance", id, "ENT_MEDICAL_PREMIUM", REF.MEDICAL, { ratio });
    else
      give("MEDICAL_PREMIUM_SUBSIDY", "medical_insurance", id, "ENT_MEDICAL_PREMIUM", REF.MEDICAL, {
        ratio: null,
        unverified: ["the member's residents' medical insurance tier (tier 1 or 2 decides the ratio): the medical-insurance record is unavailable or stale"],
      });
  }
  {
    const key = t === "TEKUN" || t === "DIBAO" ? "MEDICAL_OOP_AID_RATIO_DIBAO_TEKUN" : "MEDICAL_OOP_AID_RATIO_MARGINAL";
    const ratio = P.value(key);
    const oop = memberReadings.outOfPocketFen(m);
    decide(
      "ENT_MEDICAL_OUT_OF_POCKET",
      REF.MEDICAL,
      id,
      [oop],
      [P.input(key)],
      () =>
        oop.known && oop.value > 0
          ? { pass: true, explanation: `${t}: ${ratio} of in-policy out-of-pocket spending ${oop.value} fen = ${Math.round(oop.value * ratio)} fen` }
          : { pass: false, explanation: "no in-policy out-of-pocket spending this year" },
      () => oop.known && give("MEDICAL_OUT_OF_POCKET_AID", "medical_insurance", id, "ENT_MEDICAL_OUT_OF_POCKET", REF.MEDICAL, { ratio, amountFen: Math.round(oop.value * ratio) }),
    );
  }
}

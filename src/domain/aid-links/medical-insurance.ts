/** A member's medical-insurance aid (the settlement year's record) as links: the premium subsidy and medical aid. */
import type { MemberFacts } from "../facts.js";
import { settlementPeriod, yearPeriod } from "../periods.js";
import { base, memberLinkBase, type AidLink } from "./link.js";

export function medicalInsuranceLinks(m: MemberFacts, districtCode: string): AidLink[] {
  if (!m.medicalInsurance.ok || !m.medicalInsurance.value) return [];
  const out: AidLink[] = [];
  const { key, common } = memberLinkBase(m, districtCode);
  const r = m.medicalInsurance.value;
  const year = yearPeriod(r.year);
  if (r.premiumSubsidyFen > 0) {
    out.push(
      base({
        ...common,
        id: `medicalInsurance:${key}:MEDICAL_PREMIUM_SUBSIDY:${r.year}`,
        department: "medical_insurance",
        program: "MEDICAL_PREMIUM_SUBSIDY",
        purpose: "MEDICAL_PREMIUM",
        period: year,
        periodBasis: "SETTLEMENT_YEAR",
        amountFen: r.premiumSubsidyFen,
        ratio: r.premiumSubsidyRatio,
        status: "PAID",
        source: "medicalInsurance",
        sourceRecordId: key,
        asOf: r.asOf,
      }),
    );
  }
  if (r.medicalAidPaidFen > 0) {
    out.push(
      base({
        ...common,
        id: `medicalInsurance:${key}:MEDICAL_AID:${r.year}`,
        department: "medical_insurance",
        program: "MEDICAL_AID",
        purpose: "MEDICAL_EXPENSE",
        period: settlementPeriod(r.year, r.asOf),
        periodBasis: "SETTLEMENT_YEAR",
        amountFen: r.medicalAidPaidFen,
        basisFen: r.outOfPocketFen,
        status: "PAID",
        source: "medicalInsurance",
        sourceRecordId: key,
        asOf: r.asOf,
      }),
    );
  }
  return out;
}

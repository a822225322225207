/** A member's education aid (the education system's record) as links: one per item and term. */
import type { MemberFacts } from "../facts.js";
import { standingPeriod, termPeriod } from "../periods.js";
import { base, memberLinkBase, type AidLink, type AidPurpose } from "./link.js";

const EDUCATION_PURPOSE: Readonly<Record<string, AidPurpose>> = {
  FEE_WAIVER: "EDUCATION_FEES",
  NATIONAL_GRANT: "EDUCATION_LIVING",
  LIVING_SUBSIDY: "EDUCATION_LIVING",
  NUTRITION_LUNCH: "EDUCATION_LIVING",
  FREE_TEXTBOOKS: "EDUCATION_TEXTBOOKS",
  STUDENT_LOAN: "EDUCATION_LOAN",
};

export function educationLinks(m: MemberFacts, districtCode: string): AidLink[] {
  if (!m.education.ok || !m.education.value) return [];
  const out: AidLink[] = [];
  const { key, common } = memberLinkBase(m, districtCode);
  const r = m.education.value;
  for (const a of r.aid) {
    const term = termPeriod(a.term);
    out.push(
      base({
        ...common,
        id: `education:${key}:EDUCATION_${a.item}:${a.term}`,
        department: "education",
        program: `EDUCATION_${a.item}`,
        purpose: EDUCATION_PURPOSE[a.item] ?? "EDUCATION_LIVING",
        period: term ?? standingPeriod(r.asOf),
        periodBasis: term ? "TERM" : "STANDING",
        amountFen: a.amountFen,
        benefit: a.term,
        status: "PAID",
        source: "education",
        sourceRecordId: key,
        asOf: r.asOf,
      }),
    );
  }
  return out;
}

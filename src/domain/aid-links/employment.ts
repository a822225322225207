/** A member's employment aid (the employment system's record) as links: the dibao employment subsidy, a public-welfare post, trainings. */
import type { MemberFacts } from "../facts.js";
import { dayOf, isoDay } from "../calendar.js";
import { standingPeriod } from "../periods.js";
import { base, memberLinkBase, type AidLink } from "./link.js";

export function employmentLinks(m: MemberFacts, districtCode: string): AidLink[] {
  if (!m.employment.ok || !m.employment.value) return [];
  const out: AidLink[] = [];
  const { key, common } = memberLinkBase(m, districtCode);
  const r = m.employment.value;
  const s = r.dibaoEmploymentSubsidy;
  if (s) {
    out.push(
      base({
        ...common,
        id: `employment:${key}:DIBAO_EMPLOYMENT_SUBSIDY:${isoDay(s.from)}`,
        department: "employment",
        program: "DIBAO_EMPLOYMENT_SUBSIDY",
        purpose: "EMPLOYMENT_SUBSIDY",
        period: { start: dayOf(s.from), end: dayOf(s.to) },
        periodBasis: "RECORD",
        amountFen: s.monthlyFen,
        monthly: true,
        status: dayOf(s.to) < dayOf(r.asOf) ? "ENDED" : "ACTIVE",
        source: "employment",
        sourceRecordId: key,
        asOf: r.asOf,
      }),
    );
  }
  if (r.publicWelfarePost) {
    out.push(
      base({
        ...common,
        id: `employment:${key}:PUBLIC_WELFARE_POST`,
        department: "employment",
        program: "PUBLIC_WELFARE_POST",
        purpose: "EMPLOYMENT_POST",
        period: standingPeriod(r.asOf),
        periodBasis: "STANDING",
        benefit: "public-welfare post",
        status: "ACTIVE",
        source: "employment",
        sourceRecordId: key,
        asOf: r.asOf,
      }),
    );
  }
  r.trainings.forEach((t, i) =>
    out.push(
      base({
        ...common,
        id: `employment:${key}:TRAINING:${isoDay(t.completedOn)}:${i}`,
        department: "employment",
        program: "TRAINING",
        purpose: "EMPLOYMENT_TRAINING",
        period: { start: dayOf(t.completedOn), end: dayOf(t.completedOn) },
        periodBasis: "DAY",
        benefit: t.course,
        status: "COMPLETED",
        source: "employment",
        sourceRecordId: key,
        asOf: r.asOf,
      }),
    ),
  );
  return out;
}

/** A member's disability aid (the federation's certificate record) as links: living and nursing subsidies, rehabilitation items. */
import type { MemberFacts } from "../facts.js";
import { standingPeriod } from "../periods.js";
import { base, memberLinkBase, type AidLink, type LinkStatus } from "./link.js";

export function disabilityLinks(m: MemberFacts, districtCode: string): AidLink[] {
  if (!m.disability.ok || !m.disability.value) return [];
  const out: AidLink[] = [];
  const { common } = memberLinkBase(m, districtCode);
  const r = m.disability.value;
  const status: LinkStatus = r.certificateStatus === "VALID" ? "ACTIVE" : "ENDED";
  const standing = { period: standingPeriod(r.asOf), periodBasis: "STANDING" as const, source: "disability" as const, sourceRecordId: r.certificateNo, asOf: r.asOf, status };
  if (r.livingSubsidyFen > 0) {
    out.push(
      base({
        ...common,
        ...standing,
        id: `disability:${r.certificateNo}:DISABILITY_LIVING_SUBSIDY`,
        department: "disability",
        program: "DISABILITY_LIVING_SUBSIDY",
        purpose: "DISABILITY_LIVING",
        amountFen: r.livingSubsidyFen,
        monthly: true,
      }),
    );
  }
  if (r.nursingSubsidyFen > 0) {
    out.push(
      base({
        ...common,
        ...standing,
        id: `disability:${r.certificateNo}:DISABILITY_NURSING_SUBSIDY`,
        department: "disability",
        program: "DISABILITY_NURSING_SUBSIDY",
        purpose: "NURSING_CARE",
        amountFen: r.nursingSubsidyFen,
        monthly: true,
      }),
    );
  }
  for (const item of r.rehabilitation) {
    out.push(
      base({
        ...common,
        ...standing,
        id: `disability:${r.certificateNo}:REHAB_${item}`,
        department: "disability",
        program: `REHAB_${item}`,
        purpose: "REHABILITATION",
        benefit: item,
      }),
    );
  }
  return out;
}

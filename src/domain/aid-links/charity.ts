import type { HouseholdFacts } from "../facts.js";
import { dayOf } from "../calendar.js";
import { base, type AidLink } from "./link.js";

/**
 * Partner charities' deliveries (claims recorded as delivered): one link each, on the delivery day. A budget
 * resource (unit FEN) gives an amount; an item resource a benefit in kind with its count. Charity help comes on
 * top of public aid: it never fills an entitlement's gap and is never a duplicate (purpose CHARITY_HELP).
 */
export function charityLinks(facts: HouseholdFacts): AidLink[] {
  return (facts.charityDeliveries ?? []).map((d) => {
    const day = dayOf(d.deliveredAt);
    return base({
      id: `charity:${d.claimId}:${d.category}`,
      department: "charity",
      program: d.category,
      purpose: "CHARITY_HELP",
      personId: d.personId,
      period: { start: day, end: day },
      periodBasis: "DAY",
      amountFen: d.unit === "FEN" ? d.units : null,
      benefit: d.unit === "FEN" ? `${d.benefit} (${d.charityName})` : `${d.benefit} × ${d.units} (${d.charityName})`,
      status: "COMPLETED",
      source: "charity",
      sourceRecordId: d.claimId,
      districtCode: facts.districtCode,
      asOf: d.deliveredAt,
    });
  });
}

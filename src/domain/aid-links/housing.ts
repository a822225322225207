/** The housing system's benefits of the household as links. */
import type { HouseholdFacts } from "../facts.js";
import { dayOf, isoDay } from "../calendar.js";
import { base, type AidLink } from "./link.js";

export function housingLinks(facts: HouseholdFacts, asOf: Date): AidLink[] {
  if (!facts.housing.ok || !facts.housing.value) return [];
  const r = facts.housing.value;
  return r.benefits.map((b, i) => {
    const start = dayOf(b.startDate);
    const open = b.endDate === null;
    // an open benefit runs until the evaluation date (or its start, if it starts later)
    const end = open ? (dayOf(asOf).getTime() > start.getTime() ? dayOf(asOf) : start) : dayOf(b.endDate as Date);
    const rent = b.type !== "DILAPIDATED_RENOVATION";
    return base({
      id: `housing:${r.registryNo}:${b.type}:${isoDay(start)}:${i}`,
      department: "housing",
      program: b.type,
      purpose: rent ? "HOUSING" : "HOUSE_RENOVATION",
      personId: null,
      period: { start, end },
      periodBasis: open ? "OPEN_ENDED" : "RECORD",
      amountFen: rent ? b.monthlySubsidyFen : b.grantFen,
      monthly: rent,
      benefit: b.type === "PUBLIC_RENTAL" ? "public rental housing" : null,
      basisFen: rent ? b.monthlyRentFen : null,
      status: b.status,
      source: "housing",
      sourceRecordId: r.registryNo,
      districtCode: facts.districtCode,
      asOf: r.asOf,
    });
  });
}

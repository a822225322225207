/** Civil affairs' own payments (the registry's aid records) as links. */
import type { AidRecordFact, HouseholdFacts } from "../facts.js";
import { dayOf } from "../calendar.js";
import { base, type AidLink, type AidPurpose } from "./link.js";

const REGISTRY_PURPOSE: Readonly<Record<AidRecordFact["program"], AidPurpose>> = {
  DIBAO_PAYMENT: "BASIC_LIVING",
  TEKUN_SUPPORT: "BASIC_LIVING",
  TEKUN_CARE_SUBSIDY: "NURSING_CARE",
  TEMPORARY_AID_EMERGENCY: "EMERGENCY",
  TEMPORARY_AID_EXPENDITURE: "MEDICAL_EXPENSE",
  ONE_TIME_SUBSIDY: "ONE_TIME_LIVING",
  FUNERAL_AID: "FUNERAL",
};

/**
 * One civil-affairs payment as a link. `districtCode` is the household's (a record naming another paying district
 * keeps its own); `unpaidAsOf` stands for the record's date while it is not paid yet.
 */
export function registryLink(
  r: Pick<AidRecordFact, "id" | "personId" | "program" | "amountFen" | "periodStart" | "periodEnd" | "paidAt" | "districtCode">,
  districtCode: string,
  unpaidAsOf: Date,
): AidLink {
  return base({
    id: `registry:${r.id}:${r.program}`,
    department: "civil_affairs",
    program: r.program,
    purpose: REGISTRY_PURPOSE[r.program],
    personId: r.personId,
    period: { start: dayOf(r.periodStart), end: dayOf(r.periodEnd) },
    periodBasis: "RECORD",
    amountFen: r.amountFen,
    status: r.paidAt ? "PAID" : "PENDING",
    source: "registry",
    sourceRecordId: r.id,
    districtCode: r.districtCode ?? districtCode,
    asOf: r.paidAt ?? unpaidAsOf,
  });
}

export function registryLinks(facts: HouseholdFacts): AidLink[] {
  return facts.aidRecords.map((r) => registryLink(r, facts.districtCode, facts.registry.asOf));
}

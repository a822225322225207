/**
 * Every link of a household (src/domain/aid-chain.ts): the registry's payments, then each member's from
 * the department systems (education, employment, medical insurance, disability — one file each), then
 * housing, then charities' deliveries.
 */
import type { HouseholdFacts, MemberFacts } from "../facts.js";
import { charityLinks } from "./charity.js";
import { disabilityLinks } from "./disability.js";
import { educationLinks } from "./education.js";
import { employmentLinks } from "./employment.js";
import { housingLinks } from "./housing.js";
import type { AidLink } from "./link.js";
import { medicalInsuranceLinks } from "./medical-insurance.js";
import { registryLinks } from "./registry.js";

export { PURPOSE_COMBINATION, type AidLink, type AidPurpose, type LinkStatus, type PeriodBasis } from "./link.js";
export { registryLink } from "./registry.js";
export { charityLinks } from "./charity.js";

/** A member's links from the department systems, in a fixed order of sources. */
function memberLinks(m: MemberFacts, districtCode: string): AidLink[] {
  return [...educationLinks(m, districtCode), ...employmentLinks(m, districtCode), ...medicalInsuranceLinks(m, districtCode), ...disabilityLinks(m, districtCode)];
}

/** Every link of the household, registry first, then per member, then housing, then charities' deliveries. */
export function aidLinks(facts: HouseholdFacts, asOf: Date): AidLink[] {
  return [
    ...registryLinks(facts),
    ...facts.members.flatMap((m) => memberLinks(m, facts.districtCode)),
    ...housingLinks(facts, asOf),
    ...charityLinks(facts),
  ];
}

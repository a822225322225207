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
  return [
    ...sourceLinks(m, m.education, districtCode, educationLinks),
    ...sourceLinks(m, m.employment, districtCode, employmentLinks),
    ...sourceLinks(m, m.medicalInsurance, districtCode, medicalInsuranceLinks),
    ...sourceLinks(m, m.disability, districtCode, disabilityLinks),
  ];
}

/**
 * One source's links of a member: a function of that record, the member's keys and the district only (the files of
 * this folder read nothing else), so they are made once per record object and reused — a monitoring run evaluates
 * the same records once per audience view (src/features/monitoring/evaluate.ts). Links are never modified after
 * they are made; the memo holds them only as long as the record object lives.
 */
const made = new WeakMap<object, { idNumber: string | null; personId: string; districtCode: string; links: AidLink[] }>();
function sourceLinks(m: MemberFacts, fetched: MemberFacts["education"] | MemberFacts["employment"] | MemberFacts["medicalInsurance"] | MemberFacts["disability"], districtCode: string, make: (m: MemberFacts, districtCode: string) => AidLink[]): AidLink[] {
  if (!fetched.ok || !fetched.value) return make(m, districtCode);
  const hit = made.get(fetched);
  if (hit && hit.idNumber === (m.idNumber ?? null) && hit.personId === m.personId && hit.districtCode === districtCode) return hit.links;
  const links = make(m, districtCode);
  made.set(fetched, { idNumber: m.idNumber ?? null, personId: m.personId, districtCode, links });
  return links;
}

/**
 * The household's registry, housing and charity links, made once per record object the same way (the registry's
 * links are a function of its aid records, the district and the registry's date; housing's of its record and the
 * evaluation instant; charities' of their deliveries) and reused across the audience views of a run.
 */
const madeFor = new WeakMap<object, { districtCode: string; at: number; links: AidLink[] }>();
function householdPart(key: object | undefined, districtCode: string, at: number, make: () => AidLink[]): AidLink[] {
  if (!key) return make();
  const hit = madeFor.get(key);
  if (hit && hit.districtCode === districtCode && hit.at === at) return hit.links;
  const links = make();
  madeFor.set(key, { districtCode, at, links });
  return links;
}

/** Every link of the household, registry first, then per member, then housing, then charities' deliveries. */
export function aidLinks(facts: HouseholdFacts, asOf: Date): AidLink[] {
  const housing = facts.housing.ok && facts.housing.value ? facts.housing : undefined;
  return [
    ...householdPart(facts.aidRecords, facts.districtCode, facts.registry.asOf.getTime(), () => registryLinks(facts)),
    ...facts.members.flatMap((m) => memberLinks(m, facts.districtCode)),
    ...householdPart(housing, facts.districtCode, asOf.getTime(), () => housingLinks(facts, asOf)),
    ...householdPart(facts.charityDeliveries, facts.districtCode, 0, () => charityLinks(facts)),
  ];
}

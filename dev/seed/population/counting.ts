/** The counting rule of assisted persons (see the header of ../generator.ts). */
import { isWorkingAge } from "../../../src/domain/age.js";
import type { IsoDate, SynthHousehold, SynthPerson } from "../model.js";
import { ageOn } from "./dates.js";

export type AssistedTier = "DIBAO" | "TEKUN" | "OTHER";

/** The tier under which member `personIndex` counts as assisted, or null. See the header comment. */
export function assistedTier(h: Pick<SynthHousehold, "cases">, personIndex: number): AssistedTier | null {
  let household: AssistedTier | null = null;
  for (const c of h.cases) {
    if (c.status !== "ACTIVE" && c.status !== "GRADUAL_EXIT") continue;
    if (c.tier !== "DIBAO" && c.tier !== "TEKUN" && c.tier !== "OTHER") continue;
    if (c.personIndex === personIndex) return c.tier;
    if (c.personIndex === null && household === null) household = c.tier;
  }
  return household;
}

/** Working age (劳动年龄): the domain's rule (src/domain/age.ts). */
export { isWorkingAge };

/** Priority groups inside dibao (000 二(一), 001 (1)): disabled, seriously ill, aged 70+, pre-school children, students. */
export function isPriorityMember(p: SynthPerson, asOf: IsoDate): boolean {
  const age = ageOn(p.birthDate, asOf);
  return (
    p.facts.disability !== null ||
    p.facts.seriousIllness !== null ||
    age >= 70 ||
    age < 6 ||
    (p.facts.school !== null && p.facts.school.stage !== "PRESCHOOL")
  );
}

/** The disabled persons' federation's entitlements (002 #10, #23, 003 §16). */
import type { Evaluation } from "../evaluation.js";
import type { EligibilityTier, EntitlementKind } from "../facts.js";
import { memberReadings } from "../observed.js";
import { REF, type EntitlementContext, type MemberCase, type Rules } from "./common.js";

/** A member's disability entitlements (a valid certificate). */
export function disabilityForMember(ev: Evaluation, x: EntitlementContext, c: MemberCase, { give, decide }: Rules): void {
  const { m, t, age, id } = c;
  // --- disabled persons' federation
  {
    const grade = memberReadings.validCertificateGrade(m);
    decide(
      "ENT_DISABILITY",
      REF.DISABILITY,
      id,
      [grade],
      [ev.reg("age", age)],
      () => {
        if (!grade.known || grade.value === null) return { pass: false, explanation: "no valid disability certificate" };
        const k = disabilityKinds(t, grade.value, age);
        return k.length > 0 ? { pass: true, explanation: `grade ${grade.value} certificate, ${t}: ${k.join(", ")}` } : { pass: false, explanation: `grade ${grade.value}, ${t}: no subsidy` };
      },
      () => {
        if (grade.known && grade.value !== null) for (const k of disabilityKinds(t, grade.value, age)) give(k, "disability", id, "ENT_DISABILITY", REF.DISABILITY);
      },
    );
  }
}

function disabilityKinds(t: EligibilityTier, grade: number, age: number): EntitlementKind[] {
  const k: EntitlementKind[] = [];
  if (t === "DIBAO" || t === "TEKUN" || t === "DIBAO_MARGINAL") k.push("DISABILITY_LIVING_SUBSIDY");
  if (grade <= 2 && t !== "TEKUN") k.push("DISABILITY_NURSING_SUBSIDY");
  if (age < 18) k.push("CHILD_REHABILITATION");
  return k;
}

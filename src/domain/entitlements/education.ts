/** Education entitlements by stage (002 #8–10, 003 §10). */
import type { Evaluation } from "../evaluation.js";
import type { EntitlementKind } from "../facts.js";
import { memberReadings } from "../observed.js";
import { REF, type EntitlementContext, type MemberCase, type Rules } from "./common.js";

/** A student member's education entitlements. */
export function educationForMember(ev: Evaluation, x: EntitlementContext, c: MemberCase, { give, decide }: Rules): void {
  const { P } = ev;
  const { m, t, id } = c;
  // --- education, by stage
  // 003 §10: students of DIBAO, TEKUN, marginal, rigid-expenditure and other economically hard-up households
  // (其他经济困难家庭对象: the registered special-hardship OTHER tier); stages per 002 #8
  if (t === "DIBAO" || t === "TEKUN" || t === "DIBAO_MARGINAL" || t === "RIGID_EXPENDITURE" || t === "OTHER") {
    const core = t === "DIBAO" || t === "TEKUN";
    const stage = memberReadings.studentStage(m);
    const textbooks = core ? P.optional("EDUCATION_FREE_TEXTBOOKS_SENIOR") : null;
    const kinds = (s: string | null): EntitlementKind[] => {
      switch (s) {
        case "PRESCHOOL":
          return ["EDUCATION_FEE_WAIVER", "EDUCATION_LIVING_SUBSIDY"];
        case "PRIMARY":
        case "JUNIOR":
          return ["EDUCATION_LIVING_SUBSIDY"];
        case "SENIOR":
          return ["EDUCATION_FEE_WAIVER", "EDUCATION_NATIONAL_GRANT", ...(textbooks ? (["EDUCATION_FREE_TEXTBOOKS"] as const) : [])];
        case "VOCATIONAL":
          return ["EDUCATION_FEE_WAIVER", "EDUCATION_NATIONAL_GRANT"];
        case "HIGHER":
          // 002 #8: 在高等教育阶段实施国家助学贷款资助; 003 §10 助学贷款 for every included tier
          return ["EDUCATION_STUDENT_LOAN"];
        default:
          return [];
      }
    };
    decide(
      "ENT_EDUCATION",
      REF.EDUCATION,
      id,
      [stage],
      textbooks ? [P.input("EDUCATION_FREE_TEXTBOOKS_SENIOR")] : [],
      () => {
        const k = kinds(stage.known ? stage.value : null);
        return k.length > 0
          ? { pass: true, explanation: `${core ? "dibao/TEKUN" : t === "RIGID_EXPENDITURE" ? "rigid-expenditure" : t === "OTHER" ? "special-hardship (OTHER)" : "marginal"} student at ${stage.known ? stage.value : "?"}: ${k.join(", ")}` }
          : { pass: false, explanation: stage.known && stage.value ? `no stage aid for a ${t} student at ${stage.value}` : "not a student" };
      },
      () => {
        for (const k of kinds(stage.known ? stage.value : null)) give(k, "education", id, "ENT_EDUCATION", REF.EDUCATION);
      },
    );
  }
}

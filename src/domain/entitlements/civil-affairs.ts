/** Civil affairs' entitlements: the dibao payment (household or one-person), TEKUN support and care subsidy, one-time subsidies, the classified supplement. */
import type { Evaluation } from "../evaluation.js";
import { BASIS, memberReadings } from "../observed.js";
import { REF, type EntitlementContext, type Give, type MemberCase, type Rules } from "./common.js";

/** The household's dibao payment (per person for single-person inclusion: see civilAffairsForMember). */
export function householdDibao(ev: Evaluation, x: EntitlementContext, give: Give): void {
  const { facts, P } = ev;
if (x.tier === "DIBAO") {
  const n = facts.members.length;
  const c = x.gradualExit;
  if (c) {
    ev.note(() => ({
      rule: "ENT_DIBAO_PAYMENT",
      reference: REF.DIBAO,
      outcome: "PASS",
      explanation: `gradual exit: dibao continues at the former amount${c.monthlyFen === null ? " (not recorded)" : ` ${c.monthlyFen} fen`} until the grace period ends`,
      personId: null,
      inputs: [ev.reg("dibao case monthly amount (fen)", c.monthlyFen ?? "none", BASIS.CASE_AMOUNT)],
    }));
    give("DIBAO_PAYMENT", "civil_affairs", null, "ENT_DIBAO_PAYMENT", REF.DIBAO, { amountFen: c.monthlyFen, monthly: true });
  } else {
    const gap = Math.max(0, x.standard * n - x.total);
    ev.note(() => ({
      rule: "ENT_DIBAO_PAYMENT",
      reference: REF.DIBAO,
      outcome: "PASS",
      explanation: `standard ${x.standard} fen × ${n} members − income ${x.total} fen = ${gap} fen per month (before classified supplements)`,
      personId: null,
      inputs: [P.input(x.standardKey), ev.reg("registered members", n), ev.reg("household monthly income (fen)", x.total, BASIS.INCOMES)],
    }));
    give("DIBAO_PAYMENT", "civil_affairs", null, "ENT_DIBAO_PAYMENT", REF.DIBAO, { amountFen: gap, monthly: true });
  }
}
}

/** A member's civil-affairs entitlements: one-person dibao, TEKUN support and care, one-time subsidy, classified supplement. */
export function civilAffairsForMember(ev: Evaluation, x: EntitlementContext, c: MemberCase, { give, decide }: Rules): void {
  const { facts, P } = ev;
  const { m, t, age, id } = c;
  if (t === "DIBAO" && x.tier !== "DIBAO") {
    const own = facts.incomes.filter((i) => i.personId === id && x.incomes.includes(i)).reduce((s, i) => s + i.monthlyFen, 0);
    const gap = Math.max(0, x.standard - own);
    ev.note(() => ({
      rule: "ENT_DIBAO_PAYMENT",
      reference: REF.DIBAO,
      outcome: "PASS",
      explanation: `one-person dibao: standard ${x.standard} fen − own income ${own} fen = ${gap} fen per month`,
      personId: id,
      inputs: [P.input(x.standardKey), ev.reg("own monthly income (fen)", own, BASIS.INCOMES)],
    }));
    give("DIBAO_PAYMENT", "civil_affairs", id, "ENT_DIBAO_PAYMENT", REF.DIBAO, { amountFen: gap, monthly: true });
  }

  // --- civil affairs: TEKUN support and care subsidy
  if (t === "TEKUN") {
    const ratio = P.value("TEKUN_BASIC_LIVING_RATIO");
    const basic = Math.round((x.standard * ratio) / 100) * 100;
    const careKey = `TEKUN_CARE_SUBSIDY_${m.selfCare}`;
    const care = P.value(careKey);
    ev.note(() => ({
      rule: "ENT_TEKUN_SUPPORT",
      reference: REF.TEKUN,
      outcome: "PASS",
      explanation: `basic living ${ratio} × ${x.standard} = ${basic} fen per month; care subsidy for self-care ${m.selfCare}: ${care} fen per month`,
      personId: id,
      inputs: [P.input(x.standardKey), P.input("TEKUN_BASIC_LIVING_RATIO"), ev.reg("self-care", m.selfCare), P.input(careKey)],
    }));
    give("TEKUN_SUPPORT", "civil_affairs", id, "ENT_TEKUN_SUPPORT", REF.TEKUN, { amountFen: basic, monthly: true });
    give("TEKUN_CARE_SUBSIDY", "civil_affairs", id, "ENT_TEKUN_CARE_SUBSIDY", REF.TEKUN, { amountFen: care, monthly: true });
  }

  // --- civil affairs: one-time subsidy, while a program is in force
  if (t === "DIBAO" || t === "TEKUN") {
    const key = t === "TEKUN" ? "ONE_TIME_SUBSIDY_TEKUN" : facts.hukou === "URBAN" ? "ONE_TIME_SUBSIDY_URBAN_DIBAO" : "ONE_TIME_SUBSIDY_RURAL_DIBAO";
    const p = P.optional(key);
    if (p) {
      ev.note(() => ({ rule: "ENT_ONE_TIME_SUBSIDY", reference: REF.ONE_TIME, outcome: "PASS", explanation: `${key} in force: ${p.value} fen`, personId: id, inputs: [P.input(key)] }));
      give("ONE_TIME_SUBSIDY", "civil_affairs", id, "ENT_ONE_TIME_SUBSIDY", REF.ONE_TIME, { amountFen: p.value });
    }
  }

  // --- civil affairs: classified supplement for priority members (not during gradual exit: the former amount continues)
  if (t === "DIBAO" && !(x.tier === "DIBAO" && x.gradualExit)) {
    const grade = memberReadings.disabilityGrade(m);
    const disease = memberReadings.seriousDisease(m);
    const stage = memberReadings.studentStage(m);
    const byAge = age >= 70 || age < 6;
    const positive = (grade.known && grade.value !== null) || (disease.known && disease.value !== null) || (stage.known && stage.value !== null && stage.value !== "PRESCHOOL");
    const settled = byAge || positive;
    const ratio = P.value("DIBAO_CLASSIFIED_SUPPLEMENT_RATIO");
    const amount = Math.round(x.standard * ratio);
    decide(
      "ENT_CLASSIFIED_SUPPLEMENT",
      REF.SUPPLEMENT,
      id,
      settled ? [] : [grade, disease, stage],
      [ev.reg("age", age), ...(settled ? [grade.input, disease.input, stage.input] : []), P.input("DIBAO_CLASSIFIED_SUPPLEMENT_RATIO")],
      () => {
        const why = [
          age >= 70 ? "aged 70+" : null,
          age < 6 ? "pre-school age" : null,
          grade.known && grade.value !== null ? "disabled" : null,
          disease.known && disease.value !== null ? "seriously ill" : null,
          stage.known && stage.value !== null && stage.value !== "PRESCHOOL" ? "a student" : null,
        ].filter((w): w is string => w !== null);
        return why.length > 0
          ? { pass: true, explanation: `priority member (${why.join(", ")}): ${ratio} × ${x.standard} = ${amount} fen per month` }
          : { pass: false, explanation: "not a priority member (disabled, seriously ill, 70+, pre-school, student)" };
      },
      () => give("DIBAO_CLASSIFIED_SUPPLEMENT", "civil_affairs", id, "ENT_CLASSIFIED_SUPPLEMENT", REF.SUPPLEMENT, { amountFen: amount, monthly: true }),
    );
  }
}

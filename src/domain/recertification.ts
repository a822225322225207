/**
 * What follows from a tier in time (DOMAIN.md §1): the dibao class A/B, the next re-certification
 * (002 #4) and, for a household no longer eligible, how long it stays in the monitoring database
 * (003 §5). Pure; called by evaluateEligibility with its evaluation state.
 */
import { isWorkingAge } from "./age.js";
import { addMonths, isoDay } from "./calendar.js";
import type { EligibilityTier, MemberFacts, PersonEligibility, RuleInput, TierClass } from "./facts.js";
import { BASIS, memberReadings } from "./observed.js";
import { type Evaluation, REF, caseInForce } from "./evaluation.js";

/** DOMAIN §1 dibao A-class: no covered member of working age able to work fully (students excepted). TEKUN: the case's support form. */
export function classOf(ev: Evaluation, tier: EligibilityTier): TierClass | null {
  const { facts, day } = ev;
  if (tier === "TEKUN") {
    const c = facts.cases.find((x) => x.tier === "TEKUN" && x.personId === null && caseInForce(x, day));
    return c?.tierClass ?? null;
  }
  if (tier !== "DIBAO") return null;
  const able = facts.members.filter((m) => m.workAbility === "FULL" && isWorkingAge(m.sex, ev.age(m)));
  const students = able.map((m) => memberReadings.studentStage(m));
  let klass: TierClass | null = null;
  ev.rule("DIBAO_CLASS", REF.CLASS, null, students, [ev.reg("working-age members able to work fully", able.length)], () => {
    const workers = students.filter((s) => s.known && s.value === null).length;
    klass = workers > 0 ? "DIBAO_B" : "DIBAO_A";
    return {
      outcome: "PASS",
      explanation: workers > 0 ? `${workers} working-age member(s) able to work fully and not in school: class B` : "nobody of working age able to work fully (students excepted): class A",
    };
  });
  return klass;
}

export interface Recertification {
  /** the next re-certification due: in the past when overdue */
  next: Date | null;
  /** the registry's next review date passed without a review (the date was not moved on) */
  overdue: boolean;
}

/**
 * The next re-certification (002 #4). Where the registry case records its next review date, that date is
 * the due date — a review moves it on, so a date in the past means the review is overdue and is shown as
 * it is (not rolled forward to the next cycle). Without a recorded date: every REVIEW_MONTHS_* from the
 * case start (or the evaluation day), the first cycle date after the evaluation day.
 */
export function recertification(ev: Evaluation, tier: EligibilityTier, persons: PersonEligibility[], graceEnds: Date | null): Recertification {
  const { facts, day, P } = ev;
  const units: { tier: EligibilityTier; members: MemberFacts[]; personId: string | null }[] = [];
  if (tier === "DIBAO" || tier === "TEKUN") units.push({ tier, members: facts.members, personId: null });
  for (const p of persons) {
    if (p.tier === "DIBAO" || p.tier === "TEKUN") units.push({ tier: p.tier, members: facts.members.filter((m) => m.personId === p.personId), personId: p.personId });
  }
  if (units.length === 0) {
    ev.note(() => ({ rule: "RECERTIFICATION", reference: REF.RECERT, outcome: "NOT_APPLICABLE", explanation: `no periodic re-certification for ${tier}`, personId: null, inputs: [] }));
    return { next: null, overdue: false };
  }
  let next: Date | null = null;
  let overdue = false;
  for (const u of units) {
    let due: Date;
    if (u.personId === null && graceEnds && tier === "DIBAO") {
      due = graceEnds;
      ev.note(() => ({ rule: "RECERTIFICATION", reference: REF.RECERT, outcome: "PASS", explanation: `review at the end of the gradual exit, ${isoDay(due)}`, personId: null, inputs: [ev.reg("gradual exit ends", isoDay(due))] }));
    } else {
      const c = facts.cases
        .filter((x) => x.tier === u.tier && (u.personId === null ? x.personId === null : x.personId === u.personId) && caseInForce(x, day))
        .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())[0];
      const able = u.tier === "DIBAO" ? u.members.filter((m) => m.workAbility !== "NONE" && isWorkingAge(m.sex, ev.age(m))) : [];
      const students = able.map((m) => memberReadings.studentStage(m));
      if (c?.nextReviewDate) {
        const recorded = c.nextReviewDate;
        const late = recorded.getTime() < day.getTime();
        overdue ||= late;
        ev.note(() => ({
          rule: "RECERTIFICATION",
          reference: REF.RECERT,
          outcome: late ? "FAIL" : "PASS",
          explanation: late
            ? `overdue: the ${u.tier} case's review was due on ${isoDay(recorded)} and the registry shows none since (the date was not moved on)`
            : `next review as the registry records it: ${isoDay(recorded)}`,
          personId: u.personId,
          inputs: [ev.reg("case next review date", isoDay(recorded)), ev.reg("case start", isoDay(c.startDate))],
        }));
        if (next === null || recorded.getTime() < next.getTime()) next = recorded;
        continue;
      }
      const startInput = ev.reg("case start (last review base)", c ? isoDay(c.startDate) : "no case: from the evaluation day");
      let result: Date = day;
      const outcome = ev.rule("RECERTIFICATION", REF.RECERT, u.personId, [], [startInput, ...students.map((s) => s.input)], () => {
        const unknown = students.some((s) => !s.known);
        const unstable = students.some((s) => !s.known || s.value === null);
        const key = unstable ? "REVIEW_MONTHS_UNSTABLE" : "REVIEW_MONTHS_STABLE";
        const months = P.value(key);
        const from = c ? c.startDate : day;
        let k = 1;
        while (addMonths(from, k * months).getTime() <= day.getTime()) k++;
        result = addMonths(from, k * months);
        return {
          outcome: unknown ? "UNKNOWN" : "PASS",
          explanation: `${unstable ? `unstable income (working-age member(s) able to work${unknown ? "; school records unavailable, assumed not students" : ""})` : "stable"}: every ${months} months from ${isoDay(from)}, next ${isoDay(result)}`,
        };
      });
      if (outcome === "UNKNOWN") for (const s of students) if (!s.known) ev.missing.add(s.source);
      due = result;
    }
    if (next === null || due.getTime() < next.getTime()) next = due;
  }
  return { next, overdue };
}

const RETAINED_TIERS = new Set<EligibilityTier>(["DIBAO", "TEKUN", "DIBAO_MARGINAL", "RIGID_EXPENDITURE"]);

/** What keeps a household in the monitoring database: a day it was refused or left, and the facts that say so. */
interface RetentionBasis {
  on: Date;
  what: string;
  inputs: RuleInput[];
}

/**
 * 003 §5: 将不符合最低生活保障、特困人员救助供养、最低生活保障边缘家庭成员、临时救助条件的申请对象及退出不满两年的对象 …
 * 纳入低收入人口数据库实施动态监测 — applicants refused dibao, TEKUN, marginal status or temporary aid, and households
 * that left assistance (any assisted tier), stay in the monitoring database for MONITORING_RETENTION_YEARS from the
 * refusal or exit, the last day included. The latest such day decides.
 */
function retentionBases(ev: Evaluation): RetentionBasis[] {
  const { facts } = ev;
  const bases: RetentionBasis[] = [];
  for (const c of facts.cases) {
    if ((c.status !== "REJECTED" && c.status !== "TERMINATED") || c.endDate === null || !RETAINED_TIERS.has(c.tier)) continue;
    bases.push({
      on: c.endDate,
      what: c.status === "REJECTED" ? "rejected" : "left assistance",
      inputs: [ev.reg("case status", c.status), ev.reg("case end date", isoDay(c.endDate))],
    });
  }
  for (const a of facts.temporaryAidApplications ?? []) {
    if (a.status !== "REFUSED" || a.decidedOn === null) continue;
    bases.push({
      on: a.decidedOn,
      what: `refused temporary aid (${a.kind})`,
      inputs: [
        ev.reg("temporary aid application status", a.status, BASIS.TEMPORARY_AID),
        ev.reg("temporary aid decision date", isoDay(a.decidedOn), BASIS.TEMPORARY_AID),
        ev.reg("temporary aid kind", a.kind, BASIS.TEMPORARY_AID),
      ],
    });
  }
  return bases;
}

export function monitoringRetention(ev: Evaluation): void {
  const { day, P } = ev;
  const latest = retentionBases(ev).sort((a, b) => b.on.getTime() - a.on.getTime())[0];
  if (!latest) return;
  const years = P.value("MONITORING_RETENTION_YEARS");
  const until = addMonths(latest.on, 12 * years);
  const inside = day.getTime() <= until.getTime();
  ev.note(() => ({
    rule: "MONITORING_RETENTION",
    reference: REF.RETENTION,
    outcome: inside ? "PASS" : "FAIL",
    explanation: inside
      ? `${latest.what} on ${isoDay(latest.on)}: stays in the monitoring database until ${isoDay(until)}`
      : `left the monitoring database on ${isoDay(until)}`,
    personId: null,
    inputs: [...latest.inputs, P.input("MONITORING_RETENTION_YEARS")],
  }));
}

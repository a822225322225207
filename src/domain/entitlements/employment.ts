/** Employment entitlements: employment assistance for zero-employment households, the dibao employment subsidy. */
import { isWorkingAge } from "../age.js";
import { addDays, addMonths, isoDay } from "../calendar.js";
import type { Evaluation } from "../evaluation.js";
import type { MemberFacts } from "../facts.js";
import { BASIS, type Reading, isEmployedStatus, memberReadings } from "../observed.js";
import { REF, type EntitlementContext, type Give } from "./common.js";

export function employment(ev: Evaluation, x: EntitlementContext, give: Give): void {
  const { facts } = ev;
  const eligible = x.tier !== "NOT_ELIGIBLE" || x.persons.some((p) => p.tier !== "NOT_ELIGIBLE");
  if (!eligible) return;
  const statuses = facts.members.map((m) => ({ m, status: memberReadings.employmentStatus(m) }));
  const workingAge = statuses.filter(({ m }) => isWorkingAge(m.sex, ev.age(m)) && m.workAbility !== "NONE");
  const stages = new Map(workingAge.map(({ m }) => [m.personId, memberReadings.studentStage(m)]));
  const employed = statuses.filter(({ status }) => status.known && isEmployedStatus(status.value));
  const readings: Reading<unknown>[] = employed.length > 0 ? [] : [...statuses.map((s) => s.status), ...stages.values()];
  let beneficiaries: MemberFacts[] = [];
  ev.rule(
    "ENT_EMPLOYMENT_ASSISTANCE",
    REF.EMPLOYMENT,
    null,
    readings,
    employed.length > 0 ? [employed[0].status.input] : [],
    () => {
      if (employed.length > 0) return { outcome: "FAIL", explanation: `not a zero-employment household: ${employed.length} member(s) employed` };
      beneficiaries = workingAge
        .filter(({ m, status }) => {
          const stage = stages.get(m.personId)!;
          return status.known && status.value !== "RETIRED" && stage.known && stage.value === null;
        })
        .map(({ m }) => m);
      return beneficiaries.length > 0
        ? { outcome: "PASS", explanation: `zero-employment household: ${beneficiaries.length} working-age member(s) able to work, none employed` }
        : { outcome: "FAIL", explanation: "nobody employed, but no working-age member able to work outside school" };
    },
  );
  for (const m of beneficiaries) give("EMPLOYMENT_ASSISTANCE", "employment", m.personId, "ENT_EMPLOYMENT_ASSISTANCE", REF.EMPLOYMENT);

  dibaoEmploymentSubsidy(ev, x, statuses, give);
}

const EARNINGS = new Set(["WAGES", "BUSINESS", "AGRICULTURE"]);

/**
 * 002 #13 (and 000 二(七)): "对实现就业且正在享受低保待遇的登记失业低保家庭人员，按其家庭当月核减低保金总额，给予不超过1年的
 * 低保就业补贴" — a member of a household on dibao who found work gets, for at most DIBAO_EMPLOYMENT_SUBSIDY_MAX_MONTHS
 * from the job, a subsidy equal to the month's reduction of the household's dibao. Read as:
 * - "正在享受低保待遇": the household is DIBAO on its income (below the standard) with its dibao case in force —
 *   not in gradual exit, where the dibao continues at the former, unreduced amount (nothing reduced, nothing to
 *   make up: never a subsidy on top of an unreduced dibao), and not after it left dibao.
 * - "实现就业": employed or in flexible work (the employment system), with earnings (wages, business, farming)
 *   that began while the dibao case was in force (validFrom on or after the case start) and less than the
 *   maximum months ago.
 * - "核减低保金": the dibao is standard × members − income; the new earnings e lowered it by exactly e while the
 *   household stays below the standard. With several members starting work, each gets the reduction their own
 *   earnings caused, so the household's total reduction is paid once.
 * - "登记失业": the employment system keeps the registration only while unemployed, so it is not re-checked here.
 */
function dibaoEmploymentSubsidy(ev: Evaluation, x: EntitlementContext, statuses: { m: MemberFacts; status: Reading<string | null> }[], give: Give): void {
  const { facts, day, P } = ev;
  if (x.tier !== "DIBAO") return;
  const dibaoCase = facts.cases
    .filter((c) => c.tier === "DIBAO" && c.personId === null && c.status === "ACTIVE" && c.startDate.getTime() <= day.getTime() && (c.endDate === null || c.endDate.getTime() >= day.getTime()))
    .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())[0];
  const maxMonths = P.value("DIBAO_EMPLOYMENT_SUBSIDY_MAX_MONTHS");
  for (const { m, status } of statuses) {
    const earnings = x.incomes.filter((i) => i.personId === m.personId && EARNINGS.has(i.source));
    if (earnings.length === 0) continue;
    const inputs = [
      ev.reg("own monthly earnings (fen)", earnings.reduce((s, i) => s + i.monthlyFen, 0), BASIS.INCOMES),
      ev.reg("earnings since", earnings.map((i) => isoDay(i.validFrom)).join(", "), BASIS.INCOMES),
      ev.reg("dibao case start", dibaoCase ? isoDay(dibaoCase.startDate) : "no ACTIVE dibao case in force"),
      P.input("DIBAO_EMPLOYMENT_SUBSIDY_MAX_MONTHS"),
    ];
    if (x.gradualExit) {
      ev.note(() => ({
        rule: "ENT_DIBAO_EMPLOYMENT_SUBSIDY",
        reference: REF.EMPLOYMENT_SUBSIDY,
        outcome: "FAIL",
        explanation: "gradual exit: the dibao continues at the former amount, nothing is reduced, so there is no reduction to make up",
        personId: m.personId,
        inputs,
      }));
      continue;
    }
    // earnings that began while on dibao, within the maximum months
    const fresh = dibaoCase ? earnings.filter((i) => i.validFrom.getTime() >= dibaoCase.startDate.getTime() && day.getTime() < addMonths(i.validFrom, maxMonths).getTime()) : [];
    const reduction = fresh.reduce((s, i) => s + i.monthlyFen, 0);
    const outcome = ev.rule("ENT_DIBAO_EMPLOYMENT_SUBSIDY", REF.EMPLOYMENT_SUBSIDY, m.personId, [status], inputs, () => {
      if (!(status.known && isEmployedStatus(status.value))) return { outcome: "FAIL", explanation: "has earnings but is not employed or in flexible work" };
      if (!dibaoCase) return { outcome: "FAIL", explanation: "no dibao case in force: not receiving dibao" };
      if (fresh.length === 0) return { outcome: "FAIL", explanation: `no earnings that began during the dibao case (from ${isoDay(dibaoCase.startDate)}) less than ${maxMonths} months ago` };
      const until = addMonths(fresh.reduce((a, i) => (i.validFrom.getTime() < a.getTime() ? i.validFrom : a), fresh[0].validFrom), maxMonths);
      return {
        outcome: "PASS",
        explanation: `found work on ${fresh.map((i) => isoDay(i.validFrom)).join(", ")} while on dibao: this month's dibao reduction, ${reduction} fen (the new earnings), until ${isoDay(addDays(until, -1))}`,
      };
    });
    if (outcome === "PASS") give("DIBAO_EMPLOYMENT_SUBSIDY", "employment", m.personId, "ENT_DIBAO_EMPLOYMENT_SUBSIDY", REF.EMPLOYMENT_SUBSIDY, { amountFen: reduction, monthly: true });
  }
}

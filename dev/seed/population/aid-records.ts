/** The registry's aid records: monthly payments, one-time and temporary aid, payments from a second district or after a death. */
import type { AidProgram } from "../../../src/db/generated/enums.js";
import type { IsoDate, SynthAid } from "../model.js";
import { Rng, hashString } from "../rng.js";
import { addDays, monthEnd, pad2 } from "./dates.js";
import { Gen } from "./state.js";
import { Draft2 } from "./cases.js";

function paidAtOf(month: IsoDate): string {
  return `${month.slice(0, 8)}10T01:30:00.000Z`;
}

interface MonthlyPlan {
  program: AidProgram;
  caseIndex: number;
  personIndex: number | null;
  from: IsoDate; // first paid month (YYYY-MM-01)
  until: IsoDate | null; // last paid month (YYYY-MM-01), inclusive
  amount: (month: IsoDate) => number;
}

export function monthlyAid(g: Gen, registryNo: string, plan: MonthlyPlan, out: SynthAid[]): void {
  for (const m of g.months) {
    if (m < plan.from || (plan.until !== null && m > plan.until)) continue;
    const amount = plan.amount(m);
    if (amount <= 0) continue;
    out.push({
      id: g.rng.uuid(),
      personIndex: plan.personIndex,
      caseIndex: plan.caseIndex,
      program: plan.program,
      amountFen: amount,
      periodStart: m,
      periodEnd: monthEnd(m),
      paidAt: paidAtOf(m),
      idempotencyKey: `${registryNo}:${plan.program}:${m.slice(0, 7)}`,
    });
  }
}

const ONE_TIME_MONTH = "2022-09-01";

/** 004: the 2022 one-time living subsidy, per person covered by a dibao or TEKUN case in force in September 2022. */
export function oneTimeSubsidy(g: Gen, h: Draft2, caseIndex: number, out: SynthAid[]): void {
  const c = h.cases[caseIndex];
  if (g.asOf <= "2022-10-01") return;
  if (c.startDate > "2022-08-31" || (c.endDate !== null && c.endDate < "2022-09-30")) return;
  if (c.status !== "ACTIVE" && c.status !== "GRADUAL_EXIT" && c.status !== "TERMINATED" && c.status !== "SUSPENDED") return;
  const key = c.tier === "TEKUN" ? "ONE_TIME_SUBSIDY_TEKUN" : h.hukou === "URBAN" ? "ONE_TIME_SUBSIDY_URBAN_DIBAO" : "ONE_TIME_SUBSIDY_RURAL_DIBAO";
  const amount = g.param(key, ONE_TIME_MONTH, h.districtCode);
  const covered = c.personIndex !== null ? [c.personIndex] : h.members.map((_, i) => i);
  for (const i of covered) {
    if (h.members[i].birthDate > ONE_TIME_MONTH) continue;
    out.push({
      id: g.rng.uuid(),
      personIndex: i,
      caseIndex,
      program: "ONE_TIME_SUBSIDY",
      amountFen: amount,
      periodStart: ONE_TIME_MONTH,
      periodEnd: "2022-09-30",
      paidAt: "2022-09-20T02:00:00.000Z",
      idempotencyKey: `${h.registryNo}:ONE_TIME_SUBSIDY:2022-09:${i}`,
    });
  }
}

export function temporaryAid(g: Gen, h: Draft2, program: "TEMPORARY_AID_EMERGENCY" | "TEMPORARY_AID_EXPENDITURE", caseIndex: number | null, out: SynthAid[]): void {
  const rng = g.rng;
  const m = rng.pick(g.months);
  // small amounts first (小金额先行); large expenditure-type grants go through a case conference (一事一议)
  const amount = program === "TEMPORARY_AID_EMERGENCY" ? rng.int(5, 30) * 10_000 : rng.weighted([rng.int(20, 100), rng.int(100, 200)], [80, 20]) * 10_000;
  let paidDay = `${m.slice(0, 8)}${pad2(rng.int(1, 27))}`;
  if (paidDay >= g.asOf) paidDay = addDays(g.asOf, -1);
  out.push({
    id: rng.uuid(),
    personIndex: null,
    caseIndex,
    program,
    amountFen: amount,
    periodStart: m,
    periodEnd: monthEnd(m),
    paidAt: `${paidDay}T03:00:00.000Z`,
    idempotencyKey: `${h.registryNo}:${program}:${m.slice(0, 7)}`,
  });
}

/** The district that pays a cross-district duplicate: Bishan, or Yuzhong for a Bishan household. */
const OTHER_PAYING_DISTRICT = (district: string): string => (district === "500120" ? "500103" : "500120");
export const CROSS_DISTRICT_RATE = 1 / 40;

/**
 * Aid paid twice by two districts (the aid chain's CROSS_DISTRICT duplicate, DOMAIN §3–§4): for about
 * 1 in 40 TEKUN persons, another district also paid the latest month's TEKUN_SUPPORT (a person who moved
 * and was not taken off the old district's roll). Chosen by a hash of (seed, registry number), so the
 * generator's random stream — and so every other record — is unchanged.
 */
export function crossDistrictPayment(g: Gen, registryNo: string, district: string, aid: SynthAid[]): void {
  if ((hashString(`${g.seed}|cross-district|${registryNo}`) >>> 0) / 4294967296 >= CROSS_DISTRICT_RATE) return;
  const last = aid.filter((a) => a.program === "TEKUN_SUPPORT").at(-1);
  if (!last) return;
  const paying = OTHER_PAYING_DISTRICT(district);
  aid.push({
    ...last,
    id: new Rng(hashString(`${g.seed}|cross-district-id|${registryNo}`)).uuid(),
    idempotencyKey: `${last.idempotencyKey}:${paying}`,
    districtCode: paying,
  });
}

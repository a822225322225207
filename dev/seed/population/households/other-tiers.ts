/** The other tiers and outcomes: registered special hardship (household or individual), marginal, rigid expenditure, monitored, rejected (income or assets). */
import { Rng, hashString } from "../../rng.js";
import { addDays, addMonths, maxIso } from "../dates.js";
import { allocateIncome, deposits, house, sumIncome } from "../money.js";
import { temporaryAid } from "../aid-records.js";
import { yuan } from "../cases.js";
import { Build } from "../household.js";

/** REGISTERED / REGISTERED_INDIVIDUAL: A registered special-hardship household (特殊困难家庭建档), or one member registered alone. */
export function buildRegistered(b: Build): void {
  const { g, rng, asOf, kind, ctx, members, h, cases, aid, assets, n, incomeFor } = b;
  h.incomes = allocateIncome(g, ctx, members, incomeFor(0.9, 2.5));
  const start = maxIso(addMonths(asOf, -rng.int(1, 90)), "2019-04-12");
  const idx = kind === "REGISTERED_INDIVIDUAL" ? rng.int(0, n - 1) : null;
  cases.push({
    id: rng.uuid(),
    personIndex: idx,
    tier: "OTHER",
    tierClass: null,
    status: "ACTIVE",
    startDate: start < asOf ? start : addMonths(asOf, -1),
    endDate: null,
    nextReviewDate: null,
    monthlyFen: null,
    note: idx === null ? "城市特殊困难家庭建档（001）" : `城市特殊困难人员建档（001）：${members[idx].name}`,
  });
  if (rng.chance(0.04)) temporaryAid(g, h, "TEMPORARY_AID_EMERGENCY", 0, aid);
  assets.push(...deposits(g, ctx, n, [0, 0.5]), ...house(g, ctx, 0.5));
}

/** MARGINAL: A marginal household: income per capita below 1.5× the dibao standard. */
export function buildMarginal(b: Build): void {
  const { g, rng, asOf, ctx, district, members, h, cases, aid, assets, n, incomeFor } = b;
  const multiplier = g.param("MARGINAL_MULTIPLIER", asOf, district);
  h.incomes = allocateIncome(g, ctx, members, incomeFor(1.02, multiplier - 0.03));
  cases.push({ id: rng.uuid(), personIndex: null, tier: "DIBAO_MARGINAL", tierClass: null, status: "ACTIVE", startDate: addMonths(asOf, -rng.int(1, 48)), endDate: null, nextReviewDate: null, monthlyFen: null, note: "低保边缘家庭：人均收入低于低保标准1.5倍（003 §1）" });
  if (rng.chance(0.08)) temporaryAid(g, h, "TEMPORARY_AID_EMERGENCY", 0, aid);
  if (rng.chance(0.05)) assets.push({ id: rng.uuid(), kind: "BUSINESS", valueFen: BigInt(rng.int(5_000, 40_000) * 100), description: rng.pick(["个体工商户（小吃店）", "个体工商户（修理铺）", "个体工商户（杂货店）"]) });
  assets.push(...deposits(g, ctx, n, [0, 0.5]), ...house(g, ctx, 0.5));
}

/** RIGID: A rigid-expenditure household: medical and education spending above the ratio of its income. */
export function buildRigid(b: Build): void {
  const { g, rng, asOf, ctx, district, registryNo, hukou, members, h, cases, aid, assets, standard, n, incomeFor } = b;
  const disposable = g.param(hukou === "URBAN" ? "PER_CAPITA_DISPOSABLE_INCOME_URBAN" : "PER_CAPITA_DISPOSABLE_INCOME_RURAL", asOf, district) / 12;
  const multiplier = g.param("MARGINAL_MULTIPLIER", asOf, district);
  const hi = Math.max(multiplier + 0.05, Math.min(4, (disposable * 0.9) / standard));
  h.incomes = allocateIncome(g, ctx, members, incomeFor(multiplier, hi));
  const total = sumIncome(h.incomes, asOf);
  const ratio = g.param("RIGID_EXPENDITURE_RATIO", asOf, district);
  const ill = members.find((p) => p.facts.seriousIllness) ?? members[0];
  const education = members.reduce((s, p) => s + (p.facts.educationExpenseFen ?? 0), 0);
  const needed = Math.ceil(total * 12 * ratio * rng.real(1.05, 1.8)) - education;
  if (ill.facts.outOfPocketFen < needed) {
    ill.facts.outOfPocketFen = Math.round(needed / 100) * 100 + 100;
    ill.facts.medicalExpenseFen = Math.max(ill.facts.medicalExpenseFen, Math.round(ill.facts.outOfPocketFen / rng.real(0.3, 0.5)));
  }
  // The rigid test counts what the family bears after medical aid (issue 13 point 7), and medical aid pays at
  // least MEDICAL_OOP_AID_RATIO_MARGINAL of a rigid-expenditure household's out-of-pocket spending (003 §9; the
  // medical-insurance sandbox pays exactly that share): the ill member's gross spending is raised so that what is
  // left after aid still crosses the ratio. Drawn from a side stream of the household's own, after the draws
  // above, so every other record (and every other household) stays as it was.
  const aidShare = g.param("MEDICAL_OOP_AID_RATIO_MARGINAL", asOf, district);
  const gross = Math.round(needed / (1 - aidShare) / 100) * 100 + 100;
  if (ill.facts.outOfPocketFen < gross) {
    const side = new Rng(hashString(`${g.seed}:${registryNo}:rigid`));
    ill.facts.outOfPocketFen = gross;
    ill.facts.medicalExpenseFen = Math.max(ill.facts.medicalExpenseFen, Math.round(gross / side.real(0.3, 0.5)));
  }
  const spend = members.reduce((s, p) => s + p.facts.outOfPocketFen + (p.facts.educationExpenseFen ?? 0), 0);
  cases.push({
    id: rng.uuid(), personIndex: null, tier: "RIGID_EXPENDITURE", tierClass: null, status: "ACTIVE", startDate: addMonths(asOf, -rng.int(1, 24)), endDate: null, nextReviewDate: null, monthlyFen: null,
    note: `刚性支出困难家庭：医疗、教育必需支出${yuan(spend)}元/年，占家庭年收入${Math.round((spend / Math.max(1, total * 12)) * 100)}%（003 §1）`,
  });
  if (rng.chance(0.4)) temporaryAid(g, h, "TEMPORARY_AID_EXPENDITURE", 0, aid);
  assets.push(...deposits(g, ctx, n, [0, 0.6]), ...house(g, ctx, 0.55));
}

/** MONITORED_TIER: A return-to-poverty monitoring household pushed by the agriculture department. */
export function buildMonitoredTier(b: Build): void {
  const { g, rng, asOf, ctx, members, h, cases, aid, assets, n, incomeFor } = b;
  h.incomes = allocateIncome(g, ctx, members, incomeFor(0.9, 2.0));
  cases.push({ id: rng.uuid(), personIndex: null, tier: "MONITORED", tierClass: null, status: "ACTIVE", startDate: addMonths(asOf, -rng.int(1, 36)), endDate: null, nextReviewDate: null, monthlyFen: null, note: "防止返贫监测对象：农业农村部门监测推送（003 §1、§18）" });
  if (rng.chance(0.1)) temporaryAid(g, h, "TEMPORARY_AID_EMERGENCY", 0, aid);
  assets.push(...deposits(g, ctx, n, [0, 0.4]), ...house(g, ctx, 0.8));
}

/** REJECTED_INCOME / REJECTED_ASSETS: A rejected dibao application (income or assets above the limits), monitored for two years. */
export function buildRejected(b: Build): void {
  const { g, rng, asOf, kind, ctx, district, members, h, cases, assets, n, incomeFor } = b;
  b.status = "MONITORED";
  const byAssets = kind === "REJECTED_ASSETS";
  h.incomes = allocateIncome(g, ctx, members, byAssets ? incomeFor(0.4, 0.95) : incomeFor(1.6, 3.0));
  const applied = addDays(asOf, -rng.int(40, 700));
  const decided = addDays(applied, rng.int(15, 35));
  const pci = Math.round(sumIncome(h.incomes, asOf) / n);
  if (byAssets) {
    const limit = g.param("ASSET_LIMIT_DEPOSIT_PER_CAPITA", asOf, district);
    const value = Math.round((limit * n * rng.real(1.3, 4)) / 100) * 100;
    assets.push({ id: rng.uuid(), kind: "DEPOSIT", valueFen: BigInt(value), description: "银行定期存款" });
    if (rng.chance(0.4)) assets.push({ id: rng.uuid(), kind: "VEHICLE", valueFen: BigInt(rng.int(30_000, 150_000) * 100), description: "小型轿车（非营运）" });
    if (rng.chance(0.2)) assets.push({ id: rng.uuid(), kind: "SECURITIES", valueFen: BigInt(rng.int(20_000, 200_000) * 100), description: "股票、基金" });
  } else {
    assets.push(...deposits(g, ctx, n, [0.2, 0.9]));
  }
  assets.push(...house(g, ctx, 0.6));
  cases.push({
    id: rng.uuid(), personIndex: null, tier: "DIBAO", tierClass: null, status: "REJECTED", startDate: applied, endDate: decided, nextReviewDate: null, monthlyFen: null,
    note: byAssets ? "不予批准：家庭人均存款超过规定标准；纳入低收入人口监测两年（003 §5）" : `不予批准：家庭月人均收入${yuan(pci)}元，超过低保标准；纳入低收入人口监测两年（003 §5）`,
  });
}

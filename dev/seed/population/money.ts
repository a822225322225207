/** Incomes and assets of a household. */
import type { IsoDate, SynthAsset, SynthIncome, SynthPerson } from "../model.js";
import { addMonths, monthStart } from "./dates.js";
import { Gen } from "./state.js";
import { HouseholdCtx, employmentFacts } from "./persons.js";

function isEarner(p: SynthPerson): boolean {
  const s = p.facts.employment?.status;
  return s === "EMPLOYED" || s === "FLEXIBLE";
}

/** Incomes totalling `total` fen per month, spread over earners, pensioners and household transfers. */
export function allocateIncome(g: Gen, ctx: HouseholdCtx, members: SynthPerson[], total: number, exclude: number | null = null): SynthIncome[] {
  const rng = g.rng;
  const earners: number[] = [];
  const retirees: number[] = [];
  members.forEach((p, i) => {
    if (i === exclude) return;
    if (isEarner(p)) earners.push(i);
    else if (p.facts.employment?.status === "RETIRED") retirees.push(i);
  });
  if (total <= 0) {
    for (const i of earners) members[i].facts.employment = employmentFacts(g, ctx.profile, "UNEMPLOYED_UNREGISTERED");
    return [];
  }
  type Slot = { personIndex: number | null; source: SynthIncome["source"]; weight: number };
  const slots: Slot[] = [];
  for (const i of earners) {
    const source = ctx.hukou === "RURAL" && rng.chance(0.4) ? "AGRICULTURE" : members[i].facts.employment!.status === "FLEXIBLE" && rng.chance(0.2) ? "BUSINESS" : "WAGES";
    slots.push({ personIndex: i, source, weight: rng.real(2, 4) });
  }
  for (const i of retirees) slots.push({ personIndex: i, source: "PENSION", weight: rng.real(0.8, 1.6) });
  if (slots.length === 0 || rng.chance(0.2)) {
    slots.push({ personIndex: null, source: ctx.hukou === "RURAL" ? rng.pick(["AGRICULTURE", "TRANSFER"] as const) : rng.weighted(["TRANSFER", "PROPERTY", "OTHER"] as const, [70, 20, 10]), weight: rng.real(0.5, 1.5) });
  }
  const sum = slots.reduce((s, x) => s + x.weight, 0);
  let left = total;
  const out: SynthIncome[] = [];
  slots.forEach((slot, k) => {
    const amount = k === slots.length - 1 ? left : Math.floor((total * slot.weight) / sum);
    left -= amount;
    if (amount <= 0) return;
    out.push({
      id: rng.uuid(),
      personIndex: slot.personIndex,
      source: slot.source,
      monthlyFen: amount,
      validFrom: monthStart(addMonths(g.asOf, -rng.int(14, 120))),
      validTo: null,
    });
  });
  return out;
}

export function sumIncome(incomes: SynthIncome[], on: IsoDate, personIndex?: number): number {
  let s = 0;
  for (const inc of incomes) {
    if (inc.validFrom > on || (inc.validTo !== null && inc.validTo < on)) continue;
    if (personIndex !== undefined && inc.personIndex !== personIndex) continue;
    s += inc.monthlyFen;
  }
  return s;
}

export function deposits(g: Gen, ctx: HouseholdCtx, size: number, perCapitaShareOfLimit: [number, number], chance = 0.8): SynthAsset[] {
  const rng = g.rng;
  if (!rng.chance(chance)) return [];
  const limit = g.param("ASSET_LIMIT_DEPOSIT_PER_CAPITA", g.asOf, ctx.street.districtCode);
  const value = Math.round(limit * size * rng.real(perCapitaShareOfLimit[0], perCapitaShareOfLimit[1]) / 100) * 100;
  return [{ id: rng.uuid(), kind: "DEPOSIT", valueFen: BigInt(value), description: rng.pick(["银行活期存款", "银行定期存款", "储蓄存款", "微信/支付宝余额及存款"]) }];
}

export function house(g: Gen, ctx: HouseholdCtx, chance: number): SynthAsset[] {
  const rng = g.rng;
  if (!rng.chance(chance)) return [];
  if (ctx.hukou === "RURAL") {
    const area = rng.int(60, 160);
    return [{ id: rng.uuid(), kind: "HOUSE", valueFen: BigInt(area * rng.int(800, 1500) * 100), description: `农村宅基地自建房 ${area}㎡` }];
  }
  const area = rng.int(30, 90);
  const kind = rng.pick(["房改房", "商品房", "公租房（承租，不计产权）", "老旧住房"]);
  const value = kind.startsWith("公租房") ? 0 : area * rng.int(9_000, 18_000) * 100;
  return [{ id: rng.uuid(), kind: "HOUSE", valueFen: BigInt(value), description: `${kind} ${area}㎡` }];
}

/** The streets a population is generated for, and how many households of each kind each street gets. */
import type { SynthStreet } from "../model.js";
import { CORE_DISTRICTS, DISTRICTS, STREET_NAME_POOL, YUZHONG_CODE, YUZHONG_STREETS, type StreetRow } from "../reference.js";
import { hashString } from "../rng.js";

export interface StreetPlan {
  code: string;
  districtCode: string;
  districtName: string;
  name: string;
  dibao: number;
  tekun: number;
  registered: number;
  welfareHome: boolean;
  ruralShare: number;
  roads: readonly string[];
  yuzhong: boolean;
}

export type ExtraKind =
  | "MARGINAL"
  | "RIGID"
  | "MONITORED_TIER"
  | "REJECTED_INCOME"
  | "REJECTED_ASSETS"
  | "LEFT"
  | "ORPHAN18_LEFT"
  | "DECEASED"
  | "APPLIED"
  | "SUSPENDED";

/** Households of the non-counted kinds per counted dibao person of the street. */
export const EXTRA_RATIOS: readonly (readonly [ExtraKind, number])[] = [
  ["MARGINAL", 0.06],
  ["RIGID", 0.02],
  ["MONITORED_TIER", 0.008],
  ["REJECTED_INCOME", 0.012],
  ["REJECTED_ASSETS", 0.005],
  ["LEFT", 0.015],
  ["ORPHAN18_LEFT", 0.002],
  ["DECEASED", 0.003],
  ["APPLIED", 0.006],
  ["SUSPENDED", 0.004],
];

/** Calibrated: persons per counted person in an ordinary street (counted + other members + extra households). */
const PERSONS_PER_COUNTED = 1.41;
/** Calibrated: persons in a welfare home (72 counted, no extras). */
const WELFARE_HOME_PERSONS = 72;

function rowToPlan(row: StreetRow, districtCode: string, ruralShare: number, yuzhong: boolean): StreetPlan {
  return {
    code: row.code,
    districtCode,
    districtName: DISTRICTS.get(districtCode) ?? districtCode,
    name: row.name,
    dibao: row.dibao,
    tekun: row.tekun,
    registered: row.registered,
    welfareHome: row.welfareHome,
    ruralShare,
    roads: row.roads,
    yuzhong,
  };
}

function ruralShareOf(district: string): number {
  return district === YUZHONG_CODE ? 0.03 : CORE_DISTRICTS.has(district) ? 0.1 : 0.4;
}

function expectedPersons(row: Pick<StreetRow, "dibao" | "tekun" | "registered" | "welfareHome">): number {
  const counted = row.dibao + row.tekun + row.registered;
  return row.welfareHome ? counted : counted * PERSONS_PER_COUNTED;
}

const ORDINARY_YZ = YUZHONG_STREETS.filter((s) => !s.welfareHome);
const YZ_WELFARE = YUZHONG_STREETS.find((s) => s.welfareHome)!;
export const EXPECTED_YUZHONG = YUZHONG_STREETS.reduce((s, r) => s + expectedPersons(r), 0);

/** The streets, in generation order, for the given population size. Deterministic, independent of the seed. */
export function planStreets(persons: number | undefined): StreetPlan[] {
  const plans = YUZHONG_STREETS.map((r) => rowToPlan(r, YUZHONG_CODE, ruralShareOf(YUZHONG_CODE), true));
  if (persons === undefined || persons <= EXPECTED_YUZHONG * 1.02) return plans;
  const others = [...DISTRICTS.keys()].filter((d) => d !== YUZHONG_CODE);
  const remaining = persons - EXPECTED_YUZHONG;
  const avgStreet = ORDINARY_YZ.reduce((s, r) => s + expectedPersons(r), 0) / ORDINARY_YZ.length;
  const k = Math.min(others.length, Math.max(1, Math.round(remaining / (avgStreet * 6))));
  const streetPersons = Math.max(avgStreet / 4, remaining - k * WELFARE_HOME_PERSONS);
  const nStreets = Math.max(1, Math.round(streetPersons / avgStreet));
  let expected = 0;
  for (let s = 0; s < nStreets; s++) expected += expectedPersons(ORDINARY_YZ[s % ORDINARY_YZ.length]);
  const factor = (streetPersons / expected) * 1.01; // a little over; the generator stops at N
  let s = 0;
  for (let j = 0; j < k; j++) {
    const district = others[j];
    const count = Math.floor(nStreets / k) + (j < nStreets % k ? 1 : 0);
    const offset = hashString(district) % STREET_NAME_POOL.length;
    const rural = ruralShareOf(district);
    for (let i = 0; i < count; i++, s++) {
      const profile = ORDINARY_YZ[s % ORDINARY_YZ.length];
      const base = STREET_NAME_POOL[(offset + i) % STREET_NAME_POOL.length];
      const round = Math.floor(i / STREET_NAME_POOL.length);
      const name = base + (round > 0 ? String(round + 1) : "") + "街道";
      plans.push({
        code: district + String(i + 1).padStart(3, "0"),
        districtCode: district,
        districtName: DISTRICTS.get(district)!,
        name,
        dibao: Math.round(profile.dibao * factor),
        tekun: Math.round(profile.tekun * factor),
        registered: Math.round(profile.registered * factor),
        welfareHome: false,
        ruralShare: rural,
        roads: [base + "路", base + "大道", base + "街", base + "一支路", base + "二支路"],
        yuzhong: false,
      });
    }
    plans.push({
      code: district + "400",
      districtCode: district,
      districtName: DISTRICTS.get(district)!,
      name: "福利院",
      dibao: YZ_WELFARE.dibao,
      tekun: YZ_WELFARE.tekun,
      registered: 0,
      welfareHome: true,
      ruralShare: 0,
      roads: [DISTRICTS.get(district)! + "社会福利院"],
      yuzhong: false,
    });
  }
  return plans;
}

/** The streets (and welfare homes) the population for these options uses. */
export function streets(opts: { persons?: number } = {}): SynthStreet[] {
  return planStreets(opts.persons).map((p) => ({ code: p.code, districtCode: p.districtCode, name: p.name }));
}

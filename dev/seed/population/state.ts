/** The generator's state: its random streams, the policy table, the payment months and unique ID numbers. */
import type { Sex } from "../../../src/db/generated/enums.js";
import { makeIdNumber } from "../../../src/domain/idnumber.js";
import type { IsoDate } from "../model.js";
import { DISTRICTS, PolicyTable } from "../reference.js";
import { Rng, hashString } from "../rng.js";
import { addDays, addMonths, daysToIso, isoToDays, monthStart } from "./dates.js";
import { ExtraKind } from "./street-plan.js";

export type Kind =
  | "DIBAO"
  | "DIBAO_GRADUAL"
  | "DIBAO_INCLUSION"
  | "DIBAO_ORPHAN18"
  | "TEKUN"
  | "REGISTERED"
  | "REGISTERED_INDIVIDUAL"
  | ExtraKind;

/** Birth regions for ID numbers (first registration), other than the household's district. */
export const ID_REGIONS = [...DISTRICTS.keys()];
const ID_DAY0 = isoToDays("1900-01-01");
const ID_DAYS = 200 * 366;

export class Gen {
  /**
   * The draws of the household being built: a stream of its own per household (seed, street, sequence
   * number), so what one household draws — and how many draws depend on the as-of date (payment months,
   * ages, school stages) — never moves another household.
   */
  rng: Rng;
  /**
   * The draws that decide the households themselves (kind and size, street by street): independent of
   * the as-of date, so the default set has the same households and persons on any day (DOMAIN.md §6).
   */
  readonly unitRng: Rng;
  readonly seed: number;
  readonly policy = new PolicyTable();
  readonly asOf: IsoDate;
  /** the payment months: the latest 12 whose pay day (the 10th) is before asOf */
  readonly months: IsoDate[];
  /** per region: per (birth day, sex) the number of sequence numbers used so far */
  private readonly idCounters = new Map<string, Uint16Array>();
  /** the household stream seeds used so far (see `startHousehold`) */
  private readonly usedSeeds = new Set<number>();

  constructor(seed: number, asOf: IsoDate) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error(`asOf must be YYYY-MM-DD: ${asOf}`);
    this.rng = new Rng(seed);
    this.unitRng = new Rng(seed);
    this.seed = seed;
    this.asOf = asOf;
    let m = monthStart(asOf);
    if (addDays(m, 9) >= asOf) m = addMonths(m, -1);
    const months: IsoDate[] = [];
    for (let i = 11; i >= 0; i--) months.push(addMonths(m, -i));
    this.months = months;
  }

  /** Starts the draws of household `seq` of a street (see `rng`). */
  startHousehold(streetCode: string, seq: number): void {
    // The stream's seed is a 32-bit hash: among the ~765,000 households of 2,000,000 persons some dozens coincide,
    // and two households drawn from one stream repeat each other's ids (primary keys). A seed already used is
    // salted until it is new; at the default set's size none coincide (its households are unchanged).
    let h = hashString(`${this.seed}:${streetCode}:${seq}`);
    for (let salt = 1; this.usedSeeds.has(h); salt++) h = hashString(`${this.seed}:${streetCode}:${seq}#${salt}`);
    this.usedSeeds.add(h);
    this.rng = new Rng(h);
  }

  param(key: string, date: IsoDate, region: string): number {
    return this.policy.value(key, date, region);
  }

  /** A unique ID number: the sequence is drawn from a per (region, birth day, sex) counter. */
  idNumber(region: string, birthDate: IsoDate, sex: Sex): string {
    let counters = this.idCounters.get(region);
    if (!counters) this.idCounters.set(region, (counters = new Uint16Array(ID_DAYS * 2)));
    let day = isoToDays(birthDate) - ID_DAY0;
    for (;;) {
      const slot = day * 2 + (sex === "MALE" ? 1 : 0);
      const used = counters[slot];
      if (used < 500) {
        counters[slot] = used + 1;
        const base = (hashString(region) + day * 37) % 500;
        const v = (base + used * 7) % 500; // 7 is coprime to 500: 500 distinct values
        const seq = v * 2 + (sex === "MALE" ? 1 : 0);
        return makeIdNumber(region, daysToIso(day + ID_DAY0), seq);
      }
      day -= 1; // all 500 sequence numbers of that day taken (never in practice): the day before
    }
  }
}

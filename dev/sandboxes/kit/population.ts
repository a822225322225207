/**
 * Helpers the sandboxes' derive functions share: reading the synthetic population (tier in force,
 * aid paid to a person, age), per-key seeded randomness (so a record depends only on the seed and
 * its own key, not on the order of the population), the untidiness draw, and date formats.
 */
import { z } from "zod";
import { daysToIso, isoToDays } from "../../seed/generator.js";
import { hashString, Rng } from "../../seed/rng.js";
import type { IsoDate, SynthAid, SynthCase, SynthHousehold } from "../../seed/model.js";

export interface DeriveOptions {
  seed: number;
  /** the date the data describe (YYYY-MM-DD) */
  asOf: IsoDate;
}

/** A department's derivation fed one household at a time, so one pass can feed all five. */
export interface Deriver<D> {
  add(household: SynthHousehold): void;
  finish(): D;
}

export function deriveAll<D>(deriver: Deriver<D>, households: Iterable<SynthHousehold>): D {
  for (const h of households) deriver.add(h);
  return deriver.finish();
}

/** A PRNG that depends only on (seed, stream name, key). */
export function keyRng(seed: number, stream: string, key: string): Rng {
  return new Rng(hashString(`${seed >>> 0}|${stream}|${key}`));
}

/**
 * Where a person lives, as every department's wire record carries it (WIRE.md `residence`): the registry
 * household's street, or a department-only person's own (dev/seed/department-only.ts).
 */
export interface Residence {
  districtCode: string;
  streetCode: string;
}

export const residenceSchema: z.ZodType<Residence> = z.object({ districtCode: z.string(), streetCode: z.string() });

export function residenceOf(h: SynthHousehold): Residence {
  return { districtCode: h.districtCode, streetCode: h.streetCode };
}

/**
 * Does the department hold a record of this household's member at all? Registry households: decided by the
 * deriver; a department-only person's stand-in: only the departments that know the person.
 */
export function knownTo(h: SynthHousehold, source: NonNullable<SynthHousehold["departmentOnly"]>[number]): boolean {
  return h.departmentOnly === undefined || h.departmentOnly.includes(source);
}

/** The untidiness of a record: drawn for registry persons; a department-only person's record is tidy (the department knows them). */
export function untidyOf(h: SynthHousehold, rng: Rng): { unknown: boolean; stale: boolean } {
  return h.departmentOnly === undefined ? untidyDraw(rng) : { unknown: false, stale: false };
}

export const UNKNOWN_RATE = 0.01;
export const STALE_RATE = 0.03;

/** Is this key unknown to the department system / stale there? The key's first two draws. */
export function untidyDraw(rng: Rng): { unknown: boolean; stale: boolean } {
  const unknown = rng.next() < UNKNOWN_RATE;
  const stale = rng.next() < STALE_RATE;
  return { unknown, stale: !unknown && stale };
}

// --- dates -----------------------------------------------------------------------------------

const DAY_MS = 86_400_000;

export { addDays, addMonths, ageOn } from "../../seed/generator.js";

/** The sandboxes' "at least one duplicate whenever the population allows one": the lowest-ranked candidate. */
export function ensureOneDuplicate<C extends { rank: number }>(duplicates: readonly string[], candidates: C[], makeDuplicate: (c: C) => void): void {
  if (duplicates.length === 0 && candidates.length > 0) makeDuplicate(candidates.reduce((a, b) => (b.rank < a.rank ? b : a)));
}

/** Whole days from `from` to `to`. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return isoToDays(to) - isoToDays(from);
}

export function msToIso(ms: number): IsoDate {
  return new Date(ms).toISOString().slice(0, 10);
}

export function firstOfMonth(iso: IsoDate): IsoDate {
  return `${iso.slice(0, 7)}-01`;
}

/**
 * When a record was last updated: within ~4 months (at most `maxDaysBack` days) before `asOf`
 * normally, two to five years before when stale. Milliseconds since the epoch (UTC), at a working-hours time of day.
 */
export function updatedAtMs(rng: Rng, asOf: IsoDate, stale: boolean, maxDaysBack = 120): number {
  const daysBack = stale ? rng.int(730, 1825) : rng.int(0, Math.max(0, Math.min(120, maxDaysBack)));
  const seconds = rng.int(8 * 3600, 18 * 3600) - 8 * 3600; // 08:00–18:00 Beijing, as UTC seconds
  return (isoToDays(asOf) - daysBack) * DAY_MS + seconds * 1000;
}

const p2 = (n: number): string => String(n).padStart(2, "0");

/** `2026-05-12T08:00:00Z` */
export function fmtUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19) + "Z";
}

/** `2026-09-03T10:12:00+08:00` */
export function fmtBeijing(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19) + "+08:00";
}

/** `20261102093000` (Beijing time) */
export function fmtCompactBeijing(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  return `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}`;
}

/** `2026-04-01` (Beijing date) */
export function fmtDateBeijing(ms: number): IsoDate {
  return daysToIso(Math.floor((ms + 8 * 3600_000) / DAY_MS)); // the generator's memoised day -> date
}

// --- the population ---------------------------------------------------------------------------

export type Tier = SynthCase["tier"];
export type TierClass = NonNullable<SynthCase["tierClass"]>;

/** Strongest first: a person in several cases counts under the first of these. */
export const TIER_ORDER: readonly Tier[] = ["TEKUN", "DIBAO", "DIBAO_MARGINAL", "RIGID_EXPENDITURE", "OTHER", "MONITORED"];

export function caseInForce(c: SynthCase, asOf: IsoDate): boolean {
  return (c.status === "ACTIVE" || c.status === "GRADUAL_EXIT") && c.startDate <= asOf && (c.endDate === null || c.endDate >= asOf);
}

/** A case that covers member `personIndex`: a household case, or one for that person alone (单人户). */
export function caseCovers(c: SynthCase, personIndex: number): boolean {
  return c.personIndex === null || c.personIndex === personIndex;
}

export interface PersonTier {
  tier: Tier | null;
  tierClass: TierClass | null;
  case: SynthCase | null;
}

/** The person's tier in force on `asOf` (the strongest case covering them). */
export function personTier(h: SynthHousehold, personIndex: number, asOf: IsoDate): PersonTier {
  let best: SynthCase | null = null;
  for (const c of h.cases) {
    if (!caseCovers(c, personIndex) || !caseInForce(c, asOf)) continue;
    if (best === null || TIER_ORDER.indexOf(c.tier) < TIER_ORDER.indexOf(best.tier)) best = c;
  }
  return { tier: best?.tier ?? null, tierClass: best?.tierClass ?? null, case: best };
}

/**
 * Aid of `program` paid to member `personIndex` with a period overlapping [from, to]: aid naming the
 * person, or household aid (no person) under a case covering them (or under no case).
 */
export function aidToPerson(
  h: SynthHousehold,
  personIndex: number,
  program: SynthAid["program"],
  from: IsoDate,
  to: IsoDate,
): SynthAid[] {
  return h.aid.filter((a) => {
    if (a.program !== program || a.periodEnd < from || a.periodStart > to) return false;
    if (a.personIndex !== null) return a.personIndex === personIndex;
    const c = a.caseIndex === null ? null : h.cases[a.caseIndex];
    return c ? caseCovers(c, personIndex) : true;
  });
}

export function isDeceased(p: { facts: { deceasedOn?: IsoDate | null } }, asOf: IsoDate): boolean {
  const d = p.facts.deceasedOn;
  return d !== undefined && d !== null && d <= asOf;
}

/** Fen to a yuan decimal string with two places ("1250.00"). */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const a = Math.abs(Math.round(fen));
  return `${sign}${Math.floor(a / 100)}.${p2(a % 100)}`;
}

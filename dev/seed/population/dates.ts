/** ISO dates (YYYY-MM-DD strings): UTC calendar arithmetic for the generator. */
import type { IsoDate } from "../model.js";


const DAY_MS = 86_400_000;

export function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}
// The generator calls these millions of times at city scale (2,000,000 persons): plain arithmetic on
// the digits (proleptic Gregorian, as Date.UTC) and a memo of the day -> string direction, instead of a
// Date object and toISOString per call. Same results as `Date.UTC(y, m - 1, d) / DAY_MS` and
// `new Date(days * DAY_MS).toISOString().slice(0, 10)` for years 1000–9999.

/** Days from 1970-01-01 to y-m-d (m 1–12), any d (overflow rolls over as Date.UTC does). */
function daysFromCivil(y: number, m: number, d: number): number {
  // Howard Hinnant's days_from_civil
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;

export function isoToDays(iso: IsoDate): number {
  if (iso.length !== 10 || iso.charCodeAt(4) !== 45 || iso.charCodeAt(7) !== 45) {
    return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
  }
  const y = digit(iso, 0) * 1000 + digit(iso, 1) * 100 + digit(iso, 2) * 10 + digit(iso, 3);
  const m = digit(iso, 5) * 10 + digit(iso, 6);
  const d = digit(iso, 8) * 10 + digit(iso, 9);
  if (!(y >= 1000 && m >= 1 && m <= 12 && d >= 0 && d <= 99)) return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
  return daysFromCivil(y, m, d);
}

const isoOfDay = new Map<number, IsoDate>();

export function daysToIso(days: number): IsoDate {
  let iso = isoOfDay.get(days);
  if (iso === undefined) {
    iso = new Date(days * DAY_MS).toISOString().slice(0, 10);
    if (isoOfDay.size >= 1_000_000) isoOfDay.clear();
    isoOfDay.set(days, iso);
  }
  return iso;
}
export function addDays(iso: IsoDate, n: number): IsoDate {
  return daysToIso(isoToDays(iso) + n);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export function addMonths(iso: IsoDate, n: number): IsoDate {
  const total = Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1 + n;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  const dim = y >= 100 && m >= 1 && m <= 12 ? (m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]) : new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${y}-${pad2(m)}-${pad2(Math.min(Number(iso.slice(8, 10)), dim))}`;
}
export function addYears(iso: IsoDate, n: number): IsoDate {
  return addMonths(iso, 12 * n);
}
/** Whole years from birth to `on`. */
export function ageOn(birth: IsoDate, on: IsoDate): number {
  let a = Number(on.slice(0, 4)) - Number(birth.slice(0, 4));
  if (on.slice(5) < birth.slice(5)) a--;
  return a;
}
export function monthStart(iso: IsoDate): IsoDate {
  return iso.slice(0, 8) + "01";
}
const monthEnds = new Map<IsoDate, IsoDate>();
export function monthEnd(iso: IsoDate): IsoDate {
  const start = monthStart(iso);
  let end = monthEnds.get(start);
  if (end === undefined) {
    end = addDays(addMonths(start, 1), -1);
    if (monthEnds.size >= 100_000) monthEnds.clear();
    monthEnds.set(start, end);
  }
  return end;
}
export function maxIso(a: IsoDate, b: IsoDate): IsoDate {
  return a > b ? a : b;
}
export function minIso(a: IsoDate, b: IsoDate): IsoDate {
  return a < b ? a : b;
}

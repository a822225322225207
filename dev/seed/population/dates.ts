/** ISO dates (YYYY-MM-DD strings): UTC calendar arithmetic for the generator. */
import type { IsoDate } from "../model.js";


const DAY_MS = 86_400_000;

export function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}
export function isoToDays(iso: IsoDate): number {
  return Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10))) / DAY_MS;
}
export function daysToIso(days: number): IsoDate {
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}
export function addDays(iso: IsoDate, n: number): IsoDate {
  return daysToIso(isoToDays(iso) + n);
}
export function addMonths(iso: IsoDate, n: number): IsoDate {
  const total = Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1 + n;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
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
export function monthEnd(iso: IsoDate): IsoDate {
  return addDays(addMonths(monthStart(iso), 1), -1);
}
export function maxIso(a: IsoDate, b: IsoDate): IsoDate {
  return a > b ? a : b;
}
export function minIso(a: IsoDate, b: IsoDate): IsoDate {
  return a < b ? a : b;
}

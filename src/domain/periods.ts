/**
 * Periods of assistance: inclusive ranges of UTC calendar days, and how the aid chain derives a period
 * for a record that carries none of its own (a school term, a settlement year, a standing monthly
 * benefit). Pure: no clock.
 */
import { addDays, addMonths, dayOf } from "./calendar.js";

/** Both ends inclusive, UTC midnight. */
export interface Period {
  start: Date;
  end: Date;
}

function utcDay(y: number, month1: number, d: number): Date {
  return new Date(Date.UTC(y, month1 - 1, d));
}

/** Days in common (inclusive ends): periods that only touch (one ends the day before the other starts) do not overlap. */
export function overlap(a: Period, b: Period): Period | null {
  // getTime(): a relational comparison of two Dates goes through ToPrimitive, many times slower
  const start = a.start.getTime() > b.start.getTime() ? a.start : b.start;
  const end = a.end.getTime() < b.end.getTime() ? a.end : b.end;
  return start.getTime() <= end.getTime() ? { start, end } : null;
}

/** The calendar year `year`: 1 January – 31 December (a medical-insurance settlement year). */
export function yearPeriod(year: number): Period {
  return { start: utcDay(year, 1, 1), end: utcDay(year, 12, 31) };
}

/**
 * The expenses a settlement-year figure (medical aid paid in settlement year Y) pays for: settlement lags
 * treatment, so what is settled in Y includes expenses incurred before Y. The chain takes the 12 months
 * before the record's date through the end of Y: min(1 Jan Y, asOf − 1 year + 1 day) … 31 Dec Y.
 */
export function settlementPeriod(year: number, recordAsOf: Date): Period {
  const y = yearPeriod(year);
  const back = standingPeriod(recordAsOf).start;
  return { start: back.getTime() < y.start.getTime() ? back : y.start, end: y.end };
}

/**
 * A school term "YYYY-AUTUMN" / "YYYY-SPRING" as calendar days. Terms tile the year as the education
 * system assigns them (connectors/education: September–January autumn, February–August spring):
 * AUTUMN Y = 1 Sep Y – 31 Jan Y+1, SPRING Y = 1 Feb Y – 31 Aug Y. Null for an unreadable term.
 */
export function termPeriod(term: string): Period | null {
  const m = /^(\d{4})-(AUTUMN|SPRING)$/.exec(term);
  if (!m) return null;
  const y = Number(m[1]);
  return m[2] === "AUTUMN" ? { start: utcDay(y, 9, 1), end: utcDay(y + 1, 1, 31) } : { start: utcDay(y, 2, 1), end: utcDay(y, 8, 31) };
}

/**
 * A standing benefit on a department record that has no dates of its own (the federation's monthly
 * living and nursing subsidies, rehabilitation items, a public-welfare post): the record says it is in
 * payment as of the record's `asOf`, so it is taken to cover the year up to that day —
 * asOf − 1 year + 1 day … asOf. Not beyond asOf (unknown after it), and no more than a year back (the
 * registry keeps the latest 12 months of payments; the federation reviews its subsidies yearly).
 */
export function standingPeriod(recordAsOf: Date): Period {
  const end = dayOf(recordAsOf);
  return { start: addDays(addMonths(end, -12), 1), end };
}

/** The window ending on `asOf` reaching `months` back (inclusive of both ends). */
export function windowBack(asOf: Date, months: number): Period {
  const end = dayOf(asOf);
  return { start: addMonths(end, -months), end };
}

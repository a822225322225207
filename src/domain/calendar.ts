/**
 * Calendar arithmetic on UTC-midnight dates (the registry's and the department model's dates). Pure.
 * Month arithmetic clamps to the month's last day (31 August + 6 months = 28/29 February), the same
 * rule as the seed generator's ISO-string `addMonths`.
 */
const DAY_MS = 86_400_000;

export function addDays(d: Date, n: number): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + n * DAY_MS);
}

export function addMonths(d: Date, n: number): Date {
  const total = d.getUTCFullYear() * 12 + d.getUTCMonth() + n;
  const y = Math.floor(total / 12);
  const m = total - y * 12;
  const daysInMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), daysInMonth)));
}

/** The calendar day of an instant, as a UTC-midnight date (the date itself when it is one: dates are never modified here). */
export function dayOf(d: Date): Date {
  const t = d.getTime();
  if (t % DAY_MS === 0) return d;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** ISO days of instants already formatted (a bounded cache: the same few thousand dates recur in every evaluation). */
const isoDays = new Map<number, string>();

export function isoDay(d: Date): string {
  const t = d.getTime();
  let s = isoDays.get(t);
  if (s === undefined) {
    s = d.toISOString().slice(0, 10);
    if (isoDays.size >= 50_000) isoDays.clear();
    isoDays.set(t, s);
  }
  return s;
}

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

/**
 * `f` of a date, remembered per instant (a bounded cache, emptied when full): reading a Date's fields is slow, and the
 * same few thousand dates — birth dates, record dates, evaluation days — recur in every evaluation. Dates are never
 * modified here, so the instant is the key.
 */
export function byInstant<T>(f: (d: Date) => T, limit: number): (d: Date) => T {
  const cache = new Map<number, T>();
  return (d) => {
    const t = d.getTime();
    let v = cache.get(t);
    if (v === undefined) {
      v = f(d);
      if (cache.size >= limit) cache.clear();
      cache.set(t, v);
    }
    return v;
  };
}

/** The ISO day (YYYY-MM-DD, UTC) of an instant. */
export const isoDay: (d: Date) => string = byInstant((d) => d.toISOString().slice(0, 10), 50_000);

/**
 * y·10000 + m·100 + d of the UTC dates seen so far: reading a Date's UTC fields is slow, and the same birth dates
 * and evaluation days recur in every evaluation. Bounded.
 */
const dateKeys = new Map<number, number>();
function dateKey(d: Date): number {
  const t = d.getTime();
  let k = dateKeys.get(t);
  if (k === undefined) {
    k = d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
    if (dateKeys.size >= 100_000) dateKeys.clear();
    dateKeys.set(t, k);
  }
  return k;
}

/**
 * Whole years between a birth date and a day (both read as UTC calendar dates): the difference of the years, less
 * one before the birthday — which is floor((on − birth) / 10000) over y·10000 + m·100 + d, as the month-day part
 * differs by less than 10000.
 */
export function ageOn(birth: Date, on: Date): number {
  return Math.floor((dateKey(on) - dateKey(birth)) / 10000);
}

/** Working age (劳动年龄): 16 up to the statutory retirement age (men 60, women 55), as the seed generator uses it. */
export function isWorkingAge(sex: "MALE" | "FEMALE", age: number): boolean {
  return age >= 16 && age < (sex === "MALE" ? 60 : 55);
}

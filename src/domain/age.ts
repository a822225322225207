import { byInstant } from "./calendar.js";

/** y·10000 + m·100 + d of a UTC date. */
const dateKey = byInstant((d) => d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate(), 100_000);

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

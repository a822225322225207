/**
 * ageOn: whole years between a birth date and a day. The oracle is the calendar itself, by text: a person is `a`
 * years old on a day when their a-th birthday (the same month and day, `a` years on; 29 February in a common year
 * falls on 1 March) is on or before that day and the next is after it — worked out on ISO strings, not with the
 * function's arithmetic.
 */
import { expect, test } from "vitest";
import { ageOn } from "../../src/domain/age.js";

const utc = (iso: string) => new Date(`${iso}T00:00:00Z`);
const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
/** the a-th birthday as an ISO day */
function birthday(birth: string, a: number): string {
  const [y, m, d] = birth.split("-").map(Number);
  if (m === 2 && d === 29 && !isLeap(y + a)) return `${pad(y + a, 4)}-03-01`;
  return `${pad(y + a, 4)}-${pad(m)}-${pad(d)}`;
}
function oracle(birth: string, on: string): number {
  let a = Number(on.slice(0, 4)) - Number(birth.slice(0, 4)) + 1;
  while (birthday(birth, a) > on) a--;
  return a;
}

test("ageOn agrees with the calendar on every day of two years around birthdays, leap days included", () => {
  const births = ["1960-01-01", "1970-12-31", "2000-02-29", "2008-06-15", "1955-03-01", "2010-02-28"];
  let checked = 0;
  for (const birth of births) {
    for (let t = utc("2024-01-01").getTime(); t <= utc("2025-12-31").getTime(); t += 86_400_000) {
      const on = new Date(t).toISOString().slice(0, 10);
      // an instant later in the day is the same day
      expect([ageOn(utc(birth), utc(on)), ageOn(utc(birth), new Date(t + 13 * 3_600_000))], `${birth} on ${on}`).toEqual([oracle(birth, on), oracle(birth, on)]);
      checked++;
    }
  }
  expect(checked).toBe(6 * 731);
});

test("the day before a birthday is one year less; a birth after the day gives a negative age, as the calendar does", () => {
  expect(ageOn(utc("2008-06-15"), utc("2026-06-14"))).toBe(17);
  expect(ageOn(utc("2008-06-15"), utc("2026-06-15"))).toBe(18);
  expect(ageOn(utc("2027-01-01"), utc("2026-12-31"))).toBe(-1);
});

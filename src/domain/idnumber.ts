/**
 * Mainland resident ID numbers (居民身份证号码, GB 11643-1999): 18 characters =
 * 6-digit administrative region of first registration + birth date YYYYMMDD + 3-digit sequence
 * (odd last digit = male, even = female) + an ISO 7064 MOD 11-2 check character (0-9 or upper-case X).
 *
 * Pure functions, no clock: "not in the future" is judged against a date the caller passes in.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = "10X98765432";
const FORMAT = /^[1-9]\d{16}[\dX]$/;
const DIGITS17 = /^\d{17}$/;

/** The check character for the first 17 digits: sum(d_i * w_i) mod 11 mapped through "10X98765432". */
export function checkCharacter(first17: string): string {
  if (!DIGITS17.test(first17)) throw new Error("checkCharacter needs exactly 17 digits");
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

export interface ParsedIdNumber {
  region: string; // 6 digits
  birthDate: string; // YYYY-MM-DD
  sequence: string; // 3 digits
  sex: "MALE" | "FEMALE";
}

function isCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}

function isoOf(date: Date | string): string {
  return typeof date === "string" ? date.slice(0, 10) : date.toISOString().slice(0, 10);
}

/**
 * Parses and validates an ID number. Returns null when the format, the birth date (a real calendar
 * date from 1850 on, and not after `notAfter` when given) or the check character is wrong.
 * Only an upper-case X is accepted as check character.
 */
export function parseIdNumber(s: string, notAfter?: Date | string): ParsedIdNumber | null {
  if (typeof s !== "string" || s.length !== 18 || !FORMAT.test(s)) return null;
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  if (y < 1850 || !isCalendarDate(y, m, d)) return null;
  const birthDate = `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`;
  if (notAfter !== undefined && birthDate > isoOf(notAfter)) return null;
  if (checkCharacter(s.slice(0, 17)) !== s[17]) return null;
  return {
    region: s.slice(0, 6),
    birthDate,
    sequence: s.slice(14, 17),
    sex: (s.charCodeAt(16) - 48) % 2 === 1 ? "MALE" : "FEMALE",
  };
}

/** True for a well-formed ID number with a valid birth date (not after `notAfter`, when given) and check character. */
export function isValidIdNumber(s: string, notAfter?: Date | string): boolean {
  return parseIdNumber(s, notAfter) !== null;
}

/** Sex encoded by the 17th character (odd = male). Does not validate the rest. */
export function sexFromIdNumber(s: string): "MALE" | "FEMALE" {
  const digit = s.charCodeAt(16) - 48;
  if (s.length !== 18 || digit < 0 || digit > 9) throw new Error("not an 18-character ID number");
  return digit % 2 === 1 ? "MALE" : "FEMALE";
}

/**
 * Builds an ID number from a 6-digit region code, a birth date (YYYY-MM-DD or Date) and a 3-digit
 * sequence (its last digit decides the sex: odd = male).
 */
export function makeIdNumber(region6: string, birthDate: string | Date, seq3: string | number): string {
  if (!/^[1-9]\d{5}$/.test(region6)) throw new Error(`region code must be 6 digits: ${region6}`);
  const iso = isoOf(birthDate);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso) || !isCalendarDate(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)))) {
    throw new Error(`not a calendar date: ${iso}`);
  }
  const seq = typeof seq3 === "number" ? String(seq3).padStart(3, "0") : seq3;
  if (!/^\d{3}$/.test(seq)) throw new Error(`sequence must be 3 digits: ${seq3}`);
  const first17 = region6 + iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + seq;
  return first17 + checkCharacter(first17);
}

/** Birth date encoded in the number as a UTC-midnight Date, or null when it is not a calendar date. */
export function birthDateOf(s: string): Date | null {
  if (typeof s !== "string" || s.length !== 18) return null;
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d) || !isCalendarDate(y, m, d)) return null;
  return new Date(Date.UTC(y, m - 1, d));
}

/** Alias of sexFromIdNumber (odd 17th digit = male). */
export const sexOf = sexFromIdNumber;

import { z } from "zod";

/**
 * Conversions shared by the connectors' zod schemas. Every one either returns an exact value or makes
 * the schema fail (so a record is never half-mapped).
 */

const DAY_MS = 86_400_000;

/** "1250.00" → 125000 (integer fen), exactly: string arithmetic, no floating point. At most 2 decimals. */
export function yuanToFen(yuan: string): number {
  const m = /^(0|[1-9]\d*)(?:\.(\d{1,2}))?$/.exec(yuan);
  if (!m) throw new RangeError(`not a non-negative yuan amount with at most 2 decimals: ${JSON.stringify(yuan)}`);
  const fen = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  if (!Number.isSafeInteger(fen)) throw new RangeError(`yuan amount out of range: ${yuan}`);
  return fen;
}

/** "2025-03-01" → Date at UTC midnight; rejects impossible dates (2025-02-30). */
export function isoDateToUtc(date: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a yyyy-MM-dd date: ${JSON.stringify(date)}`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) throw new RangeError(`impossible date: ${date}`);
  return t;
}

/** "20261102093000" (yyyyMMddHHmmss, Beijing time, UTC+8, no DST) → the instant. */
export function beijingCompactToDate(s: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) throw new RangeError(`not a yyyyMMddHHmmss timestamp: ${JSON.stringify(s)}`);
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, se));
  if (
    local.getUTCFullYear() !== y ||
    local.getUTCMonth() !== mo - 1 ||
    local.getUTCDate() !== d ||
    local.getUTCHours() !== h ||
    local.getUTCMinutes() !== mi ||
    local.getUTCSeconds() !== se
  ) {
    throw new RangeError(`impossible timestamp: ${s}`);
  }
  return new Date(local.getTime() - 8 * 3_600_000);
}

/** An ISO 8601 timestamp with an explicit offset or Z → the instant. */
export function isoDateTimeToDate(s: string): Date {
  const t = new Date(s);
  if (Number.isNaN(t.getTime())) throw new RangeError(`not a timestamp: ${JSON.stringify(s)}`);
  return t;
}

export function isStale(asOf: Date, now: Date, staleAfterDays: number): boolean {
  return now.getTime() - asOf.getTime() > staleAfterDays * DAY_MS;
}

/** Wrap a converter as a zod transform: a thrown RangeError becomes a schema issue. */
function converted<T>(base: z.ZodType<string>, convert: (s: string) => T) {
  return base.transform((s, ctx) => {
    try {
      return convert(s);
    } catch (e) {
      ctx.issues.push({ code: "custom", message: (e as Error).message, input: s });
      return z.NEVER;
    }
  });
}

const DISTRICT_CODE = /^[1-9]\d{5}$/;
const STREET_CODE = /^[1-9]\d{8}$/;

/** WIRE.md `residence`: a 6-digit district code and a 9-digit street code that lies in that district. */
const residenceCamel = z
  .object({ districtCode: z.string().regex(DISTRICT_CODE), streetCode: z.string().regex(STREET_CODE) })
  .refine((r) => r.streetCode.startsWith(r.districtCode), "streetCode must lie in districtCode");
const residenceSnake = z
  .object({ district_code: z.string().regex(DISTRICT_CODE), street_code: z.string().regex(STREET_CODE) })
  .refine((r) => r.street_code.startsWith(r.district_code), "street_code must lie in district_code")
  .transform((r) => ({ districtCode: r.district_code, streetCode: r.street_code }));

/**
 * The residence fields of a unified record (`districtCode`, `streetCode`): present only when the wire record
 * carried a residence, so a record without one is exactly what it was before residences were sent.
 */
export function residenceFields(r: { districtCode: string; streetCode: string } | null | undefined): { districtCode?: string; streetCode?: string } {
  return r ? { districtCode: r.districtCode, streetCode: r.streetCode } : {};
}

/** zod field types for the wire formats */
export const wire = {
  /** `residence: { districtCode, streetCode }`, optional, null when the department holds no address */
  residence: () => residenceCamel.nullish(),
  /** the same in snake case (`district_code`, `street_code`) */
  residenceSnake: () => residenceSnake.nullish(),
  yuan: () => converted(z.string(), yuanToFen),
  date: () => converted(z.string(), isoDateToUtc),
  /** ISO timestamp that must carry an offset (or Z): a zone-less time would be ambiguous */
  dateTime: () => converted(z.iso.datetime({ offset: true }), isoDateTimeToDate),
  beijingCompact: () => converted(z.string(), beijingCompactToDate),
  fen: () => z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  key: () => z.string().min(1).max(64),
};

import { GraphQLError, GraphQLScalarType, Kind } from "graphql";
import { ErrorCode } from "../src/errors.js";

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date YYYY-MM-DD, checked against the calendar (no 2023-02-30). Returns a UTC-midnight Date. */
export function parseCalendarDate(value: string): Date | null {
  const m = DATE_RE.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date;
}

export function formatDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function badDate(value: unknown): GraphQLError {
  return new GraphQLError(`Date must be a calendar date YYYY-MM-DD, got ${JSON.stringify(value)?.slice(0, 40)}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, reason: "INVALID_DATE" },
  });
}

export const DateScalar = new GraphQLScalarType<Date, string>({
  name: "Date",
  description: "A calendar date, YYYY-MM-DD (no time, no zone).",
  serialize(value) {
    if (value instanceof Date) return formatDate(value);
    if (typeof value === "string" && parseCalendarDate(value)) return value;
    throw new GraphQLError("Date cannot represent this value");
  },
  parseValue(value) {
    const d = typeof value === "string" ? parseCalendarDate(value) : null;
    if (!d) throw badDate(value);
    return d;
  },
  parseLiteral(ast) {
    const d = ast.kind === Kind.STRING ? parseCalendarDate(ast.value) : null;
    if (!d) throw badDate(ast.kind === Kind.STRING ? ast.value : ast.kind);
    return d;
  },
});

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "An instant, ISO 8601 with zone, e.g. 2026-11-22T08:00:00.000Z.",
  serialize(value) {
    if (value instanceof Date) return value.toISOString();
    if (typeof value === "string" && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
    throw new GraphQLError("DateTime cannot represent this value");
  },
  parseValue(value) {
    if (typeof value !== "string" || Number.isNaN(Date.parse(value)))
      throw new GraphQLError("DateTime must be ISO 8601", { extensions: { code: ErrorCode.BAD_USER_INPUT, reason: "INVALID_DATETIME" } });
    return new Date(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || Number.isNaN(Date.parse(ast.value)))
      throw new GraphQLError("DateTime must be ISO 8601", { extensions: { code: ErrorCode.BAD_USER_INPUT, reason: "INVALID_DATETIME" } });
    return new Date(ast.value);
  },
});

function toFen(value: unknown): number {
  const n = typeof value === "bigint" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n))
    throw new GraphQLError("Fen must be a whole number of fen (1 yuan = 100 fen) within ±2^53", {
      extensions: { code: ErrorCode.BAD_USER_INPUT, reason: "INVALID_AMOUNT" },
    });
  return n;
}

/** Money in integer fen. Serialised as a JSON number (safe integer), never a float. */
export const FenScalar = new GraphQLScalarType<number, number>({
  name: "Fen",
  description: "An amount of money in fen (1 yuan = 100 fen), a whole number.",
  serialize: toFen,
  parseValue: toFen,
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT) return toFen(Number.NaN);
    return toFen(Number(ast.value));
  },
});

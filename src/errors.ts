import { GraphQLError } from "graphql";

/**
 * Stable error codes carried in `extensions.code`. Clients may switch on these; never rename one.
 * BAD_USER_INPUT errors also carry `extensions.reason` (stable too) and, where one field is at fault,
 * `extensions.field` (a dotted path into the arguments, e.g. "input.members.1.idNumber").
 */
export const ErrorCode = {
  BAD_USER_INPUT: "BAD_USER_INPUT",
  NOT_FOUND: "NOT_FOUND",
  STALE_VERSION: "STALE_VERSION",
  ALREADY_EXISTS: "ALREADY_EXISTS",
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
  AUDIT_UNAVAILABLE: "AUDIT_UNAVAILABLE",
  ALREADY_RESOLVED: "ALREADY_RESOLVED",
} as const;

export type InputReason =
  | "INVALID_ID_NUMBER"
  | "ID_NUMBER_MISMATCH"
  | "DUPLICATE_ID_NUMBER"
  | "INVALID_DATE"
  | "DATE_IN_FUTURE"
  | "DATE_RANGE"
  | "NEGATIVE_AMOUNT"
  | "PAGE_SIZE"
  | "INVALID_CURSOR"
  | "INVALID_ID"
  | "UNKNOWN_STREET"
  | "HOUSEHOLD_HEAD"
  | "REQUIRED"
  | "TOO_LONG"
  | "INVALID_FORMAT"
  // charity matching
  | "NOT_POSITIVE"
  | "RANGE"
  | "NOT_SERVED"
  | "INSUFFICIENT_CAPACITY"
  | "NEED_NOT_OPEN"
  | "NEED_CLAIMED"
  | "RESOURCE_UNAVAILABLE"
  | "NO_MATCH"
  | "IDEMPOTENCY_KEY_REUSED"
  | "CLAIM_NOT_ACTIVE"
  // alerts
  | "NOT_A_DEPARTMENT"
  // caseworker input outside its code list (src/domain/codes.ts: serious diseases, disability categories, insurance tiers)
  | "UNKNOWN_CODE";

export interface InputProblem {
  field: string;
  reason: InputReason;
  message: string;
}

export function badInput(problems: InputProblem[]): GraphQLError {
  const first = problems[0];
  const message =
    problems.length === 1 ? first.message : `${problems.length} input problems: ${problems.map((p) => p.message).join("; ")}`;
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, reason: first.reason, field: first.field, problems },
  });
}

/** `first` (or another page-size argument) outside 1..max: one PAGE_SIZE problem, else none (a fresh array either way). */
export function pageSizeProblems(first: number, max: number, field = "first"): InputProblem[] {
  return Number.isInteger(first) && first >= 1 && first <= max
    ? []
    : [{ field, reason: "PAGE_SIZE", message: `${field} must be between 1 and ${max}` }];
}

export function notFound(what: string): GraphQLError {
  return new GraphQLError(`${what} not found`, { extensions: { code: ErrorCode.NOT_FOUND } });
}

export function staleVersion(expected: number): GraphQLError {
  return new GraphQLError(`The household was changed by someone else (version ${expected} is stale); reload it and retry`, {
    extensions: { code: ErrorCode.STALE_VERSION },
  });
}

/** An alert that was already resolved: nothing is recorded (resolving is final; a new alert has a new key). */
export function alreadyResolved(key: string): GraphQLError {
  return new GraphQLError(`Alert ${key} is already resolved`, { extensions: { code: ErrorCode.ALREADY_RESOLVED } });
}

export function alreadyExists(message: string, field: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.ALREADY_EXISTS, field } });
}

export const AUDIT_UNAVAILABLE_MESSAGE = "The access could not be recorded in the audit log; no data is returned. Try again later.";

/** The access could not be recorded in the audit log: the client gets this and no data (fail closed). */
export function auditUnavailable(): GraphQLError {
  return new GraphQLError(AUDIT_UNAVAILABLE_MESSAGE, {
    extensions: { code: ErrorCode.AUDIT_UNAVAILABLE, http: { status: 503 } },
  });
}

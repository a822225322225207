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
  // The HTTP edge (src/app/edge/http-errors.ts, src/app/edge/input-guard.ts): every refusal answers
  // { errors: [{ message, extensions: { code, requestId, reason? } }] } with one of these.
  /** a request the edge cannot take (malformed JSON, CSRF prevention, batching, a malformed HTTP request); `reason` says which */
  BAD_REQUEST: "BAD_REQUEST",
  /** HTTP 413: the body is larger than BODY_LIMIT_BYTES */
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  /** HTTP 415: the body is not application/json */
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  /** HTTP 431: the request headers are larger than the server accepts */
  HEADERS_TOO_LARGE: "HEADERS_TOO_LARGE",
  /** HTTP 408: the request did not arrive in time */
  REQUEST_TIMEOUT: "REQUEST_TIMEOUT",
  /** HTTP 404: no such route (not a missing record: that is NOT_FOUND) */
  ROUTE_NOT_FOUND: "ROUTE_NOT_FOUND",
  /** HTTP 405: the route exists, not with this method */
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  /** HTTP 429 */
  RATE_LIMITED: "RATE_LIMITED",
  /** HTTP 400: several operations and no (or an unknown) operationName */
  OPERATION_RESOLUTION_FAILURE: "OPERATION_RESOLUTION_FAILURE",
  /** HTTP 400: the gateway serves no subscriptions over HTTP */
  SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP: "SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP",
  /** HTTP 503: load shedding (src/app/edge/load-shedding.ts); `retryAfterSeconds` says when to retry */
  OVERLOADED: "OVERLOADED",
  // GraphQL documents (Apollo's codes, kept): a document that does not parse or does not validate (a document
  // limit answers GRAPHQL_VALIDATION_FAILED with a `reason` naming it — DEPTH_LIMIT, ALIAS_LIMIT, DIRECTIVE_LIMIT,
  // TOKEN_LIMIT, COST_LIMIT —, src/graphql/limits.ts)
  GRAPHQL_PARSE_FAILED: "GRAPHQL_PARSE_FAILED",
  GRAPHQL_VALIDATION_FAILED: "GRAPHQL_VALIDATION_FAILED",
  // persisted operations (src/app/edge/persisted-operations.ts)
  PERSISTED_QUERY_NOT_FOUND: "PERSISTED_QUERY_NOT_FOUND",
  PERSISTED_QUERY_NOT_SUPPORTED: "PERSISTED_QUERY_NOT_SUPPORTED",
  OPERATION_NOT_PERSISTED: "OPERATION_NOT_PERSISTED",
  // a department system's failure, per path, beside the partial data (connectors/kit/errors.ts)
  UPSTREAM_TIMEOUT: "UPSTREAM_TIMEOUT",
  UPSTREAM_UNAVAILABLE: "UPSTREAM_UNAVAILABLE",
  UPSTREAM_BAD_RESPONSE: "UPSTREAM_BAD_RESPONSE",
  /** a computed field needs a policy parameter no version of which is in force for the region and day */
  POLICY_PARAMETER_MISSING: "POLICY_PARAMETER_MISSING",
} as const;

export type ErrorCodeName = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes whose messages were written for clients; any other error reaches a client as INTERNAL_SERVER_ERROR (src/graphql/format-error.ts). */
export const CLIENT_CODES: ReadonlySet<string> = new Set<ErrorCodeName>([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.NOT_FOUND,
  ErrorCode.STALE_VERSION,
  ErrorCode.ALREADY_EXISTS,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.BAD_REQUEST,
  ErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ErrorCode.OPERATION_RESOLUTION_FAILURE,
  ErrorCode.UPSTREAM_TIMEOUT,
  ErrorCode.UPSTREAM_UNAVAILABLE,
  ErrorCode.UPSTREAM_BAD_RESPONSE,
  ErrorCode.AUDIT_UNAVAILABLE,
  ErrorCode.ALREADY_RESOLVED,
  ErrorCode.POLICY_PARAMETER_MISSING,
  ErrorCode.SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP,
]);

/** Stable `reason`s of FORBIDDEN. */
export type ForbiddenReason =
  | "FIELD_NOT_ALLOWED"
  | "CHARITY_NOT_REGISTERED"
  | "CHARITY_SUSPENDED"
  | "NOT_PUSHED_TO_YOU"
  // federation (src/graphql/subgraph.ts): an `_entities` representation of a type the audience may not look up
  | "ENTITY_NOT_ALLOWED";

/** The principal may not do (or read) this; `http` for a refusal of the whole operation (403). */
export function forbidden(message: string, reason: ForbiddenReason, http?: { status: number }): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN, reason, ...(http && { http }) } });
}

/** Stable `reason`s of BAD_REQUEST (HTTP 400 at the edge). */
export type BadRequestReason =
  | "MALFORMED_JSON"
  | "INVALID_UTF8"
  | "EMPTY_BODY"
  | "CSRF_PREVENTION"
  | "BATCHING_DISABLED"
  | "GET_NOT_QUERY"
  | "MALFORMED_REQUEST"
  | "MALFORMED_HTTP";

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
  // a person id that is not a member of the household named beside it
  | "NOT_A_MEMBER"
  // a field that does not apply to the rest of the input (a decision date on an application still APPLIED, an amount on a refusal)
  | "NOT_APPLICABLE"
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
  // the edge's generic input guard (src/app/edge/input-guard.ts): NUL (U+0000) or a lone UTF-16 surrogate in a string
  | "INVALID_CHARACTER"
  // the edge's generic input guard: variables nested deeper than MAX_INPUT_DEPTH
  | "TOO_DEEP"
  // caseworker input outside its code list (src/domain/codes.ts: serious diseases, disability categories, insurance tiers)
  | "UNKNOWN_CODE"
  // federation (src/graphql/subgraph.ts): an `_entities` representation that names no entity type
  | "INVALID_REPRESENTATION";

export interface InputProblem {
  field: string;
  reason: InputReason;
  message: string;
}

export function badInput(problems: InputProblem[], http?: { status: number }): GraphQLError {
  const first = problems[0];
  const message =
    problems.length === 1 ? first.message : `${problems.length} input problems: ${problems.map((p) => p.message).join("; ")}`;
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, reason: first.reason, field: first.field, problems, ...(http && { http }) },
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

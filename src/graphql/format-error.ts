import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { GatewayContext } from "./context.js";
import { MissingParameterError } from "../domain/observed.js";
import { badRequestReason } from "../app/edge/http-errors.js";

/** Codes whose messages were written for clients; anything else is masked. */
export const CLIENT_CODES = new Set([
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "STALE_VERSION",
  "ALREADY_EXISTS",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "UPSTREAM_TIMEOUT",
  "UPSTREAM_UNAVAILABLE",
  "UPSTREAM_BAD_RESPONSE",
  "AUDIT_UNAVAILABLE",
  "ALREADY_RESOLVED",
  "POLICY_PARAMETER_MISSING",
  "SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP",
]);

/** graphql-js's token-limit message names the limit (and its location points at it). */
const TOKEN_LIMIT = /^Syntax Error: Document contains more th(?:at|an) \d+ tokens/; // graphql-js 16 says "more that"
/** What graphql-armor says for every other document limit (exposeLimits: false). */
export const LIMIT_MESSAGE = "Syntax Error: Query validation error.";
/**
 * graphql-js suggestions ("Did you mean "x"?", "Did you mean the enum value "X"?") reveal the schema;
 * hideSchemaDetailsFromClientErrors and armor cover validation messages only, not variable coercion.
 */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

/**
 * Apollo's formatError: client-facing errors keep their message and extensions (minus any stack);
 * everything else becomes INTERNAL_SERVER_ERROR with a generic message. The original is logged by
 * `errorReportingPlugin` under the request id the client also gets.
 */
export function formatError(formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError {
  // A computed field needs a policy parameter the registry has no version of for that region and day: a
  // configuration gap civil affairs must close, named as such (never a guessed default, never a bare 500).
  const cause = error === undefined ? undefined : unwrapResolverError(error);
  if (cause instanceof MissingParameterError)
    return {
      message: `No policy parameter ${cause.key} is in force for this household's region on the evaluation date`,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: "POLICY_PARAMETER_MISSING", parameter: cause.key },
    };
  const code = formatted.extensions?.code as string | undefined;
  // every document limit looks the same to a client: 400, GRAPHQL_VALIDATION_FAILED, no number, no location
  if (code === "GRAPHQL_PARSE_FAILED" && TOKEN_LIMIT.test(formatted.message))
    return { message: LIMIT_MESSAGE, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } };
  if (code && CLIENT_CODES.has(code)) {
    const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
    // Apollo's BAD_REQUESTs (CSRF prevention, batching, a malformed request) get a stable reason
    if (code === "BAD_REQUEST" && extensions.reason === undefined) extensions.reason = badRequestReason(formatted.message);
    return { ...formatted, message: formatted.message.replace(SUGGESTION, ""), extensions };
  }
  return { message: "Internal server error", locations: formatted.locations, path: formatted.path, extensions: { code: "INTERNAL_SERVER_ERROR" } };
}

export interface ErrorLog {
  error(obj: object, msg: string): void;
}

/** Logs unexpected errors with the request id, and stamps the request id on every client error. */
export function errorReportingPlugin(log: ErrorLog): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const err of errors) {
            const code = err.extensions?.code as string | undefined;
            if (!code || !CLIENT_CODES.has(code))
              log.error({ err: err.originalError ?? err, path: err.path, requestId: contextValue.requestId }, "unexpected error in GraphQL operation");
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== "single" || !response.body.singleResult.errors) return;
          const requestId = contextValue?.requestId;
          if (!requestId) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) => ({
            ...e,
            extensions: { ...e.extensions, requestId },
          }));
        },
      };
    },
  };
}

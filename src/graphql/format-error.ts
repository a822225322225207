import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { GatewayContext } from "./context.js";
import { MissingParameterError } from "../domain/observed.js";
import { badRequestReason } from "../app/edge/http-errors.js";
import { limitError, limitReasonOf } from "./limits.js";
import { CLIENT_CODES, ErrorCode } from "../errors.js";

export { CLIENT_CODES };


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
      extensions: { code: ErrorCode.POLICY_PARAMETER_MISSING, parameter: cause.key },
    };
  const code = formatted.extensions?.code as string | undefined;
  // a document limit: 400, GRAPHQL_VALIDATION_FAILED, the limit's `reason`; no number, no location
  const limit = limitReasonOf(code, formatted.message);
  if (limit) return limitError(limit);
  if (code && CLIENT_CODES.has(code)) {
    const { stacktrace: _s, ...extensions } = formatted.extensions ?? {};
    // Apollo's BAD_REQUESTs (CSRF prevention, batching, a malformed request) get a stable reason
    if (code === ErrorCode.BAD_REQUEST && extensions.reason === undefined) extensions.reason = badRequestReason(formatted.message);
    return { ...formatted, message: formatted.message.replace(SUGGESTION, ""), extensions };
  }
  return { message: "Internal server error", locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
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

import { HeaderMap } from "@apollo/server";
import { GraphQLError } from "graphql";
import type { AuthError } from "./errors.js";

/**
 * The GraphQL error for an authentication failure, for an Apollo Server context function to throw:
 * `extensions` carry `code: "UNAUTHENTICATED"` and the stable `reason` (plus `claim` when one is at
 * fault); `extensions.http` makes Apollo answer 401 (503 for KEYS_UNAVAILABLE) with an RFC 6750
 * `WWW-Authenticate` header. The original cause is not attached, so nothing internal can leak.
 */
export function authErrorToGraphQLError(err: AuthError, realm?: string): GraphQLError {
  const headers = new HeaderMap();
  if (err.httpStatus === 401) headers.set("www-authenticate", err.wwwAuthenticate(realm));
  else headers.set("retry-after", "5");
  return new GraphQLError(err.message, {
    extensions: {
      code: err.code,
      reason: err.reason,
      ...(err.claim ? { claim: err.claim } : {}),
      http: { status: err.httpStatus, headers },
    },
  });
}

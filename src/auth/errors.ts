/**
 * Authentication failures. Every failure of `Verifier.verify` is an `AuthError` with the GraphQL code
 * UNAUTHENTICATED and a stable `reason` that clients may switch on (never rename one). The message is
 * short and safe to show a client: it never contains key material, token contents or internals. The
 * underlying error (a jose error, a network error) is kept as `cause` for server logs only.
 */
export const AUTH_FAILURE_REASONS = [
  "MISSING_TOKEN",
  "MALFORMED_TOKEN",
  "DUPLICATE_AUTHORIZATION",
  "TOKEN_TOO_LARGE",
  "ALGORITHM_NOT_ALLOWED",
  "INVALID_SIGNATURE",
  "TOKEN_EXPIRED",
  "TOKEN_NOT_YET_VALID",
  "WRONG_AUDIENCE",
  "WRONG_ISSUER",
  "MISSING_CLAIM",
  "UNKNOWN_KEY",
  "WRONG_TYPE",
  "INVALID_CLAIMS",
  "KEYS_UNAVAILABLE",
] as const;

export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

export class AuthError extends Error {
  override readonly name = "AuthError";
  readonly code = "UNAUTHENTICATED" as const;
  /** The claim (or header parameter, e.g. "typ") at fault, when one is; claim names are not secret. */
  readonly claim: string | null;
  /**
   * 401 for everything the client can fix with another token; 503 for KEYS_UNAVAILABLE (the gateway
   * could not obtain its verification keys: retrying later with the same token may succeed).
   */
  readonly httpStatus: 401 | 503;

  constructor(
    readonly reason: AuthFailureReason,
    message: string,
    options: { claim?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.claim = options.claim ?? null;
    this.httpStatus = reason === "KEYS_UNAVAILABLE" ? 503 : 401;
  }

  /** What a client may see, e.g. for GraphQL `extensions`. */
  toJSON(): { code: "UNAUTHENTICATED"; reason: AuthFailureReason; message: string; claim?: string } {
    return { code: this.code, reason: this.reason, message: this.message, ...(this.claim ? { claim: this.claim } : {}) };
  }

  /**
   * RFC 6750 §3 `WWW-Authenticate` value for a 401 response. No error attribute when no token was
   * presented (as the RFC asks); `invalid_token` otherwise.
   */
  wwwAuthenticate(realm = "safetynet-gateway"): string {
    if (this.reason === "MISSING_TOKEN") return `Bearer realm="${realm}"`;
    return `Bearer realm="${realm}", error="invalid_token", error_description="${this.message.replace(/["\\]/g, "'")}"`;
  }
}

export function isAuthError(err: unknown): err is AuthError {
  return err instanceof AuthError;
}

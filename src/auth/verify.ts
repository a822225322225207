import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type CryptoKey,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
} from "jose";
import type { AuthConfig } from "./config.js";
import { AuthError } from "./errors.js";
import type { VerificationKeys } from "./keys.js";
import { principalFromClaims, type Principal } from "./principal.js";

export interface Verifier {
  /**
   * Verifies an `Authorization` header value ("Bearer <jwt>", scheme case-insensitive) and returns the
   * Principal. Every failure is an AuthError (code UNAUTHENTICATED, stable `reason`). Several values
   * (the header sent more than once; see authorizationHeaders in src/app/edge/http-errors.ts) are refused
   * as DUPLICATE_AUTHORIZATION: which one counts would otherwise depend on who parses the request.
   */
  verify(authorizationHeader: string | readonly string[] | undefined): Promise<Principal>;
  /**
   * Fetches the remote key set now, bypassing the cooldown (for a readiness probe or a warm start);
   * a no-op for local keys. Throws AuthError KEYS_UNAVAILABLE when the set cannot be fetched.
   */
  refreshKeys(): Promise<void>;
  readonly keySource: "local" | "remote";
}

export interface VerifierOptions {
  /** Clock for exp/nbf checks (tests). The remote key cache always uses the real clock. */
  now?: () => Date;
}

/** The parts of the configuration the verifier uses. */
export type VerifierConfig = Pick<
  AuthConfig,
  | "issuer"
  | "audience"
  | "algorithms"
  | "typ"
  | "clockToleranceSeconds"
  | "maxTokenBytes"
  | "jwksCacheMaxAgeSeconds"
  | "jwksCooldownSeconds"
  | "jwksTimeoutSeconds"
  | "claims"
  | "cityCode"
>;

/** Longest header prefix tolerated around the token ("Bearer" + spaces) before the size check fails. */
const HEADER_OVERHEAD = 32;
/** How long (at most) and how many verified tokens are remembered (see createVerifier). */
export const VERIFIED_TTL_MS = 60_000;
export const VERIFIED_MAX = 1_000;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Wraps any failure to obtain keys (network, timeout, non-200, bad key set) other than "no such key". */
class KeyResolutionFailure extends Error {
  constructor(cause: unknown) {
    super("key resolution failed", { cause });
  }
}

const fail = (reason: ConstructorParameters<typeof AuthError>[0], message: string, claim?: string, cause?: unknown) =>
  new AuthError(reason, message, { claim, cause });

/** Extracts the compact JWT from the header. Size is checked before anything else is looked at. */
export function bearerToken(authorizationHeader: string | readonly string[] | undefined, maxTokenBytes: number): string {
  if (authorizationHeader === undefined || authorizationHeader === null) {
    throw fail("MISSING_TOKEN", "An Authorization: Bearer token is required");
  }
  if (Array.isArray(authorizationHeader)) {
    if (authorizationHeader.length > 1) throw fail("DUPLICATE_AUTHORIZATION", "Send exactly one Authorization header");
    return bearerToken(authorizationHeader[0], maxTokenBytes);
  }
  if (typeof authorizationHeader !== "string") throw fail("MALFORMED_TOKEN", "The Authorization header is malformed");
  if (authorizationHeader.length > maxTokenBytes + HEADER_OVERHEAD) {
    throw fail("TOKEN_TOO_LARGE", `The bearer token is larger than ${maxTokenBytes} bytes`);
  }
  const header = authorizationHeader.trim();
  if (header === "") throw fail("MISSING_TOKEN", "An Authorization: Bearer token is required");
  const space = header.search(/\s/);
  const scheme = space < 0 ? header : header.slice(0, space);
  if (scheme.toLowerCase() !== "bearer") {
    throw fail("MISSING_TOKEN", "The Authorization header must use the Bearer scheme");
  }
  const token = space < 0 ? "" : header.slice(space + 1).trim();
  if (token === "") throw fail("MISSING_TOKEN", "An Authorization: Bearer token is required");
  if (Buffer.byteLength(token, "utf8") > maxTokenBytes) {
    throw fail("TOKEN_TOO_LARGE", `The bearer token is larger than ${maxTokenBytes} bytes`);
  }
  if (!COMPACT_JWS.test(token)) throw fail("MALFORMED_TOKEN", "The bearer token is not a well-formed JWT");
  return token;
}

/**
 * Maps anything jwtVerify (or key resolution) throws to an AuthError. Exhaustive over jose's error
 * codes: a new code in a future jose fails the type check here.
 */
export function authErrorFrom(err: unknown): AuthError {
  if (err instanceof AuthError) return err;
  if (err instanceof KeyResolutionFailure) {
    return fail("KEYS_UNAVAILABLE", "Token verification keys are temporarily unavailable; retry later", undefined, err.cause);
  }
  if (!(err instanceof errors.JOSEError)) {
    return fail("KEYS_UNAVAILABLE", "The token could not be verified right now; retry later", undefined, err);
  }
  const e = err as errors.AnyJOSEError | (errors.JOSEError & { code: "ERR_JOSE_GENERIC" });
  switch (e.code) {
    case "ERR_JWT_EXPIRED":
      return fail("TOKEN_EXPIRED", "The token has expired", e.claim, e);
    case "ERR_JWT_CLAIM_VALIDATION_FAILED": {
      const { claim, reason } = e;
      if (claim === "typ") return fail("WRONG_TYPE", "The token type (typ header) is not accepted", "typ", e);
      if (reason === "missing") return fail("MISSING_CLAIM", `The token lacks the required "${claim}" claim`, claim, e);
      if (claim === "aud") return fail("WRONG_AUDIENCE", "The token was not issued for this gateway", claim, e);
      if (claim === "iss") return fail("WRONG_ISSUER", "The token was not issued by a trusted issuer", claim, e);
      if ((claim === "nbf" || claim === "iat") && reason === "check_failed") {
        return fail("TOKEN_NOT_YET_VALID", "The token is not valid yet", claim, e);
      }
      return fail("INVALID_CLAIMS", `The token's "${claim}" claim is invalid`, claim, e);
    }
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return fail("ALGORITHM_NOT_ALLOWED", "The token's signing algorithm is not accepted", undefined, e);
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return fail("INVALID_SIGNATURE", "The token signature is invalid", undefined, e);
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return fail("UNKNOWN_KEY", "The token was signed with an unknown key", undefined, e);
    case "ERR_JWKS_TIMEOUT":
    case "ERR_JWKS_INVALID":
    case "ERR_JWK_INVALID":
    case "ERR_JOSE_GENERIC":
      return fail("KEYS_UNAVAILABLE", "Token verification keys are temporarily unavailable; retry later", undefined, e);
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
    case "ERR_JWE_INVALID":
    case "ERR_JWE_DECRYPTION_FAILED":
    case "ERR_JOSE_NOT_SUPPORTED": // e.g. an unrecognised "crit" header parameter
      return fail("MALFORMED_TOKEN", "The bearer token is not a well-formed JWT", undefined, e);
    default: {
      const unhandled: never = e;
      return fail("KEYS_UNAVAILABLE", "The token could not be verified right now; retry later", undefined, unhandled);
    }
  }
}

function keyResolver(config: VerifierConfig, keys: VerificationKeys) {
  if (keys.kind === "local") {
    const local = createLocalJWKSet(keys.jwks);
    return { resolve: local, refresh: async () => undefined };
  }
  const remote = createRemoteJWKSet(keys.url, {
    cacheMaxAge: config.jwksCacheMaxAgeSeconds * 1000,
    cooldownDuration: config.jwksCooldownSeconds * 1000,
    timeoutDuration: config.jwksTimeoutSeconds * 1000,
  });
  return { resolve: remote, refresh: () => remote.reload() };
}

/** The Principal shared by every request that sends the same token: read-only all the way down. */
function frozen(p: Principal): Principal {
  Object.freeze(p.roles);
  const j = p.jurisdiction;
  if (j.kind === "districts") Object.freeze(j.districts);
  if (j.kind === "streets") Object.freeze(j.streets);
  Object.freeze(j);
  return Object.freeze(p);
}

export function createVerifier(config: VerifierConfig, keys: VerificationKeys, options: VerifierOptions = {}): Verifier {
  const { resolve, refresh } = keyResolver(config, keys);

  const getKey: JWTVerifyGetKey<CryptoKey> = async (header, token) => {
    try {
      return await resolve(header, token);
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) throw err;
      throw new KeyResolutionFailure(err);
    }
  };

  const baseOptions: JWTVerifyOptions = {
    algorithms: [...config.algorithms],
    issuer: config.issuer,
    audience: config.audience,
    requiredClaims: ["exp", "iss", "aud", "sub"],
    clockTolerance: config.clockToleranceSeconds,
    ...(config.typ ? { typ: config.typ } : {}),
  };
  const principalOptions = { claims: config.claims, cityCode: config.cityCode };

  // Verified tokens, by their compact string: a client sends the same token with every request, and an ES256
  // signature check is ≈ 0.4 ms of CPU. Only successes are kept; a hit is re-checked against "exp" (with the same
  // clock tolerance jose applies) and expires after VERIFIED_TTL_MS at most, so a key withdrawn from a remote key
  // set stops a token it signed within that time (well inside the key set's own cache, jwksCacheMaxAgeSeconds).
  // Bounded (least recently used out). "nbf" and a future "iat" only ever get more satisfied with time.
  const verified = new Map<string, { principal: Principal; exp: number; until: number }>();
  const ttlMs = Math.min(VERIFIED_TTL_MS, config.jwksCacheMaxAgeSeconds * 1000);

  return {
    keySource: keys.kind,
    async verify(authorizationHeader) {
      const token = bearerToken(authorizationHeader, config.maxTokenBytes);
      const hit = verified.get(token);
      if (hit) {
        const nowS = (options.now ? options.now() : new Date()).getTime() / 1000;
        if (Date.now() < hit.until && hit.exp > nowS - config.clockToleranceSeconds) {
          verified.delete(token);
          verified.set(token, hit);
          return hit.principal;
        }
        verified.delete(token);
      }
      let payload: Record<string, unknown>;
      try {
        const result = await jwtVerify(token, getKey, {
          ...baseOptions,
          ...(options.now ? { currentDate: options.now() } : {}),
        });
        payload = result.payload as Record<string, unknown>;
      } catch (err) {
        throw authErrorFrom(err);
      }
      // jose checks "iat" only against a maxTokenAge; a token issued in the future (beyond the same clock
      // tolerance as exp and nbf) is as suspect as one not valid yet.
      const now = Math.floor((options.now ? options.now() : new Date()).getTime() / 1000);
      if (typeof payload.iat === "number" && payload.iat > now + config.clockToleranceSeconds)
        throw fail("TOKEN_NOT_YET_VALID", "The token is not valid yet (issued in the future)", "iat");
      const principal = frozen(principalFromClaims(payload, principalOptions));
      if (ttlMs > 0) {
        verified.set(token, { principal, exp: principal.expiresAt.getTime() / 1000, until: Date.now() + ttlMs });
        if (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value!);
      }
      return principal;
    },
    async refreshKeys() {
      try {
        await refresh();
      } catch (err) {
        throw fail("KEYS_UNAVAILABLE", "Token verification keys are temporarily unavailable; retry later", undefined, err);
      }
    },
  };
}

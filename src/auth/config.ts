import path from "node:path";
import { z } from "zod";
import { CITY_CODE, type ClaimNames } from "./principal.js";

/**
 * Authentication configuration, from environment variables. `authConfigFromEnv` never throws: it returns
 * either the config or a list of problems ("JWT_ALGORITHMS: ...", one per line, each naming the
 * variable) for the main configuration to report together with its own.
 *
 * | variable                     | default                                  |
 * |------------------------------|------------------------------------------|
 * | JWT_ISSUER                   | required in production; dev: "safetynet-dev" |
 * | JWT_AUDIENCE                 | required in production; dev: "safetynet-gateway" |
 * | JWT_ALGORITHMS               | "ES256,RS256,EdDSA" (subset of ES256, RS256, EdDSA, PS256, ES384) |
 * | JWT_JWKS_FILE / JWT_JWKS_URL | one required in production; dev: generated key pair in DATA_DIR/keys |
 * | JWT_TYP                      | unset (any typ); e.g. "at+jwt"           |
 * | JWT_CLOCK_TOLERANCE_SECONDS  | 30 (0..30)                               |
 * | JWT_MAX_TOKEN_BYTES          | 8192 (1024..65536)                       |
 * | JWKS_CACHE_MAX_AGE_SECONDS   | 600 (1..86400)                           |
 * | JWKS_COOLDOWN_SECONDS        | 30 (0..3600)                             |
 * | JWKS_TIMEOUT_SECONDS         | 5 (1..60)                                |
 * | JWT_CLAIM_DEPARTMENT         | "dept"                                   |
 * | JWT_CLAIM_ROLES              | "roles"                                  |
 * | JWT_CLAIM_JURISDICTION       | "jurisdiction"                           |
 * | JWT_CLAIM_PURPOSE            | "purpose"                                |
 * | JWT_CLAIM_CHARITY            | "charity_id"                             |
 * | AUTH_CITY_CODE               | "500000" (scope of charity tokens without a jurisdiction; dev tokens' city) |
 * | DATA_DIR                     | "./data" (dev keys live in DATA_DIR/keys) |
 * | NODE_ENV                     | anything but development/test counts as production (fail closed) |
 */

/** Asymmetric algorithms a deployment may allow. HS* (shared secrets) and "none" are never accepted. */
export const SUPPORTED_ALGORITHMS = ["ES256", "RS256", "EdDSA", "PS256", "ES384"] as const;
export type SupportedAlgorithm = (typeof SUPPORTED_ALGORITHMS)[number];
export const DEFAULT_ALGORITHMS = "ES256,RS256,EdDSA";

export type KeySource =
  | { kind: "jwks-file"; path: string }
  | { kind: "jwks-url"; url: URL }
  | { kind: "dev"; dir: string };

export interface AuthConfig {
  production: boolean;
  issuer: string;
  audience: string;
  algorithms: SupportedAlgorithm[];
  keySource: KeySource;
  /** Required header `typ` (compared as jose does: "at+jwt" equals "application/at+jwt"), or null. */
  typ: string | null;
  clockToleranceSeconds: number;
  maxTokenBytes: number;
  jwksCacheMaxAgeSeconds: number;
  jwksCooldownSeconds: number;
  jwksTimeoutSeconds: number;
  claims: ClaimNames;
  cityCode: string;
}

export type AuthConfigResult = { ok: true; config: AuthConfig; problems: [] } | { ok: false; config: null; problems: string[] };

const REGISTERED_CLAIMS = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]);
const RESERVED_NAMES = new Set(["__proto__", "constructor", "prototype"]);

const int = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`)
    .optional()
    .transform((n) => n ?? fallback);

const claimName = (fallback: string) =>
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_.:/-]{0,127}$/, "must be a claim name (letters, digits, _ . : / -; at most 128)")
    .refine((n) => !REGISTERED_CLAIMS.has(n), "must not be a registered JWT claim (iss, sub, aud, exp, nbf, iat, jti)")
    .refine((n) => !RESERVED_NAMES.has(n), "must not be __proto__, constructor or prototype")
    .optional()
    .transform((n) => n ?? fallback);

const algorithms = z
  .string()
  .optional()
  .transform((raw, ctx): SupportedAlgorithm[] => {
    const names = (raw ?? DEFAULT_ALGORITHMS)
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const out: SupportedAlgorithm[] = [];
    for (const name of names) {
      const known = SUPPORTED_ALGORITHMS.find((a) => a.toLowerCase() === name.toLowerCase());
      if (known) {
        if (!out.includes(known)) out.push(known);
      } else if (/^hs\d+$/i.test(name) || name.toLowerCase() === "none") {
        ctx.addIssue({
          code: "custom",
          message: `${name} is never allowed (only asymmetric signatures are accepted); choose from ${SUPPORTED_ALGORITHMS.join(", ")}`,
        });
      } else {
        ctx.addIssue({ code: "custom", message: `${name} is not supported; choose from ${SUPPORTED_ALGORITHMS.join(", ")}` });
      }
    }
    if (names.length === 0) ctx.addIssue({ code: "custom", message: `must list at least one of ${SUPPORTED_ALGORITHMS.join(", ")}` });
    return out;
  });

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

const jwksUrl = z
  .string()
  .transform((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be an absolute https:// URL" });
      return z.NEVER;
    }
    if (!(url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname)))) {
      ctx.addIssue({ code: "custom", message: "must be an https:// URL (http:// only for 127.0.0.1/localhost)" });
      return z.NEVER;
    }
    if (url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "must not contain credentials" });
      return z.NEVER;
    }
    return url;
  })
  .optional();

const schema = z.object({
  JWT_ISSUER: z.string().max(512, "must be at most 512 characters").optional(),
  JWT_AUDIENCE: z.string().max(512, "must be at most 512 characters").optional(),
  JWT_ALGORITHMS: algorithms,
  JWT_JWKS_FILE: z.string().optional(),
  JWT_JWKS_URL: jwksUrl,
  JWT_TYP: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9.+/-]{0,63}$/, 'must be a media type such as "at+jwt"')
    .optional(),
  JWT_CLOCK_TOLERANCE_SECONDS: int(0, 30, 30),
  JWT_MAX_TOKEN_BYTES: int(1024, 65536, 8192),
  JWKS_CACHE_MAX_AGE_SECONDS: int(1, 86400, 600),
  JWKS_COOLDOWN_SECONDS: int(0, 3600, 30),
  JWKS_TIMEOUT_SECONDS: int(1, 60, 5),
  JWT_CLAIM_DEPARTMENT: claimName("dept"),
  JWT_CLAIM_ROLES: claimName("roles"),
  JWT_CLAIM_JURISDICTION: claimName("jurisdiction"),
  JWT_CLAIM_PURPOSE: claimName("purpose"),
  JWT_CLAIM_CHARITY: claimName("charity_id"),
  AUTH_CITY_CODE: z
    .string()
    .regex(CITY_CODE, 'must be a 6-digit city code ending in 00, e.g. "500000"')
    .optional()
    .transform((c) => c ?? "500000"),
  DATA_DIR: z.string().optional(),
  NODE_ENV: z.string().optional(),
});

/** Every environment variable the authentication configuration reads. */
export const AUTH_VARIABLES: readonly string[] = Object.keys(schema.shape);
const VARIABLES = AUTH_VARIABLES;

export function authConfigFromEnv(env: Record<string, string | undefined> = process.env): AuthConfigResult {
  // Unset and empty are the same (as in the main configuration).
  const input: Record<string, string> = {};
  for (const name of VARIABLES) {
    const v = env[name];
    if (v !== undefined && v.trim() !== "") input[name] = v.trim();
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      config: null,
      problems: parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`),
    };
  }
  const c = parsed.data;
  const problems: string[] = [];
  const production = !(c.NODE_ENV === undefined || c.NODE_ENV === "development" || c.NODE_ENV === "test");

  let keySource: KeySource;
  if (c.JWT_JWKS_FILE && c.JWT_JWKS_URL) {
    problems.push("JWT_JWKS_FILE: set either JWT_JWKS_FILE or JWT_JWKS_URL, not both");
    keySource = { kind: "jwks-file", path: path.resolve(c.JWT_JWKS_FILE) };
  } else if (c.JWT_JWKS_FILE) {
    keySource = { kind: "jwks-file", path: path.resolve(c.JWT_JWKS_FILE) };
  } else if (c.JWT_JWKS_URL) {
    keySource = { kind: "jwks-url", url: c.JWT_JWKS_URL };
  } else {
    if (production) {
      problems.push(
        "JWT_JWKS_URL: one of JWT_JWKS_URL or JWT_JWKS_FILE is required in production (development keys are never used there)",
      );
    }
    keySource = { kind: "dev", dir: path.resolve(c.DATA_DIR ?? "./data", "keys") };
    if (!c.JWT_ALGORITHMS.includes("ES256")) {
      problems.push("JWT_ALGORITHMS: the development key pair signs with ES256; include ES256 or set JWT_JWKS_FILE/JWT_JWKS_URL");
    }
  }

  if (production && !c.JWT_ISSUER) problems.push("JWT_ISSUER: is required in production (the exact `iss` of accepted tokens)");
  if (production && !c.JWT_AUDIENCE) problems.push("JWT_AUDIENCE: is required in production (the `aud` tokens must be issued for)");

  const claims: ClaimNames = {
    department: c.JWT_CLAIM_DEPARTMENT,
    roles: c.JWT_CLAIM_ROLES,
    jurisdiction: c.JWT_CLAIM_JURISDICTION,
    purpose: c.JWT_CLAIM_PURPOSE,
    charity: c.JWT_CLAIM_CHARITY,
  };
  const variableOf: Record<keyof ClaimNames, string> = {
    department: "JWT_CLAIM_DEPARTMENT",
    roles: "JWT_CLAIM_ROLES",
    jurisdiction: "JWT_CLAIM_JURISDICTION",
    purpose: "JWT_CLAIM_PURPOSE",
    charity: "JWT_CLAIM_CHARITY",
  };
  const seen = new Map<string, string>();
  for (const [key, name] of Object.entries(claims) as [keyof ClaimNames, string][]) {
    const other = seen.get(name);
    if (other) problems.push(`${variableOf[key]}: "${name}" is already the claim of ${other}; each claim needs its own name`);
    else seen.set(name, variableOf[key]);
  }

  if (problems.length) return { ok: false, config: null, problems };
  return {
    ok: true,
    problems: [],
    config: {
      production,
      issuer: c.JWT_ISSUER ?? "safetynet-dev",
      audience: c.JWT_AUDIENCE ?? "safetynet-gateway",
      algorithms: c.JWT_ALGORITHMS,
      keySource,
      typ: c.JWT_TYP ?? null,
      clockToleranceSeconds: c.JWT_CLOCK_TOLERANCE_SECONDS,
      maxTokenBytes: c.JWT_MAX_TOKEN_BYTES,
      jwksCacheMaxAgeSeconds: c.JWKS_CACHE_MAX_AGE_SECONDS,
      jwksCooldownSeconds: c.JWKS_COOLDOWN_SECONDS,
      jwksTimeoutSeconds: c.JWKS_TIMEOUT_SECONDS,
      claims,
      cityCode: c.AUTH_CITY_CODE,
    },
  };
}

import { AuthError } from "./errors.js";

/**
 * Who is calling: built only from a verified token (see verify.ts). Authorization (which fields and
 * households a principal may see) is decided elsewhere from these facts.
 */
export const AUDIENCES = [
  "civil_affairs",
  "education",
  "employment",
  "housing",
  "medical_insurance",
  "disability",
  "health",
  "street_office",
  "charity",
  "auditor",
] as const;

export type Audience = (typeof AUDIENCES)[number];

export function isAudience(value: unknown): value is Audience {
  return typeof value === "string" && (AUDIENCES as readonly string[]).includes(value);
}

/**
 * Where a principal may act. Codes are Chinese administrative division codes: a city is 6 digits
 * ending in "00" (Chongqing: 500000), a district/county (区县) 6 digits (Yuzhong: 500103), a street
 * (街道) 9 digits (its district's code + 3 digits, e.g. 500103001).
 */
export type Jurisdiction =
  | { kind: "city"; city: string }
  | { kind: "districts"; districts: string[] }
  | { kind: "streets"; streets: string[] };

export interface Principal {
  /** The token's `sub`. */
  subject: string;
  /** The department (or charity / auditor) the token was issued for: the department claim. */
  audience: Audience;
  roles: string[];
  jurisdiction: Jurisdiction;
  /** Stated purpose; always non-empty for auditors, otherwise optional. */
  purpose: string | null;
  /** Always set for charity tokens, always null otherwise. */
  charityId: string | null;
  /** The token's `jti`, when it has one. */
  tokenId: string | null;
  expiresAt: Date;
}

/** Names of the gateway's own claims in the token (configurable, see config.ts). */
export interface ClaimNames {
  department: string;
  roles: string;
  jurisdiction: string;
  purpose: string;
  charity: string;
}

export const CITY_CODE = /^\d{4}00$/;
export const DISTRICT_CODE = /^\d{6}$/;
export const STREET_CODE = /^\d{9}$/;
export const MAX_PURPOSE_LENGTH = 500;
export const MAX_JURISDICTION_ENTRIES = 200;
export const MAX_ROLES = 50;
const ROLE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
export const CHARITY_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const MAX_SUBJECT_LENGTH = 256;

/** Thrown by parseJurisdiction; `message` says what is wrong without echoing the value. */
export class JurisdictionShapeError extends Error {}

/**
 * Parses `{"city":"500000"}`, `{"districts":["500103"]}` or `{"streets":["500103001"]}`: exactly one
 * key, codes validated, lists non-empty (at most 200 entries), duplicates removed, order kept.
 */
export function parseJurisdiction(value: unknown): Jurisdiction {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new JurisdictionShapeError('must be an object such as {"districts":["500103"]}');
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    throw new JurisdictionShapeError('must have exactly one of "city", "districts" or "streets"');
  }
  const record = value as Record<string, unknown>;
  const key = keys[0];
  if (key === "city") {
    const city = record.city;
    if (typeof city !== "string" || !CITY_CODE.test(city)) {
      throw new JurisdictionShapeError('"city" must be a 6-digit city code ending in 00, e.g. "500000"');
    }
    return { kind: "city", city };
  }
  if (key === "districts" || key === "streets") {
    const list = record[key];
    const pattern = key === "districts" ? DISTRICT_CODE : STREET_CODE;
    const example = key === "districts" ? '6-digit district codes, e.g. ["500103"]' : '9-digit street codes, e.g. ["500103001"]';
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_JURISDICTION_ENTRIES) {
      throw new JurisdictionShapeError(`"${key}" must be a non-empty list (at most ${MAX_JURISDICTION_ENTRIES}) of ${example}`);
    }
    for (const code of list) {
      if (typeof code !== "string" || !pattern.test(code)) {
        throw new JurisdictionShapeError(`"${key}" must contain only ${example}`);
      }
    }
    const unique = [...new Set(list as string[])];
    return key === "districts" ? { kind: "districts", districts: unique } : { kind: "streets", streets: unique };
  }
  throw new JurisdictionShapeError('must have exactly one of "city", "districts" or "streets"');
}

/** Own claims only: a claim name such as "constructor" must not reach Object.prototype. */
function own(payload: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(payload, name) ? payload[name] : undefined;
}

function invalid(claim: string, message: string): AuthError {
  return new AuthError("INVALID_CLAIMS", message, { claim });
}

function missing(claim: string, message: string): AuthError {
  return new AuthError("MISSING_CLAIM", message, { claim });
}

/**
 * Builds the Principal from a claims set whose signature, iss, aud, exp and nbf jose has already
 * checked. Throws AuthError (MISSING_CLAIM / INVALID_CLAIMS) when the gateway's own claims are absent or
 * out of shape.
 *
 * Rules:
 * - `sub`: non-empty string (≤ 256 chars). `exp`: a number (checked by jose).
 * - department claim: one of AUDIENCES.
 * - roles claim: absent (→ []) or a list of role names (≤ 50).
 * - jurisdiction claim: required (see parseJurisdiction), EXCEPT for charity tokens: a charity token
 *   without one is scoped to the whole city the gateway serves (`cityCode`), since charities are
 *   registered city-wide and only ever see masked data; a charity token may also carry any valid
 *   jurisdiction to narrow its scope.
 * - purpose claim: auditors must state one (non-empty after trimming, ≤ 500 chars); others may.
 * - charity claim: required on charity tokens; refused on any other token (so that "charityId is set"
 *   can never be mistaken for "is a charity" by authorization code).
 */
export function principalFromClaims(
  payload: Record<string, unknown>,
  options: { claims: ClaimNames; cityCode: string },
): Principal {
  const { claims, cityCode } = options;

  const sub = own(payload, "sub");
  if (typeof sub !== "string" || sub.trim() === "" || sub.length > MAX_SUBJECT_LENGTH) {
    throw invalid("sub", `The "sub" claim must be a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters`);
  }
  const exp = own(payload, "exp");
  if (typeof exp !== "number" || !Number.isFinite(exp)) {
    throw invalid("exp", 'The "exp" claim must be a number');
  }

  const dept = own(payload, claims.department);
  if (dept === undefined || dept === null) {
    throw missing(claims.department, `The token lacks the "${claims.department}" (department) claim`);
  }
  if (!isAudience(dept)) {
    throw invalid(claims.department, `The "${claims.department}" claim must be one of: ${AUDIENCES.join(", ")}`);
  }

  const rawRoles = own(payload, claims.roles);
  let roles: string[] = [];
  if (rawRoles !== undefined && rawRoles !== null) {
    if (
      !Array.isArray(rawRoles) ||
      rawRoles.length > MAX_ROLES ||
      !rawRoles.every((r): r is string => typeof r === "string" && ROLE.test(r))
    ) {
      throw invalid(claims.roles, `The "${claims.roles}" claim must be a list of role names`);
    }
    roles = [...new Set(rawRoles)];
  }

  const rawJurisdiction = own(payload, claims.jurisdiction);
  let jurisdiction: Jurisdiction;
  if (rawJurisdiction === undefined || rawJurisdiction === null) {
    if (dept !== "charity") {
      throw missing(claims.jurisdiction, `The token lacks the "${claims.jurisdiction}" (jurisdiction) claim`);
    }
    jurisdiction = { kind: "city", city: cityCode };
  } else {
    try {
      jurisdiction = parseJurisdiction(rawJurisdiction);
    } catch (err) {
      if (err instanceof JurisdictionShapeError) {
        throw invalid(claims.jurisdiction, `The "${claims.jurisdiction}" claim ${err.message}`);
      }
      throw err;
    }
  }

  const rawPurpose = own(payload, claims.purpose);
  let purpose: string | null = null;
  if (rawPurpose !== undefined && rawPurpose !== null) {
    if (typeof rawPurpose !== "string") {
      throw invalid(claims.purpose, `The "${claims.purpose}" claim must be a string`);
    }
    const trimmed = rawPurpose.trim();
    if (trimmed.length > MAX_PURPOSE_LENGTH) {
      throw invalid(claims.purpose, `The "${claims.purpose}" claim must be at most ${MAX_PURPOSE_LENGTH} characters`);
    }
    purpose = trimmed === "" ? null : trimmed;
  }
  if (dept === "auditor" && purpose === null) {
    throw missing(claims.purpose, `Auditor tokens must state the purpose of the audit in the "${claims.purpose}" claim`);
  }

  const rawCharity = own(payload, claims.charity);
  let charityId: string | null = null;
  if (dept === "charity") {
    if (rawCharity === undefined || rawCharity === null || rawCharity === "") {
      throw missing(claims.charity, `Charity tokens must carry the charity's id in the "${claims.charity}" claim`);
    }
    if (typeof rawCharity !== "string" || !CHARITY_ID.test(rawCharity)) {
      throw invalid(claims.charity, `The "${claims.charity}" claim must be a charity id (letters, digits, _ . : -; at most 64)`);
    }
    charityId = rawCharity;
  } else if (rawCharity !== undefined && rawCharity !== null) {
    throw invalid(claims.charity, `The "${claims.charity}" claim is only allowed on charity tokens`);
  }

  const jti = own(payload, "jti");
  if (jti !== undefined && (typeof jti !== "string" || jti === "" || jti.length > 256)) {
    throw invalid("jti", 'The "jti" claim must be a non-empty string');
  }

  return {
    subject: sub,
    audience: dept,
    roles,
    jurisdiction,
    purpose,
    charityId,
    tokenId: typeof jti === "string" ? jti : null,
    expiresAt: new Date(exp * 1000),
  };
}

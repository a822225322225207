import { randomUUID } from "node:crypto";
import { chmod, link, mkdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from "jose";
import type { AuthConfig } from "../../src/auth/config.js";
import { AuthError } from "../../src/auth/errors.js";
import {
  AUDIENCES,
  isAudience,
  JurisdictionShapeError,
  parseJurisdiction,
  principalFromClaims,
  type Audience,
  type Jurisdiction,
} from "../../src/auth/principal.js";

/** The charity a development token speaks for unless told: the first charity of the default data set
 * (dev/seed/charities.ts), so matching works with the token `npm start` prints. */
export const DEV_CHARITY_ID = "yz-charity-federation";

/**
 * Development keys: an ES256 key pair generated once under `<dir>` (DATA_DIR/keys by default) and a
 * `mint` function that signs tokens the development verifier accepts. Never used in production
 * (config.ts refuses to start without JWT_JWKS_FILE/URL there).
 *
 *   <dir>/dev-private.jwk.json   private JWK (mode 0600)
 *   <dir>/dev-jwks.json          the public key set, for other local services
 */
export const DEV_PRIVATE_KEY_FILE = "dev-private.jwk.json";
export const DEV_JWKS_FILE = "dev-jwks.json";
export const DEV_ALGORITHM = "ES256";
const MAX_TTL_SECONDS = 30 * 86400;

export interface MintOptions {
  audience: Audience;
  /** One jurisdiction at most: district / districts, street / streets, or city. */
  district?: string;
  districts?: string[];
  street?: string;
  streets?: string[];
  city?: string;
  /** Required for auditors. */
  purpose?: string;
  /** Charity tokens: defaults to DEV_CHARITY_ID. Refused on other audiences. */
  charityId?: string;
  roles?: string[];
  /** "30s", "15m", "1h" (default), "7d"; at most 30d. */
  ttl?: string;
  /** Defaults to "dev-<audience>". */
  subject?: string;
}

export type MintFunction = (options: MintOptions) => Promise<string>;

export interface DevKeys {
  kid: string;
  jwks: JSONWebKeySet;
  privateKeyPath: string;
  jwksPath: string;
  /** True when this call generated the key pair. */
  created: boolean;
  mint: MintFunction;
}

/** What minting needs from the configuration (iss, aud, typ, claim names, city). */
export type MintConfig = Pick<AuthConfig, "issuer" | "audience" | "typ" | "claims" | "cityCode">;

/** A bad mint request (unknown audience, bad code or ttl, missing auditor purpose...). */
export class MintError extends Error {
  override readonly name = "MintError";
}

/** "90s" | "15m" | "1h" | "7d" → seconds (1 s .. 30 d). */
export function parseTtl(ttl: string): number {
  const m = /^(\d{1,7})\s*(s|m|h|d)$/.exec(ttl.trim());
  if (!m) throw new MintError(`ttl must look like 90s, 15m, 1h or 7d (got "${ttl}")`);
  const seconds = Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
  if (seconds < 1 || seconds > MAX_TTL_SECONDS) throw new MintError("ttl must be between 1s and 30d");
  return seconds;
}

/** Development default scope per audience. */
export function defaultJurisdiction(audience: Audience, cityCode: string): Jurisdiction {
  switch (audience) {
    case "civil_affairs":
    case "auditor":
    case "medical_insurance":
      return { kind: "city", city: cityCode };
    case "street_office":
      return { kind: "streets", streets: ["500103001"] };
    default:
      return { kind: "districts", districts: ["500103"] };
  }
}

function jurisdictionClaim(j: Jurisdiction): Record<string, unknown> {
  switch (j.kind) {
    case "city":
      return { city: j.city };
    case "districts":
      return { districts: j.districts };
    case "streets":
      return { streets: j.streets };
  }
}

function requestedJurisdiction(o: MintOptions): Record<string, unknown> | null {
  const given: Record<string, unknown>[] = [];
  if (o.city !== undefined) given.push({ city: o.city });
  if (o.district !== undefined || o.districts !== undefined) {
    given.push({ districts: [...(o.district !== undefined ? [o.district] : []), ...(o.districts ?? [])] });
  }
  if (o.street !== undefined || o.streets !== undefined) {
    given.push({ streets: [...(o.street !== undefined ? [o.street] : []), ...(o.streets ?? [])] });
  }
  if (given.length > 1) throw new MintError("give one jurisdiction: a city, district(s) or street(s)");
  if (given.length === 0) return null;
  try {
    return jurisdictionClaim(parseJurisdiction(given[0]));
  } catch (err) {
    if (err instanceof JurisdictionShapeError) throw new MintError(`jurisdiction ${err.message}`);
    throw err;
  }
}

async function fileExists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return false;
      throw err;
    },
  );
}

/** Writes `content` to `file` atomically (temp file + rename). */
async function writeAtomic(file: string, content: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, content, { mode, flag: "wx" });
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Generates the key pair unless it exists. Safe against concurrent starts (e.g. the server and
 * token-cli, or parallel test workers): the private key file is published with link(2), which never
 * replaces an existing file, so every process ends up with the same key.
 */
async function createPrivateKeyIfMissing(privateKeyPath: string): Promise<boolean> {
  if (await fileExists(privateKeyPath)) return false;
  const { privateKey, publicKey } = await generateKeyPair(DEV_ALGORITHM, { extractable: true });
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  const jwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: DEV_ALGORITHM, use: "sig" };
  const tmp = `${privateKeyPath}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${JSON.stringify(jwk, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  try {
    await link(tmp, privateKeyPath);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false; // another process won the race
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

function publicPart(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: jwk.kid, alg: DEV_ALGORITHM, use: "sig" };
}

export async function loadOrCreateDevKeys(dir: string, config: MintConfig): Promise<DevKeys> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const privateKeyPath = path.join(dir, DEV_PRIVATE_KEY_FILE);
  const jwksPath = path.join(dir, DEV_JWKS_FILE);
  const created = await createPrivateKeyIfMissing(privateKeyPath);

  if (process.platform !== "win32") {
    const { mode } = await stat(privateKeyPath);
    if ((mode & 0o077) !== 0) await chmod(privateKeyPath, 0o600);
  }
  let jwk: JWK;
  try {
    jwk = JSON.parse(await readFile(privateKeyPath, "utf8")) as JWK;
  } catch {
    throw new Error(`${privateKeyPath} is not valid JSON; delete it to generate a new development key pair`);
  }
  if (jwk?.kty !== "EC" || jwk.crv !== "P-256" || !jwk.d || !jwk.x || !jwk.y || typeof jwk.kid !== "string" || !jwk.kid) {
    throw new Error(`${privateKeyPath} is not an ES256 private JWK with a kid; delete it to generate a new development key pair`);
  }
  const kid = jwk.kid;
  const privateKey = await importJWK(jwk, DEV_ALGORITHM);
  const jwks: JSONWebKeySet = { keys: [publicPart(jwk)] };

  const jwksText = `${JSON.stringify(jwks, null, 2)}\n`;
  const current = await readFile(jwksPath, "utf8").catch(() => null);
  if (current !== jwksText) await writeAtomic(jwksPath, jwksText, 0o644);

  const mint: MintFunction = async (o) => {
    if (!isAudience(o.audience)) throw new MintError(`audience must be one of: ${AUDIENCES.join(", ")}`);
    const audience = o.audience;
    const ttlSeconds = parseTtl(o.ttl ?? "1h");
    const now = Math.floor(Date.now() / 1000);
    const c = config.claims;
    const claims: Record<string, unknown> = {
      [c.department]: audience,
      [c.roles]: o.roles ?? [],
      [c.jurisdiction]: requestedJurisdiction(o) ?? jurisdictionClaim(defaultJurisdiction(audience, config.cityCode)),
    };
    if (o.purpose !== undefined) claims[c.purpose] = o.purpose;
    if (audience === "charity") claims[c.charity] = o.charityId ?? DEV_CHARITY_ID;
    else if (o.charityId !== undefined) throw new MintError("a charity id is only for charity tokens");
    const subject = o.subject ?? `dev-${audience}`;
    const jti = randomUUID();

    // Mint only what the verifier accepts: check the gateway's own claims with the same rules.
    try {
      principalFromClaims({ ...claims, sub: subject, exp: now + ttlSeconds, jti }, { claims: c, cityCode: config.cityCode });
    } catch (err) {
      if (err instanceof AuthError) throw new MintError(err.message);
      throw err;
    }

    return new SignJWT(claims)
      .setProtectedHeader({ alg: DEV_ALGORITHM, kid, typ: config.typ ?? "JWT" })
      .setIssuer(config.issuer)
      .setAudience(config.audience)
      .setSubject(subject)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + ttlSeconds)
      .setJti(jti)
      .sign(privateKey);
  };

  return { kid, jwks, privateKeyPath, jwksPath, created, mint };
}

/** Purpose stated in the development auditor token. */
export const DEV_AUDITOR_PURPOSE = "development: trying the gateway";

/** One ready token per audience (development start banner). */
export async function devTokensForAllAudiences(
  mint: MintFunction,
  options: { ttl?: string } = {},
): Promise<{ audience: Audience; token: string }[]> {
  const out: { audience: Audience; token: string }[] = [];
  for (const audience of AUDIENCES) {
    const token = await mint({
      audience,
      ttl: options.ttl ?? "8h",
      ...(audience === "auditor" ? { purpose: DEV_AUDITOR_PURPOSE } : {}),
    });
    out.push({ audience, token });
  }
  return out;
}

import { readFile } from "node:fs/promises";
import type { JSONWebKeySet, JWK } from "jose";
import type { AuthConfig } from "./config.js";

/** The development key pair (dev/keys/dev-keys.ts), loaded only for the development key source. */
export type DevKeys = Awaited<ReturnType<(typeof import("../../dev/keys/dev-keys.js"))["loadOrCreateDevKeys"]>>;

/** The keys a verifier trusts: a fixed key set (file or development keys) or a remote JWKS URL. */
export type VerificationKeys =
  | { kind: "local"; jwks: JSONWebKeySet; source: string }
  | { kind: "remote"; url: URL };

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"] as const;

/**
 * Checks that a parsed JSON value is a usable public JWKS: `{"keys":[...]}` with at least one key, no
 * private or symmetric key material (a file holding private keys is refused rather than trusted).
 */
export function assertPublicJwks(value: unknown, source: string): JSONWebKeySet {
  if (typeof value !== "object" || value === null || !Array.isArray((value as { keys?: unknown }).keys)) {
    throw new Error(`${source}: not a JSON Web Key Set (expected {"keys":[...]})`);
  }
  const keys = (value as { keys: unknown[] }).keys;
  if (keys.length === 0) throw new Error(`${source}: the key set has no keys`);
  keys.forEach((k, i) => {
    if (typeof k !== "object" || k === null || Array.isArray(k)) throw new Error(`${source}: keys[${i}] is not a JWK object`);
    const jwk = k as JWK;
    if (jwk.kty === "oct") throw new Error(`${source}: keys[${i}] is a symmetric key; only public keys may be trusted`);
    if (PRIVATE_MEMBERS.some((m) => m in jwk)) {
      throw new Error(`${source}: keys[${i}] contains private key material; publish only the public keys`);
    }
  });
  return value as JSONWebKeySet;
}

/** Reads a JWKS file once (at start). Errors name the file, never its contents. */
export async function readJwksFile(file: string): Promise<JSONWebKeySet> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new Error(`JWT_JWKS_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`JWT_JWKS_FILE: ${file} is not valid JSON`);
  }
  return assertPublicJwks(json, `JWT_JWKS_FILE: ${file}`);
}

/**
 * Resolves the configured key source. In development without JWT_JWKS_FILE/URL this creates (once) or
 * loads the development key pair and also returns it, so the server can print ready-made tokens.
 */
export async function loadVerificationKeys(config: AuthConfig): Promise<{ keys: VerificationKeys; dev: DevKeys | null }> {
  const source = config.keySource;
  switch (source.kind) {
    case "jwks-file":
      return { keys: { kind: "local", jwks: await readJwksFile(source.path), source: source.path }, dev: null };
    case "jwks-url":
      return { keys: { kind: "remote", url: source.url }, dev: null };
    case "dev": {
      if (config.production) throw new Error("development keys are never used in production; set JWT_JWKS_URL or JWT_JWKS_FILE");
      // the development room (dev/) is loaded here, dynamically, and only here: production never gets this far
      const { loadOrCreateDevKeys } = await import("../../dev/keys/dev-keys.js");
      const dev = await loadOrCreateDevKeys(source.dir, config);
      return { keys: { kind: "local", jwks: dev.jwks, source: dev.jwksPath }, dev };
    }
  }
}

/**
 * The audit key: an Ed25519 key that signs checkpoints and chain heads; two keys are derived from it
 * (HKDF, separate labels): one for keyed digests of variables, one for the chain's HMAC — so production
 * configures one secret (AUDIT_SIGNING_KEY, the 32-byte seed in hex) and
 * development keeps a generated one beside the other development keys (DATA_DIR/keys).
 */
import { createPrivateKey, createPublicKey, hkdfSync, randomBytes, sign, verify, createHash, type KeyObject } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
export const AUDIT_KEY_FILE = "audit-signing-key.hex";

export interface AuditVerifyKey {
  publicKey: KeyObject;
  /** raw 32-byte public key, hex */
  publicHex: string;
  /** first 16 hex characters of SHA-256 over the raw public key */
  keyId: string;
}

export interface AuditKeys extends AuditVerifyKey {
  sign(data: string): string;
  /** key for HMAC digests of variables and changed values */
  digestKey: Uint8Array;
  /** key of the access log's chain (HMAC-SHA-256 per record, chain version 2); never the digest key */
  chainKey: Uint8Array;
}

export function verifyKeyFromPublicHex(publicHex: string): AuditVerifyKey {
  if (!/^[0-9a-fA-F]{64}$/.test(publicHex)) throw new Error("an Ed25519 public key is 64 hex characters");
  const raw = Buffer.from(publicHex, "hex");
  const publicKey = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
  return { publicKey, publicHex: raw.toString("hex"), keyId: createHash("sha256").update(raw).digest("hex").slice(0, 16) };
}

export function auditKeysFromSeed(seedHex: string): AuditKeys {
  if (!/^[0-9a-fA-F]{64}$/.test(seedHex)) throw new Error("AUDIT_SIGNING_KEY must be 64 hex characters (a 32-byte Ed25519 seed)");
  const seed = Buffer.from(seedHex, "hex");
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const verifyKey = verifyKeyFromPublicHex(spki.subarray(SPKI_ED25519_PREFIX.length).toString("hex"));
  return {
    ...verifyKey,
    sign: (data) => sign(null, Buffer.from(data, "utf8"), privateKey).toString("base64url"),
    digestKey: new Uint8Array(hkdfSync("sha256", seed, Buffer.alloc(0), "safetynet-gateway audit digest", 32)),
    chainKey: new Uint8Array(hkdfSync("sha256", seed, Buffer.alloc(0), "safetynet-gateway audit chain", 32)),
  };
}

export function verifySignature(key: AuditVerifyKey, data: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(data, "utf8"), key.publicKey, Buffer.from(signature, "base64url"));
  } catch {
    return false;
  }
}

/**
 * A development secret kept under keysDir: 32 random bytes as hex, written owner-only on first use when
 * `create` (null when it is missing and not to be created).
 */
export function keptSecretHex(keysDir: string, fileName: string, create = true): string | null {
  const file = path.join(keysDir, fileName);
  if (!existsSync(file)) {
    if (!create) return null;
    mkdirSync(keysDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
  }
  return readFileSync(file, "utf8").trim();
}

/** The configured seed, or (development) the one under keysDir, generated on first use. */
export function loadAuditKeys(options: { configured?: string; keysDir: string; create: boolean }): AuditKeys {
  if (options.configured) return auditKeysFromSeed(options.configured);
  const seed = keptSecretHex(options.keysDir, AUDIT_KEY_FILE, options.create);
  if (seed === null) throw new Error(`no audit key: set AUDIT_SIGNING_KEY or create ${path.join(options.keysDir, AUDIT_KEY_FILE)}`);
  return auditKeysFromSeed(seed);
}

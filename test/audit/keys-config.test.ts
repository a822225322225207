/** The audit key: configured in production (AUDIT_SIGNING_KEY), generated beside the development keys otherwise. */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { afterAll, expect, test } from "vitest";
import { loadConfig, ConfigError } from "../../src/app/config.js";
import { AUDIT_KEY_FILE, auditKeysFromSeed, loadAuditKeys } from "../../src/audit/keys.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "audit-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// production never starts the development sandboxes (dev/): every department system has a URL
const DEPARTMENT_URLS = {
  EDUCATION_URL: "http://edu.example", EMPLOYMENT_URL: "http://emp.example", HOUSING_URL: "http://hou.example", DISABILITY_URL: "http://dis.example",
  MEDICAL_INSURANCE_URL: "http://med.example", MEDICAL_INSURANCE_CLIENT_ID: "c", MEDICAL_INSURANCE_CLIENT_SECRET: "s",
};
const PROD = { NODE_ENV: "production", JWT_ISSUER: "i", JWT_AUDIENCE: "a", JWT_JWKS_FILE: "/k.json", PSEUDONYM_SECRET: "ab".repeat(32), ...DEPARTMENT_URLS };

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
    return "";
  } catch (e) {
    return (e as ConfigError).problems.join("\n");
  }
}

test("production requires AUDIT_SIGNING_KEY and refuses AUDIT_LOG=off; a configured key is accepted", () => {
  expect(problems(PROD)).toMatch(/AUDIT_SIGNING_KEY: required in production/);
  expect(problems({ ...PROD, AUDIT_SIGNING_KEY: "11".repeat(32), AUDIT_LOG: "off" })).toMatch(/AUDIT_LOG=off is refused in production/);
  expect(problems({ ...PROD, AUDIT_SIGNING_KEY: "11".repeat(32) })).toBe("");
  expect(problems({ AUDIT_SIGNING_KEY: "xyz" })).toMatch(/AUDIT_SIGNING_KEY/);
  expect(problems({ AUDIT_CHECKPOINT_EVERY: "-1" })).toMatch(/AUDIT_CHECKPOINT_EVERY/);
  const c = loadConfig({ NODE_ENV: "development" });
  expect([c.AUDIT_LOG, c.AUDIT_CHECKPOINT_EVERY, c.AUDIT_CHECKPOINT_SECONDS]).toEqual(["on", 1000, 300]);
});

test("development: a key is generated under the keys directory (0600) once and reused; a configured key wins", () => {
  const keysDir = path.join(dir, "keys");
  expect(() => loadAuditKeys({ keysDir, create: false })).toThrow(/no audit key/);
  const first = loadAuditKeys({ keysDir, create: true });
  const file = path.join(keysDir, AUDIT_KEY_FILE);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(readFileSync(file, "utf8")).toMatch(/^[0-9a-f]{64}$/);
  const again = loadAuditKeys({ keysDir, create: true });
  expect(again.keyId).toBe(first.keyId);
  expect(again.sign("x")).toBe(first.sign("x")); // Ed25519 is deterministic
  const seed = randomBytes(32).toString("hex");
  expect(loadAuditKeys({ configured: seed, keysDir, create: true }).keyId).toBe(auditKeysFromSeed(seed).keyId);
  expect(auditKeysFromSeed(seed).keyId).not.toBe(first.keyId);
});

import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../src/app/config.js";

test(".env.example lists exactly the variables the gateway reads", () => {
  const listed = new Set([...readFileSync(".env.example", "utf8").matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
  expect([...listed].sort()).toEqual([...CONFIG_VARIABLES].sort());
});

test("the embedded default needs no variable at all", () => {
  const c = loadConfig({});
  expect(c.DATABASE_URL).toBeUndefined();
  expect(c.migrateOnStart).toBe(true);
  expect(c.seedOnStart).toBe(true);
  expect(c.sandboxes).toBe(true);
  expect(c.PORT).toBe(4000);
  expect(c.HOST).toBe("127.0.0.1");
});

test("a server database is not migrated or seeded on start unless asked", () => {
  const c = loadConfig({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/test" });
  expect(c.migrateOnStart).toBe(false);
  expect(c.seedOnStart).toBe(false);
});

test("every bad value is reported, one line naming each variable", () => {
  let err: unknown;
  try {
    loadConfig({ PORT: "70000", DATABASE_URL: "mysql://x", LOG_LEVEL: "loud", JWT_ALGORITHMS: "HS256", FIELD_POLICY: "maybe" });
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ConfigError);
  const problems = (err as ConfigError).problems.join("\n");
  for (const name of ["PORT", "DATABASE_URL", "LOG_LEVEL", "JWT_ALGORITHMS", "FIELD_POLICY"]) expect(problems).toContain(name);
  expect((err as ConfigError).problems).toHaveLength(5);
});

test("production refuses what only development may do", () => {
  expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/JWT_ISSUER|JWT_JWKS/);
  let err: ConfigError | undefined;
  try {
    loadConfig({ NODE_ENV: "production", JWT_ISSUER: "i", JWT_AUDIENCE: "a", JWT_JWKS_FILE: "/k.json", FIELD_POLICY: "off" });
  } catch (e) {
    err = e as ConfigError;
  }
  expect(err?.problems.join("\n")).toMatch(/PSEUDONYM_SECRET/);
  expect(err?.problems.join("\n")).toMatch(/FIELD_POLICY=off/);
  expect(err?.problems.join("\n")).toMatch(/DEPARTMENT_SANDBOXES/);
});

test("production never loads the development room: no sandboxes, no synthetic seed (not even when asked)", () => {
  const prod = {
    NODE_ENV: "production", JWT_ISSUER: "i", JWT_AUDIENCE: "a", JWT_JWKS_FILE: "/k.json", PSEUDONYM_SECRET: "ab".repeat(32), AUDIT_SIGNING_KEY: "11".repeat(32),
    EDUCATION_URL: "http://edu.example", EMPLOYMENT_URL: "http://emp.example", HOUSING_URL: "http://hou.example", DISABILITY_URL: "http://dis.example",
    MEDICAL_INSURANCE_URL: "http://med.example", MEDICAL_INSURANCE_CLIENT_ID: "c", MEDICAL_INSURANCE_CLIENT_SECRET: "s",
  };
  // the embedded database in production: migrated, but the synthetic data set is not seeded
  const c = loadConfig(prod);
  expect(c.migrateOnStart).toBe(true);
  expect(c.seedOnStart).toBe(false);
  expect(c.sandboxes).toBe(false);
  let err: ConfigError | undefined;
  try {
    loadConfig({ ...prod, DEPARTMENT_SANDBOXES: "true", SEED_ON_START: "true" });
  } catch (e) {
    err = e as ConfigError;
  }
  expect(err?.problems).toEqual([
    "DEPARTMENT_SANDBOXES=true is refused in production (the sandboxes are development fixtures): set the department URLs",
    "SEED_ON_START=true is refused in production (the synthetic data set is a development fixture)",
  ]);
});

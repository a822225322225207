import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { CONFIG_VARIABLES, ConfigError, explorerEnabled, loadConfig } from "../src/app/config.js";
import { readEnvFile } from "../src/app/env-file.js";

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

test(".env: read into the environment, the real environment wins, a bad value is the same error naming the file", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "env-file-"));
  try {
    const file = path.join(dir, ".env");
    writeFileSync(file, "# comment\nPORT=4100\nLOG_LEVEL=warn\nSEED='77'\n");
    const env: NodeJS.ProcessEnv = { PORT: "5000" };
    expect([...readEnvFile(env, file)!.supplied].sort()).toEqual(["LOG_LEVEL", "SEED"]);
    const c = loadConfig(env);
    expect([c.PORT, c.LOG_LEVEL, c.SEED]).toEqual([5000, "warn", 77]);

    writeFileSync(file, "PORT=abc\n");
    const fromFile: NodeJS.ProcessEnv = {};
    readEnvFile(fromFile, file);
    const problems = (e: NodeJS.ProcessEnv) => {
      try {
        loadConfig(e);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).problems;
      }
      throw new Error("no ConfigError");
    };
    const fromEnvironment = problems({ PORT: "abc" });
    expect(fromEnvironment).toEqual(['PORT="abc": must be a number']);
    expect(problems(fromFile)).toEqual([`${fromEnvironment[0]} (set in ${file})`]);
    // no file: nothing read, no error
    expect(readEnvFile({}, path.join(dir, "missing.env"))).toBeNull();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the explorer: on outside production, off in production unless EXPLORER=on", () => {
  expect(explorerEnabled(loadConfig({}))).toBe(true);
  expect(explorerEnabled(loadConfig({ EXPLORER: "off" }))).toBe(false);
  const prod = {
    NODE_ENV: "production",
    PSEUDONYM_SECRET: "a".repeat(64),
    AUDIT_SIGNING_KEY: "b".repeat(64),
    EDUCATION_URL: "http://education.example",
    EMPLOYMENT_URL: "http://employment.example",
    HOUSING_URL: "http://housing.example",
    MEDICAL_INSURANCE_URL: "http://insurance.example",
    MEDICAL_INSURANCE_CLIENT_ID: "gateway",
    MEDICAL_INSURANCE_CLIENT_SECRET: "secret",
    DISABILITY_URL: "http://disability.example",
    JWT_JWKS_FILE: "/dev/null",
    JWT_ISSUER: "https://idp.example",
    JWT_AUDIENCE: "safetynet-gateway",
  };
  expect(explorerEnabled(loadConfig(prod))).toBe(false);
  expect(explorerEnabled(loadConfig({ ...prod, EXPLORER: "on" }))).toBe(true);
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

test("GATEWAY_PROCESSES: 1 by default; a number or auto (the cores); more than one only with PostgreSQL", () => {
  const pgUrl = "postgresql://u@h:5432/db";
  expect(loadConfig({}).gatewayProcesses).toBe(1);
  expect(loadConfig({ DATABASE_URL: pgUrl, GATEWAY_PROCESSES: "3" }).gatewayProcesses).toBe(3);
  expect(loadConfig({ DATABASE_URL: pgUrl, GATEWAY_PROCESSES: "auto" }).gatewayProcesses).toBe(os.availableParallelism());
  expect(loadConfig({ GATEWAY_PROCESSES: "1" }).gatewayProcesses).toBe(1);
  const refused = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as ConfigError).problems;
    }
    throw new Error(`accepted: ${JSON.stringify(env)}`);
  };
  expect(refused({ GATEWAY_PROCESSES: "2" })).toEqual([
    "GATEWAY_PROCESSES=2: several gateway processes need PostgreSQL (set DATABASE_URL); the embedded PGlite database is owned by one process — use GATEWAY_PROCESSES=1",
  ]);
  for (const bad of ["0", "1.5", "many", "65"]) {
    const problems = refused({ DATABASE_URL: pgUrl, GATEWAY_PROCESSES: bad });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^GATEWAY_PROCESSES=${JSON.stringify(bad).replace(/[.]/g, "\\.")}: `));
  }
});

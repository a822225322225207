import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeJwt } from "jose";
import { authConfigFromEnv } from "../../src/auth/config.js";
import { main, USAGE } from "../../dev/keys/token-cli.js";
import { createVerifier } from "../../src/auth/verify.js";
import { compileCli, runCli } from "../helpers/cli.js";


let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "safetynet-token-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { NODE_ENV: "development", DATA_DIR: path.join(dir, "data"), ...env }, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
  });
  return { code, stdout, stderr };
}

async function verifierFor(dataDir: string, env: Record<string, string> = {}) {
  const r = authConfigFromEnv({ NODE_ENV: "development", DATA_DIR: dataDir, ...env });
  if (!r.ok) throw new Error(r.problems.join("; "));
  const jwks = JSON.parse(await readFile(path.join(dataDir, "keys", "dev-jwks.json"), "utf8"));
  return createVerifier(r.config, { kind: "local", jwks, source: "dev" });
}

describe("token-cli (in process)", () => {
  it("prints exactly one line, the token, which verifies", async () => {
    const { code, stdout } = await cli(["--audience", "education", "--district", "500104", "--ttl", "2h", "--subject", "li.na"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    const principal = await (await verifierFor(path.join(dir, "data"))).verify(`Bearer ${stdout.trim()}`);
    expect(principal).toMatchObject({ subject: "li.na", audience: "education", jurisdiction: { kind: "districts", districts: ["500104"] } });
    // --ttl 2h: measured on the token's own claims (exp − iat), not against the clock
    const { iat, exp } = decodeJwt(stdout.trim());
    expect(exp! - iat!).toBe(2 * 3600);
    expect(principal.expiresAt.getTime()).toBe(exp! * 1000);
  });

  it("auditor with a purpose, charity with an id, roles", async () => {
    const a = await cli(["--audience", "auditor", "--purpose", "annual audit of 2026 payments"]);
    const c = await cli(["--audience", "charity", "--charity", "CQ-0042", "--street", "500103001", "--roles", "volunteer, coordinator"]);
    const v = await verifierFor(path.join(dir, "data"));
    await expect(v.verify(`Bearer ${a.stdout.trim()}`)).resolves.toMatchObject({ purpose: "annual audit of 2026 payments" });
    await expect(v.verify(`Bearer ${c.stdout.trim()}`)).resolves.toMatchObject({
      charityId: "CQ-0042",
      roles: ["volunteer", "coordinator"],
      jurisdiction: { kind: "streets", streets: ["500103001"] },
    });
  });

  it.each([
    [["--audience", "police"], /unknown audience "police"/],
    [[], /--audience is required/],
    [["--audience", "education", "--ttl", "1y"], /ttl/],
    [["--audience", "education", "--district", "50010"], /6-digit/],
    [["--audience", "education", "--street", "5001030011"], /9-digit/],
    [["--audience", "education", "--city", "500103"], /city/],
    [["--audience", "auditor"], /--purpose/],
    [["--audience", "education", "--bogus"], /bogus/],
    [["--audience", "education", "extra"], /positional|argument/i],
  ])("%j → exit 1, usage on stderr, nothing on stdout", async (args, message) => {
    const { code, stdout, stderr } = await cli(args as string[]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message as RegExp);
    expect(stderr).toContain(USAGE);
  });

  it("refuses when real keys are configured, and reports configuration problems", async () => {
    const real = await cli(["--audience", "education"], { JWT_JWKS_URL: "https://idp.example/certs" });
    expect(real.code).toBe(1);
    expect(real.stderr).toMatch(/real keys/);
    const bad = await cli(["--audience", "education"], { JWT_ALGORITHMS: "HS256" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/JWT_ALGORITHMS: HS256/);
    const prod = await cli(["--audience", "education"], { NODE_ENV: "production" });
    expect(prod.code).toBe(1);
    expect(prod.stdout).toBe("");
  });
});

describe("token-cli (compiled, real process)", () => {
  let cliJs: string;
  beforeAll(async () => {
    // Compile just the auth module (independent of the rest of the tree).
    cliJs = await compileCli(dir, "dev/keys/token-cli.ts");
  });

  it("prints exactly one line that verifies; exit 1 with usage for a bad audience", async () => {
    const dataDir = path.join(dir, "proc-data");
    const env = { PATH: process.env.PATH ?? "", NODE_ENV: "development", DATA_DIR: dataDir };
    const ok = await runCli(cliJs, ["--audience", "street_office"], { env, cwd: dir });
    expect(ok.code).toBe(0);
    const lines = ok.stdout.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("");
    const principal = await (await verifierFor(dataDir)).verify(`Bearer ${lines[0]}`);
    expect(principal).toMatchObject({ audience: "street_office", subject: "dev-street_office", jurisdiction: { kind: "streets", streets: ["500103001"] } });

    const bad = await runCli(cliJs, ["--audience", "mayor"], { env, cwd: dir });
    expect(bad).not.toBeNull();
    expect(bad!.code).toBe(1);
    expect(bad!.stdout).toBe("");
    expect(bad!.stderr).toContain("usage: token-cli --audience");
  });
});

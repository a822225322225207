import { mkdtemp, readFile, rm, stat, writeFile, chmod } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { authConfigFromEnv, type AuthConfig } from "../../src/auth/config.js";
import { devTokensForAllAudiences, loadOrCreateDevKeys, MintError, parseTtl } from "../../dev/keys/dev-keys.js";
import { setupAuthentication } from "../../src/auth/index.js";
import { loadVerificationKeys } from "../../src/auth/keys.js";
import { AUDIENCES } from "../../src/auth/principal.js";
import { createVerifier } from "../../src/auth/verify.js";
import { jwksOf, makeKey } from "./helpers.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "safetynet-auth-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const devConfig = (env: Record<string, string> = {}): AuthConfig => {
  const r = authConfigFromEnv({ NODE_ENV: "development", DATA_DIR: dir, ...env });
  if (!r.ok) throw new Error(r.problems.join("; "));
  return r.config;
};

describe("loadOrCreateDevKeys", () => {
  it("creates the key pair once (private key 0600, with a kid) and reuses it", async () => {
    const config = devConfig();
    const keysDir = path.join(dir, "keys");
    const first = await loadOrCreateDevKeys(keysDir, config);
    expect(first.created).toBe(true);
    expect(first.privateKeyPath).toBe(path.join(keysDir, "dev-private.jwk.json"));
    expect(first.jwksPath).toBe(path.join(keysDir, "dev-jwks.json"));
    expect((await stat(first.privateKeyPath)).mode & 0o777).toBe(0o600);
    const priv = JSON.parse(await readFile(first.privateKeyPath, "utf8"));
    expect(priv).toMatchObject({ kty: "EC", crv: "P-256", kid: first.kid, alg: "ES256" });
    expect(priv.d).toBeTruthy();
    const published = JSON.parse(await readFile(first.jwksPath, "utf8"));
    expect(published).toEqual(first.jwks);
    expect(published.keys[0].d).toBeUndefined();
    expect(published.keys[0].kid).toBe(first.kid);

    const second = await loadOrCreateDevKeys(keysDir, config);
    expect(second.created).toBe(false);
    expect(second.kid).toBe(first.kid);
    // a token minted by the first instance verifies with the second's key set
    const token = await first.mint({ audience: "education" });
    const verifier = createVerifier(config, { kind: "local", jwks: second.jwks, source: "dev" });
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({ audience: "education" });
  });

  it("concurrent first starts end up with one key", async () => {
    const config = devConfig();
    const all = await Promise.all(Array.from({ length: 6 }, () => loadOrCreateDevKeys(path.join(dir, "keys"), config)));
    expect(new Set(all.map((k) => k.kid)).size).toBe(1);
    expect(all.filter((k) => k.created)).toHaveLength(1);
  });

  it("tightens a private key file readable by others back to 0600", async () => {
    const config = devConfig();
    const k = await loadOrCreateDevKeys(path.join(dir, "keys"), config);
    await chmod(k.privateKeyPath, 0o644);
    await loadOrCreateDevKeys(path.join(dir, "keys"), config);
    expect((await stat(k.privateKeyPath)).mode & 0o777).toBe(0o600);
  });

  it("refuses a corrupt private key file with a clear message", async () => {
    const config = devConfig();
    const k = await loadOrCreateDevKeys(path.join(dir, "keys"), config);
    await writeFile(k.privateKeyPath, '{"kty":"oct"}');
    await expect(loadOrCreateDevKeys(path.join(dir, "keys"), config)).rejects.toThrow(/delete it to generate/);
  });
});

describe("mint", () => {
  it("sets iss/aud/typ/kid/iat/nbf/exp/jti and the configured claim names", async () => {
    const config = devConfig({ JWT_TYP: "at+jwt", JWT_CLAIM_DEPARTMENT: "https://safetynet.example/dept", JWT_ISSUER: "iss-x", JWT_AUDIENCE: "aud-y" });
    const dev = await loadOrCreateDevKeys(path.join(dir, "keys"), config);
    const token = await dev.mint({ audience: "street_office", ttl: "15m", subject: "zhang.wei" });
    expect(decodeProtectedHeader(token)).toEqual({ alg: "ES256", kid: dev.kid, typ: "at+jwt" });
    const p = decodeJwt(token);
    expect(p).toMatchObject({
      iss: "iss-x",
      aud: "aud-y",
      sub: "zhang.wei",
      "https://safetynet.example/dept": "street_office",
      jurisdiction: { streets: ["500103001"] },
    });
    expect(p.exp! - p.iat!).toBe(900);
    expect(p.nbf).toBe(p.iat);
    expect(typeof p.jti).toBe("string");
    const verifier = createVerifier(config, { kind: "local", jwks: dev.jwks, source: "dev" });
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({ subject: "zhang.wei", audience: "street_office" });
  });

  it("without JWT_TYP the header typ is JWT", async () => {
    const dev = await loadOrCreateDevKeys(path.join(dir, "keys"), devConfig());
    expect(decodeProtectedHeader(await dev.mint({ audience: "health" })).typ).toBe("JWT");
  });

  it("explicit jurisdictions", async () => {
    const config = devConfig();
    const dev = await loadOrCreateDevKeys(path.join(dir, "keys"), config);
    const v = createVerifier(config, { kind: "local", jwks: dev.jwks, source: "dev" });
    const check = async (o: Parameters<typeof dev.mint>[0]) => (await v.verify(`Bearer ${await dev.mint(o)}`)).jurisdiction;
    expect(await check({ audience: "education", district: "500104" })).toEqual({ kind: "districts", districts: ["500104"] });
    expect(await check({ audience: "education", districts: ["500103", "500104"] })).toEqual({ kind: "districts", districts: ["500103", "500104"] });
    expect(await check({ audience: "housing", street: "500103002" })).toEqual({ kind: "streets", streets: ["500103002"] });
    expect(await check({ audience: "education", city: "500000" })).toEqual({ kind: "city", city: "500000" });
  });

  it("refuses what the verifier would refuse", async () => {
    const dev = await loadOrCreateDevKeys(path.join(dir, "keys"), devConfig());
    await expect(dev.mint({ audience: "auditor" })).rejects.toThrow(MintError);
    await expect(dev.mint({ audience: "auditor", purpose: " " })).rejects.toThrow(/purpose/);
    await expect(dev.mint({ audience: "education", district: "5001" })).rejects.toThrow(MintError);
    await expect(dev.mint({ audience: "education", street: "500103" })).rejects.toThrow(MintError);
    await expect(dev.mint({ audience: "education", city: "500103" })).rejects.toThrow(MintError);
    await expect(dev.mint({ audience: "education", district: "500103", street: "500103001" })).rejects.toThrow(/one jurisdiction/);
    await expect(dev.mint({ audience: "education", charityId: "c-1" })).rejects.toThrow(/charity/);
    await expect(dev.mint({ audience: "education", ttl: "forever" })).rejects.toThrow(/ttl/);
    await expect(dev.mint({ audience: "nobody" as never })).rejects.toThrow(/audience must be one of/);
  });

  it("parseTtl", () => {
    expect(parseTtl("90s")).toBe(90);
    expect(parseTtl("15m")).toBe(900);
    expect(parseTtl("1h")).toBe(3600);
    expect(parseTtl("30d")).toBe(30 * 86400);
    for (const bad of ["0s", "31d", "1y", "h", "-1h", "1.5h", ""]) expect(() => parseTtl(bad)).toThrow(MintError);
  });
});

describe("devTokensForAllAudiences", () => {
  it("one verifying token per audience with the development defaults", async () => {
    const config = devConfig();
    const dev = await loadOrCreateDevKeys(path.join(dir, "keys"), config);
    const tokens = await devTokensForAllAudiences(dev.mint);
    expect(tokens.map((t) => t.audience)).toEqual([...AUDIENCES]);
    const v = createVerifier(config, { kind: "local", jwks: dev.jwks, source: "dev" });
    const byAudience = Object.fromEntries(await Promise.all(tokens.map(async (t) => [t.audience, await v.verify(`Bearer ${t.token}`)] as const)));
    expect(byAudience.civil_affairs.jurisdiction).toEqual({ kind: "city", city: "500000" });
    expect(byAudience.medical_insurance.jurisdiction).toEqual({ kind: "city", city: "500000" });
    expect(byAudience.auditor).toMatchObject({ jurisdiction: { kind: "city", city: "500000" }, purpose: expect.any(String) });
    expect(byAudience.street_office.jurisdiction).toEqual({ kind: "streets", streets: ["500103001"] });
    expect(byAudience.education.jurisdiction).toEqual({ kind: "districts", districts: ["500103"] });
    expect(byAudience.charity).toMatchObject({ charityId: "yz-charity-federation", jurisdiction: { kind: "districts", districts: ["500103"] } });
    // valid for more than 7 hours: measured on each token's own claims (exp − iat), not against the clock
    for (const t of tokens) {
      const { iat, exp } = decodeJwt(t.token);
      expect(exp! - iat!).toBeGreaterThan(7 * 3600);
      expect(byAudience[t.audience].expiresAt.getTime()).toBe(exp! * 1000);
    }
  });
});

describe("loadVerificationKeys / setupAuthentication", () => {
  it("development without a key source: dev keys under DATA_DIR/keys, and the dev minter", async () => {
    const { verifier, dev } = await setupAuthentication(devConfig());
    expect(dev).not.toBeNull();
    expect(dev!.privateKeyPath).toBe(path.join(dir, "keys", "dev-private.jwk.json"));
    await expect(verifier.verify(`Bearer ${await dev!.mint({ audience: "disability" })}`)).resolves.toMatchObject({ audience: "disability" });
  });

  it("JWT_JWKS_FILE is read once at start; private or symmetric keys are refused", async () => {
    const key = await makeKey("ES256", "file-key");
    const file = path.join(dir, "jwks.json");
    await writeFile(file, JSON.stringify(jwksOf(key)));
    const config = devConfig({ JWT_JWKS_FILE: file });
    const { keys, dev } = await loadVerificationKeys(config);
    expect(dev).toBeNull();
    expect(keys).toEqual({ kind: "local", jwks: jwksOf(key), source: file });

    await writeFile(file, JSON.stringify({ keys: [{ ...key.publicJwk, d: "secret" }] }));
    await expect(loadVerificationKeys(config)).rejects.toThrow(/private key material/);
    await writeFile(file, JSON.stringify({ keys: [{ kty: "oct", k: "c2VjcmV0" }] }));
    await expect(loadVerificationKeys(config)).rejects.toThrow(/symmetric/);
    await writeFile(file, "{");
    await expect(loadVerificationKeys(config)).rejects.toThrow(/not valid JSON/);
    await writeFile(file, JSON.stringify({ keys: [] }));
    await expect(loadVerificationKeys(config)).rejects.toThrow(/no keys/);
    await expect(loadVerificationKeys(devConfig({ JWT_JWKS_FILE: path.join(dir, "missing.json") }))).rejects.toThrow(/cannot read .*ENOENT/);
  });
});

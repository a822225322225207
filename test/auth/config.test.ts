import path from "node:path";
import { describe, expect, it } from "vitest";
import { authConfigFromEnv } from "../../src/auth/config.js";

const problemsOf = (env: Record<string, string>) => {
  const r = authConfigFromEnv(env);
  expect(r.ok).toBe(false);
  return r.problems;
};

describe("authConfigFromEnv", () => {
  it("development defaults", () => {
    const r = authConfigFromEnv({});
    expect(r.ok).toBe(true);
    expect(r.config).toEqual({
      production: false,
      issuer: "safetynet-dev",
      audience: "safetynet-gateway",
      algorithms: ["ES256", "RS256", "EdDSA"],
      keySource: { kind: "dev", dir: path.resolve("./data/keys") },
      typ: null,
      clockToleranceSeconds: 30,
      maxTokenBytes: 8192,
      jwksCacheMaxAgeSeconds: 600,
      jwksCooldownSeconds: 30,
      jwksTimeoutSeconds: 5,
      claims: { department: "dept", roles: "roles", jurisdiction: "jurisdiction", purpose: "purpose", charity: "charity_id" },
      cityCode: "500000",
    });
  });

  it("production with a JWKS URL and every variable set", () => {
    const r = authConfigFromEnv({
      NODE_ENV: "production",
      JWT_ISSUER: "https://idp.cq.gov.cn/realms/safetynet",
      JWT_AUDIENCE: "safetynet-gateway",
      JWT_ALGORITHMS: " es256 , PS256,ES384,ES256 ",
      JWT_JWKS_URL: "https://idp.cq.gov.cn/realms/safetynet/protocol/openid-connect/certs",
      JWT_TYP: "at+jwt",
      JWT_CLOCK_TOLERANCE_SECONDS: "5",
      JWT_MAX_TOKEN_BYTES: "4096",
      JWKS_CACHE_MAX_AGE_SECONDS: "300",
      JWKS_COOLDOWN_SECONDS: "10",
      JWT_CLAIM_DEPARTMENT: "https://safetynet.cq.gov.cn/dept",
      DATA_DIR: "/var/lib/safetynet",
    });
    expect(r.ok).toBe(true);
    expect(r.config).toMatchObject({
      production: true,
      algorithms: ["ES256", "PS256", "ES384"],
      keySource: { kind: "jwks-url" },
      typ: "at+jwt",
      clockToleranceSeconds: 5,
      maxTokenBytes: 4096,
      jwksCacheMaxAgeSeconds: 300,
      jwksCooldownSeconds: 10,
      claims: { department: "https://safetynet.cq.gov.cn/dept" },
    });
  });

  it("JWT_ALGORITHMS=HS256 → a problem naming the variable", () => {
    const problems = problemsOf({ JWT_ALGORITHMS: "HS256" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^JWT_ALGORITHMS: HS256 is never allowed/);
    expect(problemsOf({ JWT_ALGORITHMS: "ES256,none" })[0]).toMatch(/^JWT_ALGORITHMS: none is never allowed/);
    expect(problemsOf({ JWT_ALGORITHMS: "ES256,hs512" })[0]).toMatch(/^JWT_ALGORITHMS: hs512 is never allowed/);
    expect(problemsOf({ JWT_ALGORITHMS: "RS512" })[0]).toMatch(/^JWT_ALGORITHMS: RS512 is not supported/);
    expect(problemsOf({ JWT_ALGORITHMS: ", ," })[0]).toMatch(/^JWT_ALGORITHMS: must list at least one/);
  });

  it("production requires a key source, an issuer and an audience (never the dev keys)", () => {
    const problems = problemsOf({ NODE_ENV: "production" });
    expect(problems).toEqual([
      expect.stringMatching(/^JWT_JWKS_URL: one of JWT_JWKS_URL or JWT_JWKS_FILE is required in production/),
      expect.stringMatching(/^JWT_ISSUER: is required in production/),
      expect.stringMatching(/^JWT_AUDIENCE: is required in production/),
    ]);
    // an unknown NODE_ENV fails closed: treated as production
    expect(problemsOf({ NODE_ENV: "staging" }).some((p) => p.startsWith("JWT_JWKS_URL:"))).toBe(true);
  });

  it("a JWKS file in production is fine", () => {
    const r = authConfigFromEnv({ NODE_ENV: "production", JWT_ISSUER: "i", JWT_AUDIENCE: "a", JWT_JWKS_FILE: "keys/jwks.json" });
    expect(r.config?.keySource).toEqual({ kind: "jwks-file", path: path.resolve("keys/jwks.json") });
  });

  it("JWKS URL checks", () => {
    expect(problemsOf({ JWT_JWKS_URL: "http://idp.example/certs" })[0]).toMatch(/^JWT_JWKS_URL: must be an https:\/\//);
    expect(problemsOf({ JWT_JWKS_URL: "not a url" })[0]).toMatch(/^JWT_JWKS_URL:/);
    expect(problemsOf({ JWT_JWKS_URL: "https://u:p@idp.example/certs" })[0]).toMatch(/^JWT_JWKS_URL: must not contain credentials/);
    expect(authConfigFromEnv({ JWT_JWKS_URL: "http://127.0.0.1:8080/certs" }).ok).toBe(true);
    expect(problemsOf({ JWT_JWKS_URL: "https://idp.example/certs", JWT_JWKS_FILE: "x.json" })[0]).toMatch(/^JWT_JWKS_FILE: set either/);
  });

  it("numeric ranges", () => {
    expect(problemsOf({ JWT_CLOCK_TOLERANCE_SECONDS: "31" })[0]).toBe("JWT_CLOCK_TOLERANCE_SECONDS: must be a whole number from 0 to 30");
    expect(problemsOf({ JWT_CLOCK_TOLERANCE_SECONDS: "-1" })[0]).toMatch(/^JWT_CLOCK_TOLERANCE_SECONDS:/);
    expect(problemsOf({ JWT_MAX_TOKEN_BYTES: "8k" })[0]).toMatch(/^JWT_MAX_TOKEN_BYTES:/);
    expect(problemsOf({ JWKS_COOLDOWN_SECONDS: "1.5" })[0]).toMatch(/^JWKS_COOLDOWN_SECONDS:/);
    expect(authConfigFromEnv({ JWT_CLOCK_TOLERANCE_SECONDS: "0" }).config?.clockToleranceSeconds).toBe(0);
  });

  it("several problems are reported together", () => {
    const problems = problemsOf({ JWT_ALGORITHMS: "HS256", JWT_MAX_TOKEN_BYTES: "10", JWT_TYP: "bad typ" });
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual(["JWT_ALGORITHMS", "JWT_MAX_TOKEN_BYTES", "JWT_TYP"]);
  });

  it("claim names: registered names and duplicates are refused", () => {
    expect(problemsOf({ JWT_CLAIM_ROLES: "sub" })[0]).toMatch(/^JWT_CLAIM_ROLES: must not be a registered JWT claim/);
    expect(problemsOf({ JWT_CLAIM_PURPOSE: "dept" })[0]).toMatch(/^JWT_CLAIM_PURPOSE: "dept" is already the claim of JWT_CLAIM_DEPARTMENT/);
    expect(problemsOf({ JWT_CLAIM_CHARITY: "has space" })[0]).toMatch(/^JWT_CLAIM_CHARITY:/);
    expect(problemsOf({ JWT_CLAIM_ROLES: "__proto__" })[0]).toMatch(/^JWT_CLAIM_ROLES: must not be __proto__/);
  });

  it("development keys are ES256: an allow-list without ES256 needs a real key source", () => {
    expect(problemsOf({ JWT_ALGORITHMS: "RS256" })[0]).toMatch(/^JWT_ALGORITHMS: the development key pair signs with ES256/);
    expect(authConfigFromEnv({ JWT_ALGORITHMS: "RS256", JWT_JWKS_FILE: "jwks.json" }).ok).toBe(true);
  });

  it("AUTH_CITY_CODE and DATA_DIR", () => {
    expect(problemsOf({ AUTH_CITY_CODE: "500103" })[0]).toMatch(/^AUTH_CITY_CODE:/);
    const r = authConfigFromEnv({ AUTH_CITY_CODE: "510100", DATA_DIR: "/tmp/sn" });
    expect(r.config).toMatchObject({ cityCode: "510100", keySource: { kind: "dev", dir: "/tmp/sn/keys" } });
  });

  it("empty values count as unset", () => {
    expect(authConfigFromEnv({ JWT_ALGORITHMS: "", JWT_TYP: "  " }).config).toMatchObject({ algorithms: ["ES256", "RS256", "EdDSA"], typ: null });
  });
});

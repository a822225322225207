import { beforeAll, describe, expect, it } from "vitest";
import { CompactSign, SignJWT, exportSPKI } from "jose";
import { createVerifier, bearerToken } from "../../src/auth/verify.js";
import { AuthError } from "../../src/auth/errors.js";
import { authErrorToGraphQLError } from "../../src/auth/graphql.js";
import { AUDIENCES, type Audience, type Principal } from "../../src/auth/principal.js";
import { AUDIENCE, ISSUER, b64json, claims, expectReason, jwksOf, makeKey, nowSeconds, sign, testConfig, type TestKey } from "./helpers.js";

let es: TestKey;
let other: TestKey;
let rsa: TestKey;
let ed: TestKey;
let verifier: ReturnType<typeof createVerifier>;
const bearer = (t: string) => `Bearer ${t}`;

beforeAll(async () => {
  es = await makeKey("ES256", "es-1");
  other = await makeKey("ES256", "es-other");
  rsa = await makeKey("RS256", "rsa-1");
  ed = await makeKey("EdDSA", "ed-1");
  verifier = createVerifier(testConfig(), { kind: "local", jwks: jwksOf(es, rsa, ed), source: "test" });
});

describe("bearer header", () => {
  it("no header → MISSING_TOKEN", async () => {
    await expectReason(verifier.verify(undefined), "MISSING_TOKEN");
    await expectReason(verifier.verify(""), "MISSING_TOKEN");
    await expectReason(verifier.verify("Bearer"), "MISSING_TOKEN");
    await expectReason(verifier.verify("Bearer    "), "MISSING_TOKEN");
  });

  it('"Basic xyz" (another scheme) → MISSING_TOKEN, "no Bearer token"', async () => {
    const err = await expectReason(verifier.verify("Basic xyz"), "MISSING_TOKEN");
    expect(err.message).toMatch(/Bearer scheme/);
    await expectReason(verifier.verify(`Token ${await sign(es, claims())}`), "MISSING_TOKEN");
    await expectReason(verifier.verify(await sign(es, claims())), "MISSING_TOKEN"); // no scheme at all
  });

  it("the scheme is case-insensitive", async () => {
    const token = await sign(es, claims());
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"]) {
      await expect(verifier.verify(`${scheme} ${token}`)).resolves.toMatchObject({ subject: "user-1" });
    }
  });

  it("not a compact JWS → MALFORMED_TOKEN", async () => {
    await expectReason(verifier.verify("Bearer abc"), "MALFORMED_TOKEN");
    await expectReason(verifier.verify("Bearer a.b.c"), "MALFORMED_TOKEN"); // header is not JSON
    await expectReason(verifier.verify("Bearer a.b.c.d.e"), "MALFORMED_TOKEN"); // JWE shape
    await expectReason(verifier.verify("Bearer x y z"), "MALFORMED_TOKEN");
    await expectReason(verifier.verify(`Bearer ${b64json({ alg: "ES256", kid: "es-1" })}.!!!.sig`), "MALFORMED_TOKEN");
    // a correctly signed payload that is not a JSON object (jose's JWTInvalid)
    const arrayPayload = await new CompactSign(new TextEncoder().encode("[1,2]")).setProtectedHeader({ alg: "ES256", kid: "es-1" }).sign(es.privateKey);
    await expectReason(verifier.verify(bearer(arrayPayload)), "MALFORMED_TOKEN");
    // signature checked before the payload is parsed: an unsigned junk payload is an invalid signature
    await expectReason(verifier.verify(`Bearer ${b64json({ alg: "ES256", kid: "es-1" })}.${b64json([1, 2])}.AAAA`), "INVALID_SIGNATURE");
  });
});

describe("algorithm attacks", () => {
  it('alg "none" (hand-crafted, empty signature) → ALGORITHM_NOT_ALLOWED', async () => {
    for (const alg of ["none", "None", "NONE"]) {
      const token = `${b64json({ alg, typ: "JWT" })}.${b64json(claims())}.`;
      await expectReason(verifier.verify(bearer(token)), "ALGORITHM_NOT_ALLOWED");
    }
    // with a kid and a bogus signature too
    const withSig = `${b64json({ alg: "none", kid: "es-1" })}.${b64json(claims())}.AAAA`;
    await expectReason(verifier.verify(bearer(withSig)), "ALGORITHM_NOT_ALLOWED");
  });

  it("HS256 signed with the public key's bytes (key confusion) → ALGORITHM_NOT_ALLOWED", async () => {
    const secrets = [
      new TextEncoder().encode(await exportSPKI(rsa.publicKey)), // the PEM
      new TextEncoder().encode(JSON.stringify(rsa.publicJwk)), // the JWK
      new TextEncoder().encode(await exportSPKI(es.publicKey)),
    ];
    for (const secret of secrets) {
      for (const [alg, kid] of [
        ["HS256", "rsa-1"],
        ["HS384", "es-1"],
        ["HS512", undefined],
      ] as const) {
        const header: { alg: string; kid?: string } = { alg };
        if (kid) header.kid = kid;
        const token = await new SignJWT(claims()).setProtectedHeader(header).sign(secret);
        await expectReason(verifier.verify(bearer(token)), "ALGORITHM_NOT_ALLOWED");
      }
    }
  });

  it("an algorithm outside the allow-list (PS256 when the list is ES256 only) → ALGORITHM_NOT_ALLOWED", async () => {
    const ps = await makeKey("PS256", "ps-1");
    const rs = await makeKey("RS256", "rs-2");
    const onlyEs = createVerifier(testConfig({ JWT_ALGORITHMS: "ES256" }), { kind: "local", jwks: jwksOf(es, ps, rs), source: "test" });
    await expectReason(onlyEs.verify(bearer(await sign(ps, claims()))), "ALGORITHM_NOT_ALLOWED");
    await expectReason(onlyEs.verify(bearer(await sign(rs, claims()))), "ALGORITHM_NOT_ALLOWED");
    await expect(onlyEs.verify(bearer(await sign(es, claims())))).resolves.toMatchObject({ audience: "civil_affairs" });
    // the same PS256 token passes once PS256 is allowed
    const withPs = createVerifier(testConfig({ JWT_ALGORITHMS: "ES256,PS256" }), { kind: "local", jwks: jwksOf(es, ps), source: "test" });
    await expect(withPs.verify(bearer(await sign(ps, claims())))).resolves.toMatchObject({ audience: "civil_affairs" });
  });

  it("RS256 and EdDSA (default allow-list) verify", async () => {
    await expect(verifier.verify(bearer(await sign(rsa, claims())))).resolves.toMatchObject({ subject: "user-1" });
    await expect(verifier.verify(bearer(await sign(ed, claims())))).resolves.toMatchObject({ subject: "user-1" });
  });
});

describe("signature and keys", () => {
  it("tampered payload (claim flipped, signature kept) → INVALID_SIGNATURE", async () => {
    const token = await sign(es, claims({ dept: "charity", charity_id: "c-1", jurisdiction: { districts: ["500103"] } }));
    const [h, , s] = token.split(".");
    const forged = `${h}.${b64json(claims({ dept: "civil_affairs", jurisdiction: { city: "500000" } }))}.${s}`;
    await expectReason(verifier.verify(bearer(forged)), "INVALID_SIGNATURE");
    // flipping one character of the signature
    const flipped = token.slice(0, -2) + (token.at(-2) === "A" ? "B" : "A") + token.at(-1);
    await expectReason(verifier.verify(bearer(flipped)), "INVALID_SIGNATURE");
  });

  it("signed by another key under a known kid → INVALID_SIGNATURE; unknown kid → UNKNOWN_KEY", async () => {
    await expectReason(verifier.verify(bearer(await sign(other, claims(), { kid: "es-1" }))), "INVALID_SIGNATURE");
    await expectReason(verifier.verify(bearer(await sign(other, claims()))), "UNKNOWN_KEY");
  });
});

describe("time", () => {
  const fixed = new Date("2026-11-22T10:00:00Z");
  const t = Math.floor(fixed.getTime() / 1000);
  let clocked: ReturnType<typeof createVerifier>;
  beforeAll(() => {
    clocked = createVerifier(testConfig(), { kind: "local", jwks: jwksOf(es), source: "test" }, { now: () => fixed });
  });

  it("expired 31 s ago → TOKEN_EXPIRED; 29 s past exp is accepted (tolerance 30 s)", async () => {
    await expectReason(clocked.verify(bearer(await sign(es, claims({ iat: t - 600, nbf: t - 600, exp: t - 31 })))), "TOKEN_EXPIRED", "exp");
    const ok = await clocked.verify(bearer(await sign(es, claims({ iat: t - 600, nbf: t - 600, exp: t - 29 }))));
    expect(ok.expiresAt).toEqual(new Date((t - 29) * 1000));
  });

  it("tolerance is configurable (0 s rejects 1 s past exp)", async () => {
    const strict = createVerifier(testConfig({ JWT_CLOCK_TOLERANCE_SECONDS: "0" }), { kind: "local", jwks: jwksOf(es), source: "test" }, { now: () => fixed });
    await expectReason(strict.verify(bearer(await sign(es, claims({ iat: t - 600, nbf: t - 600, exp: t - 1 })))), "TOKEN_EXPIRED");
  });

  it("nbf in the future beyond the tolerance → TOKEN_NOT_YET_VALID (within it: accepted)", async () => {
    await expectReason(clocked.verify(bearer(await sign(es, claims({ iat: t, nbf: t + 31, exp: t + 600 })))), "TOKEN_NOT_YET_VALID", "nbf");
    await expect(clocked.verify(bearer(await sign(es, claims({ iat: t, nbf: t + 29, exp: t + 600 }))))).resolves.toBeTruthy();
  });

  it("missing exp → MISSING_CLAIM exp; non-numeric exp → INVALID_CLAIMS", async () => {
    await expectReason(verifier.verify(bearer(await sign(es, claims({ exp: undefined })))), "MISSING_CLAIM", "exp");
    await expectReason(verifier.verify(bearer(await sign(es, claims({ exp: "tomorrow" })))), "INVALID_CLAIMS", "exp");
  });
});

describe("verified tokens are remembered (no signature check per request), never past their exp", () => {
  it("a remembered token still expires: the same token string is TOKEN_EXPIRED once the clock passes exp + tolerance", async () => {
    let now = new Date("2026-11-22T10:00:00Z");
    const t = Math.floor(now.getTime() / 1000);
    const v = createVerifier(testConfig(), { kind: "local", jwks: jwksOf(es), source: "test" }, { now: () => now });
    const token = await sign(es, claims({ iat: t - 10, nbf: t - 10, exp: t + 100 }));
    const first = await v.verify(bearer(token));
    expect(first.expiresAt).toEqual(new Date((t + 100) * 1000));
    // served again from the cache: the very same Principal, read-only
    const again = await v.verify(bearer(token));
    expect(again).toBe(first);
    expect(Object.isFrozen(again) && Object.isFrozen(again.roles) && Object.isFrozen(again.jurisdiction)).toBe(true);
    now = new Date((t + 129) * 1000); // within the 30 s tolerance
    await expect(v.verify(bearer(token))).resolves.toBe(first);
    now = new Date((t + 131) * 1000);
    await expectReason(v.verify(bearer(token)), "TOKEN_EXPIRED", "exp");
  });

  it("each token string answers its own principal; a token differing in one signature byte is still checked", async () => {
    const a = await sign(es, claims({ sub: "cache-a" }));
    const b = await sign(es, claims({ sub: "cache-b" }));
    expect((await verifier.verify(bearer(a))).subject).toBe("cache-a");
    expect((await verifier.verify(bearer(b))).subject).toBe("cache-b");
    expect((await verifier.verify(bearer(a))).subject).toBe("cache-a");
    const [h, p, sig] = a.split(".");
    const flipped = `${h}.${p}.${sig.slice(0, 10)}${sig[10] === "A" ? "B" : "A"}${sig.slice(11)}`;
    await expectReason(verifier.verify(bearer(flipped)), "INVALID_SIGNATURE");
    // and a tampered payload under the remembered token's signature
    const forged = `${h}.${b64json({ ...claims({ sub: "cache-a" }), roles: ["admin"] })}.${sig}`;
    await expectReason(verifier.verify(bearer(forged)), "INVALID_SIGNATURE");
  });
});

describe("issuer, audience, subject, typ", () => {
  it("wrong aud → WRONG_AUDIENCE; missing aud → MISSING_CLAIM aud", async () => {
    await expectReason(verifier.verify(bearer(await sign(es, claims({ aud: "some-other-api" })))), "WRONG_AUDIENCE", "aud");
    await expectReason(verifier.verify(bearer(await sign(es, claims({ aud: ["a", "b"] })))), "WRONG_AUDIENCE", "aud");
    await expectReason(verifier.verify(bearer(await sign(es, claims({ aud: undefined })))), "MISSING_CLAIM", "aud");
    // an audience list containing ours is fine
    await expect(verifier.verify(bearer(await sign(es, claims({ aud: ["x", AUDIENCE] }))))).resolves.toBeTruthy();
  });

  it("wrong iss → WRONG_ISSUER; missing iss → MISSING_CLAIM iss", async () => {
    await expectReason(verifier.verify(bearer(await sign(es, claims({ iss: "https://evil.example" })))), "WRONG_ISSUER", "iss");
    await expectReason(verifier.verify(bearer(await sign(es, claims({ iss: `${ISSUER}/` })))), "WRONG_ISSUER");
    await expectReason(verifier.verify(bearer(await sign(es, claims({ iss: undefined })))), "MISSING_CLAIM", "iss");
  });

  it("missing or non-string sub → MISSING_CLAIM / INVALID_CLAIMS", async () => {
    await expectReason(verifier.verify(bearer(await sign(es, claims({ sub: undefined })))), "MISSING_CLAIM", "sub");
    await expectReason(verifier.verify(bearer(await sign(es, claims({ sub: 42 })))), "INVALID_CLAIMS", "sub");
    await expectReason(verifier.verify(bearer(await sign(es, claims({ sub: " " })))), "INVALID_CLAIMS", "sub");
  });

  it("wrong typ when JWT_TYP is configured → WRONG_TYPE", async () => {
    const typed = createVerifier(testConfig({ JWT_TYP: "at+jwt" }), { kind: "local", jwks: jwksOf(es), source: "test" });
    await expectReason(typed.verify(bearer(await sign(es, claims(), { typ: "JWT" }))), "WRONG_TYPE", "typ");
    await expectReason(typed.verify(bearer(await sign(es, claims(), { typ: null }))), "WRONG_TYPE", "typ");
    await expectReason(typed.verify(bearer(await sign(es, claims(), { typ: "id+jwt" }))), "WRONG_TYPE");
    await expect(typed.verify(bearer(await sign(es, claims(), { typ: "at+jwt" })))).resolves.toBeTruthy();
    await expect(typed.verify(bearer(await sign(es, claims(), { typ: "application/at+jwt" })))).resolves.toBeTruthy();
    // without JWT_TYP any typ passes
    await expect(verifier.verify(bearer(await sign(es, claims(), { typ: "whatever" })))).resolves.toBeTruthy();
  });
});

describe("size", () => {
  it("an oversized token is rejected before it is parsed", async () => {
    const capped = createVerifier(testConfig({ JWT_MAX_TOKEN_BYTES: "1024" }), { kind: "local", jwks: jwksOf(es), source: "test" });
    const big = await sign(es, claims({ padding: "x".repeat(1200) }));
    expect(big.length).toBeGreaterThan(1024);
    await expectReason(capped.verify(bearer(big)), "TOKEN_TOO_LARGE");
    // garbage that is not even a JWT is reported as too large, not malformed: the size check comes first
    await expectReason(capped.verify(`Bearer ${"%".repeat(1100)}`), "TOKEN_TOO_LARGE");
    await expectReason(capped.verify(`Bearer ${"a".repeat(5_000_000)}`), "TOKEN_TOO_LARGE");
    await expectReason(capped.verify(`Basic ${"a".repeat(5_000_000)}`), "TOKEN_TOO_LARGE");
    // just under the cap passes
    const small = await sign(es, claims());
    expect(small.length).toBeLessThan(1024);
    await expect(capped.verify(bearer(small))).resolves.toBeTruthy();
  });

  it("bearerToken() never parses beyond the cap", () => {
    expect(() => bearerToken(`Bearer ${"a".repeat(9000)}`, 8192)).toThrow(AuthError);
    expect(bearerToken("  bearer   a.b.c  ", 8192)).toBe("a.b.c");
  });
});

describe("gateway claims", () => {
  it("auditor without purpose → MISSING_CLAIM purpose (blank too); over 500 chars → INVALID_CLAIMS", async () => {
    const auditor = (purpose: unknown) => claims({ dept: "auditor", purpose });
    const err = await expectReason(verifier.verify(bearer(await sign(es, auditor(undefined)))), "MISSING_CLAIM", "purpose");
    expect(err.message).toMatch(/[Aa]uditor.*purpose/);
    await expectReason(verifier.verify(bearer(await sign(es, auditor("")))), "MISSING_CLAIM", "purpose");
    await expectReason(verifier.verify(bearer(await sign(es, auditor("   ")))), "MISSING_CLAIM", "purpose");
    await expectReason(verifier.verify(bearer(await sign(es, auditor("x".repeat(501))))), "INVALID_CLAIMS", "purpose");
    await expectReason(verifier.verify(bearer(await sign(es, auditor(["audit"])))), "INVALID_CLAIMS", "purpose");
    await expect(verifier.verify(bearer(await sign(es, auditor("x".repeat(500)))))).resolves.toMatchObject({ purpose: "x".repeat(500) });
  });

  it("charity without charity id → MISSING_CLAIM charity_id; malformed id → INVALID_CLAIMS", async () => {
    const charity = (extra: Record<string, unknown>) => claims({ dept: "charity", jurisdiction: undefined, ...extra });
    const err = await expectReason(verifier.verify(bearer(await sign(es, charity({})))), "MISSING_CLAIM", "charity_id");
    expect(err.message).toMatch(/[Cc]harity/);
    await expectReason(verifier.verify(bearer(await sign(es, charity({ charity_id: "" })))), "MISSING_CLAIM", "charity_id");
    await expectReason(verifier.verify(bearer(await sign(es, charity({ charity_id: 7 })))), "INVALID_CLAIMS", "charity_id");
    await expectReason(verifier.verify(bearer(await sign(es, charity({ charity_id: "a b" })))), "INVALID_CLAIMS", "charity_id");
  });

  it("a charity id on a department token → INVALID_CLAIMS", async () => {
    await expectReason(verifier.verify(bearer(await sign(es, claims({ charity_id: "c-1" })))), "INVALID_CLAIMS", "charity_id");
  });

  it("out-of-shape jurisdiction → INVALID_CLAIMS; missing (non-charity) → MISSING_CLAIM", async () => {
    const bad: unknown[] = [
      { districts: "500103" },
      { districts: [] },
      { districts: ["5001"] },
      { districts: [500103] },
      { districts: ["5001031"] },
      { streets: ["50010300"] },
      { streets: ["500103"] },
      { city: "500103" },
      { city: 500000 },
      { city: "500000", districts: ["500103"] },
      { county: ["500103"] },
      {},
      ["500103"],
      "500103",
      { districts: Array.from({ length: 201 }, (_, i) => String(500100 + i)) },
    ];
    for (const jurisdiction of bad) {
      await expectReason(verifier.verify(bearer(await sign(es, claims({ jurisdiction })))), "INVALID_CLAIMS", "jurisdiction");
    }
    await expectReason(verifier.verify(bearer(await sign(es, claims({ jurisdiction: undefined })))), "MISSING_CLAIM", "jurisdiction");
    await expectReason(verifier.verify(bearer(await sign(es, claims({ jurisdiction: null })))), "MISSING_CLAIM", "jurisdiction");
  });

  it("department claim missing → MISSING_CLAIM dept; unknown → INVALID_CLAIMS", async () => {
    await expectReason(verifier.verify(bearer(await sign(es, claims({ dept: undefined })))), "MISSING_CLAIM", "dept");
    await expectReason(verifier.verify(bearer(await sign(es, claims({ dept: "police" })))), "INVALID_CLAIMS", "dept");
    await expectReason(verifier.verify(bearer(await sign(es, claims({ dept: ["education"] })))), "INVALID_CLAIMS", "dept");
  });

  it("roles must be a list of names", async () => {
    await expectReason(verifier.verify(bearer(await sign(es, claims({ roles: "admin" })))), "INVALID_CLAIMS", "roles");
    await expectReason(verifier.verify(bearer(await sign(es, claims({ roles: [1] })))), "INVALID_CLAIMS", "roles");
    await expect(verifier.verify(bearer(await sign(es, claims({ roles: undefined }))))).resolves.toMatchObject({ roles: [] });
    await expect(verifier.verify(bearer(await sign(es, claims({ roles: ["a", "a", "b"] }))))).resolves.toMatchObject({ roles: ["a", "b"] });
  });

  it("custom claim names are honoured", async () => {
    const custom = createVerifier(
      testConfig({ JWT_CLAIM_DEPARTMENT: "https://safetynet.example/dept", JWT_CLAIM_JURISDICTION: "scope_area" }),
      { kind: "local", jwks: jwksOf(es), source: "test" },
    );
    const token = await sign(es, claims({ dept: undefined, jurisdiction: undefined, "https://safetynet.example/dept": "education", scope_area: { districts: ["500103"] } }));
    await expect(custom.verify(bearer(token))).resolves.toMatchObject({ audience: "education", jurisdiction: { kind: "districts", districts: ["500103"] } });
    await expectReason(custom.verify(bearer(await sign(es, claims()))), "MISSING_CLAIM", "https://safetynet.example/dept");
  });
});

describe("happy path: every audience", () => {
  const cases: Record<Audience, { extra: Record<string, unknown>; expected: Partial<Principal> }> = {
    civil_affairs: { extra: { jurisdiction: { city: "500000" } }, expected: { jurisdiction: { kind: "city", city: "500000" } } },
    education: { extra: { jurisdiction: { districts: ["500103"] } }, expected: { jurisdiction: { kind: "districts", districts: ["500103"] } } },
    employment: { extra: { jurisdiction: { districts: ["500103", "500104", "500103"] } }, expected: { jurisdiction: { kind: "districts", districts: ["500103", "500104"] } } },
    housing: { extra: { jurisdiction: { districts: ["500103"] } }, expected: { jurisdiction: { kind: "districts", districts: ["500103"] } } },
    medical_insurance: { extra: { jurisdiction: { city: "500000" } }, expected: { jurisdiction: { kind: "city", city: "500000" } } },
    disability: { extra: { jurisdiction: { districts: ["500103"] } }, expected: { jurisdiction: { kind: "districts", districts: ["500103"] } } },
    health: { extra: { jurisdiction: { districts: ["500103"] } }, expected: { jurisdiction: { kind: "districts", districts: ["500103"] } } },
    street_office: { extra: { jurisdiction: { streets: ["500103001", "500103002"] } }, expected: { jurisdiction: { kind: "streets", streets: ["500103001", "500103002"] } } },
    charity: { extra: { jurisdiction: undefined, charity_id: "CQ-CHARITY-0042" }, expected: { charityId: "CQ-CHARITY-0042", jurisdiction: { kind: "city", city: "500000" } } },
    auditor: { extra: { jurisdiction: { city: "500000" }, purpose: "  2026 Q3 minimum-living-allowance payment audit  " }, expected: { purpose: "2026 Q3 minimum-living-allowance payment audit" } },
  };

  it("covers every audience", () => {
    expect(Object.keys(cases).sort()).toEqual([...AUDIENCES].sort());
  });

  for (const audience of AUDIENCES) {
    it(audience, async () => {
      const exp = nowSeconds() + 900;
      const { extra, expected } = cases[audience];
      const principal = await verifier.verify(bearer(await sign(es, claims({ dept: audience, sub: `u-${audience}`, jti: `j-${audience}`, exp, ...extra }))));
      expect(principal).toEqual({
        subject: `u-${audience}`,
        audience,
        roles: ["caseworker"],
        jurisdiction: expected.jurisdiction ?? { kind: "city", city: "500000" },
        purpose: expected.purpose ?? null,
        charityId: expected.charityId ?? null,
        tokenId: `j-${audience}`,
        expiresAt: new Date(exp * 1000),
      });
    });
  }

  it("a charity may narrow its scope with a jurisdiction", async () => {
    const p = await verifier.verify(bearer(await sign(es, claims({ dept: "charity", charity_id: "c-1", jurisdiction: { streets: ["500103001"] } }))));
    expect(p.jurisdiction).toEqual({ kind: "streets", streets: ["500103001"] });
  });

  it("a token without jti has tokenId null; a purpose on a department token is kept", async () => {
    const p = await verifier.verify(bearer(await sign(es, claims({ jti: undefined, purpose: "case review" }))));
    expect(p.tokenId).toBeNull();
    expect(p.purpose).toBe("case review");
  });
});

describe("AuthError", () => {
  it("is client-safe and carries an HTTP hint", async () => {
    const err = await expectReason(verifier.verify("Basic xyz"), "MISSING_TOKEN");
    expect(err.httpStatus).toBe(401);
    expect(err.wwwAuthenticate()).toBe('Bearer realm="safetynet-gateway"');
    const bad = await expectReason(verifier.verify(bearer(await sign(es, claims({ iss: "x" })))), "WRONG_ISSUER");
    expect(bad.wwwAuthenticate()).toMatch(/error="invalid_token"/);
    expect(JSON.parse(JSON.stringify(bad))).toEqual({ code: "UNAUTHENTICATED", reason: "WRONG_ISSUER", message: bad.message, claim: "iss" });
  });

  it("becomes a GraphQL error with code, reason and HTTP status for Apollo", async () => {
    const err = await expectReason(verifier.verify(bearer(await sign(es, claims({ aud: "x" })))), "WRONG_AUDIENCE");
    const gql = authErrorToGraphQLError(err);
    expect(gql.message).toBe(err.message);
    expect(gql.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason: "WRONG_AUDIENCE", claim: "aud", http: { status: 401 } });
    const http = gql.extensions.http as { headers: Map<string, string> };
    expect(http.headers.get("www-authenticate")).toMatch(/^Bearer realm="safetynet-gateway", error="invalid_token"/);
    expect(gql.originalError).toBeUndefined();
    const down = authErrorToGraphQLError(new AuthError("KEYS_UNAVAILABLE", "Token verification keys are temporarily unavailable; retry later"));
    expect(down.extensions.http).toMatchObject({ status: 503 });
  });

  it("claim names never reach Object.prototype", async () => {
    const weird = createVerifier(testConfig({ JWT_CLAIM_ROLES: "toString" }), { kind: "local", jwks: jwksOf(es), source: "test" });
    await expect(weird.verify(bearer(await sign(es, claims())))).resolves.toMatchObject({ roles: [] });
  });
});

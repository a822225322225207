/**
 * Authentication and row scope over real HTTP: a gateway whose verifier trusts a REMOTE key set (a JWKS
 * endpoint on 127.0.0.1 counting its fetches), tokens signed here with the test's own keys. Every
 * failure is HTTP 401 with one error { code: UNAUTHENTICATED, reason } and no data.
 */
import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { SignJWT, exportSPKI } from "jose";
import { startGateway, type GqlResult, type TestGateway } from "../helpers/gateway.js";
import { AUDIENCE, ISSUER, b64json, claims, jwksOf, makeKey, sign, startJwksServer, type JwksServer, type TestKey } from "../auth/helpers.js";
import { authConfigFromEnv } from "../../src/auth/config.js";
import { setupAuthentication } from "../../src/auth/index.js";
import type { AuthFailureReason } from "../../src/auth/errors.js";
import { makeIdNumber } from "../../src/domain/idnumber.js";
import type { Database } from "../../src/db/database.js";

const STREET_A = "500103001";
const STREET_B = "500103002";
let gw: TestGateway;
let jwks: JwksServer;
let key: TestKey;
/** The verifier's clock: real time unless a test pins it (exp/nbf at the second boundary). */
let pinned: number | null = null;
const ids = { a: [] as string[], b: "" };
const idNumbers: Record<string, string> = {};

async function seed(db: Database) {
  const p = db.prisma;
  await p.street.createMany({
    data: [
      { code: STREET_A, districtCode: "500103", name: "七星岗街道" },
      { code: STREET_B, districtCode: "500103", name: "解放碑街道" },
    ],
  });
  const households: [string, string][] = [
    [STREET_A, "a1"],
    [STREET_A, "a2"],
    [STREET_A, "a3"],
    [STREET_B, "b1"],
  ];
  let seq = 11;
  for (const [street, label] of households) {
    const idNumber = makeIdNumber("500103", "1970-01-02", seq++);
    idNumbers[label] = idNumber;
    const h = await p.household.create({
      data: {
        registryNo: `${street}-${label.toUpperCase()}`,
        districtCode: "500103",
        streetCode: street,
        address: `重庆市渝中区${street === STREET_A ? "七星岗" : "解放碑"}街道测试路${seq}号`,
        hukou: "URBAN",
        phone: "13800001111",
        members: { create: [{ idNumber, name: "王小明", sex: "FEMALE", birthDate: new Date("1970-01-02"), relation: "HEAD", workAbility: "FULL", selfCare: "FULL" }] },
      },
    });
    if (street === STREET_A) ids.a.push(h.id);
    else ids.b = h.id;
  }
  ids.a.sort();
}

beforeAll(async () => {
  key = await makeKey("ES256", "gw-key-1");
  jwks = await startJwksServer(jwksOf(key));
  const auth = authConfigFromEnv({
    NODE_ENV: "test",
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    JWT_JWKS_URL: jwks.url.href,
    JWKS_COOLDOWN_SECONDS: "60", // stepped past on a fake Date, never waited out (a loaded machine cannot outlast it)
  });
  if (!auth.ok) throw new Error(auth.problems.join("; "));
  const { verifier } = await setupAuthentication(auth.config, { now: () => (pinned === null ? new Date() : new Date(pinned)) });
  expect(verifier.keySource).toBe("remote");
  gw = await startGateway({ verifier, seed });
});
afterAll(async () => {
  await gw?.close();
  await jwks?.close();
});

const civil = (extra: Record<string, unknown> = {}) => sign(key, claims(extra));
const streetOffice = (street: string) => sign(key, claims({ sub: `street-${street}`, dept: "street_office", jurisdiction: { streets: [street] } }));
const charity = (id: string) => sign(key, claims({ sub: `charity-user-${id}`, dept: "charity", jurisdiction: undefined, charity_id: id }));
const auditor = (purpose?: string) => sign(key, claims({ sub: "auditor-1", dept: "auditor", ...(purpose ? { purpose } : {}) }));

const ANY = `{ policyParameters(regionCode: "500103") { key } }`;

/** A 401 with exactly one UNAUTHENTICATED error carrying `reason`, and nothing else. */
function expectUnauthenticated(res: GqlResult, reason: AuthFailureReason, message: string | RegExp) {
  expect(res.status).toBe(401);
  expect(res.body).not.toHaveProperty("data");
  expect(res.errors).toHaveLength(1);
  const e = res.errors![0];
  expect(e.extensions).toMatchObject({ code: "UNAUTHENTICATED", reason });
  if (typeof message === "string") expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
  expect(e.extensions!.requestId).toBe(res.headers.get("x-request-id"));
  expect(JSON.stringify(res.body)).not.toMatch(/eyJ|"kty"|BEGIN|at .*\.js/);
  expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="safetynet-gateway"/);
}

describe("rejected at authentication (HTTP 401, UNAUTHENTICATED, a stable reason, no data)", () => {
  test("no token", async () => {
    const res = await gw.gql(ANY, {}, null);
    expectUnauthenticated(res, "MISSING_TOKEN", "An Authorization: Bearer token is required");
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="safetynet-gateway"');
    expectUnauthenticated(await gw.gql(ANY, {}, null, { authorization: "Basic dXNlcjpwYXNz" }), "MISSING_TOKEN", /Bearer scheme/);
  });

  test('alg "none"', async () => {
    const token = `${b64json({ alg: "none", typ: "JWT" })}.${b64json(claims())}.`;
    expectUnauthenticated(await gw.gql(ANY, {}, token), "ALGORITHM_NOT_ALLOWED", "The token's signing algorithm is not accepted");
  });

  test("HS256 signed with the public key (key confusion)", async () => {
    const secret = new TextEncoder().encode(await exportSPKI(key.publicKey));
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid: key.kid }).sign(secret);
    expectUnauthenticated(await gw.gql(ANY, {}, token), "ALGORITHM_NOT_ALLOWED", "The token's signing algorithm is not accepted");
    const jwkSecret = new TextEncoder().encode(JSON.stringify(key.publicJwk));
    const token2 = await new SignJWT(claims()).setProtectedHeader({ alg: "HS256", kid: key.kid }).sign(jwkSecret);
    expectUnauthenticated(await gw.gql(ANY, {}, token2), "ALGORITHM_NOT_ALLOWED", "The token's signing algorithm is not accepted");
  });

  test("expired by 31 s is rejected; 29 s past exp is accepted (30 s tolerance)", async () => {
    const t = Math.floor(Date.now() / 1000);
    pinned = t * 1000 + 500; // the verifier's clock, mid-second: no boundary to cross
    try {
      const expired = await sign(key, claims({ iat: t - 600, nbf: t - 600, exp: t - 31 }));
      expectUnauthenticated(await gw.gql(ANY, {}, expired), "TOKEN_EXPIRED", "The token has expired");
      const tolerated = await sign(key, claims({ iat: t - 600, nbf: t - 600, exp: t - 29 }));
      const ok = await gw.gql(ANY, {}, tolerated);
      expect(ok.status).toBe(200);
      expect(ok.errors).toBeUndefined();
      expect(ok.data.policyParameters).toBeInstanceOf(Array);
    } finally {
      pinned = null;
    }
  });

  test("nbf in the future (beyond the tolerance)", async () => {
    const t = Math.floor(Date.now() / 1000);
    const token = await sign(key, claims({ nbf: t + 120, iat: t, exp: t + 600 }));
    expectUnauthenticated(await gw.gql(ANY, {}, token), "TOKEN_NOT_YET_VALID", "The token is not valid yet");
  });

  test("iat in the future: 31 s beyond the verifier's clock is rejected; 29 s is accepted (30 s tolerance)", async () => {
    const t = Math.floor(Date.now() / 1000);
    pinned = t * 1000 + 500; // the verifier's clock, mid-second: no boundary to cross
    try {
      const ahead = await sign(key, claims({ iat: t + 31, nbf: t - 60, exp: t + 600 }));
      const res = await gw.gql(ANY, {}, ahead);
      expectUnauthenticated(res, "TOKEN_NOT_YET_VALID", "The token is not valid yet (issued in the future)");
      const tolerated = await sign(key, claims({ iat: t + 29, nbf: t - 60, exp: t + 600 }));
      const ok = await gw.gql(ANY, {}, tolerated);
      expect(ok.status).toBe(200);
      expect(ok.errors).toBeUndefined();
    } finally {
      pinned = null;
    }
  });

  test("two Authorization headers are refused, even when both carry the same valid token (Node would keep the first)", async () => {
    const token = await civil();
    for (const values of [[`Bearer ${token}`, `Bearer ${token}`], ["Bearer not-a-token", `Bearer ${token}`], [`Bearer ${token}`, "Basic dXNlcjpwYXNz"]]) {
      const res = await new Promise<GqlResult>((resolve, reject) => {
        const body = JSON.stringify({ query: ANY });
        const req = httpRequest(
          `${gw.url}/graphql`,
          { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), authorization: values } },
          (r) => {
            let text = "";
            r.on("data", (c) => (text += c));
            r.on("end", () => {
              const parsed = JSON.parse(text);
              resolve({ status: r.statusCode!, data: parsed.data, errors: parsed.errors, body: parsed, headers: new Headers(r.headers as Record<string, string>) });
            });
          },
        );
        req.on("error", reject);
        req.end(body);
      });
      expectUnauthenticated(res, "DUPLICATE_AUTHORIZATION", "Send exactly one Authorization header");
    }
  });

  test("wrong or missing aud / iss", async () => {
    expectUnauthenticated(await gw.gql(ANY, {}, await civil({ aud: "another-service" })), "WRONG_AUDIENCE", "The token was not issued for this gateway");
    expectUnauthenticated(await gw.gql(ANY, {}, await civil({ iss: "https://evil.example/" })), "WRONG_ISSUER", "The token was not issued by a trusted issuer");
    const noAud = await gw.gql(ANY, {}, await civil({ aud: undefined }));
    expectUnauthenticated(noAud, "MISSING_CLAIM", 'The token lacks the required "aud" claim');
    expect(noAud.errors![0].extensions!.claim).toBeUndefined(); // the body carries code + reason; the claim is named in the message
    expectUnauthenticated(await gw.gql(ANY, {}, await civil({ iss: undefined })), "MISSING_CLAIM", 'The token lacks the required "iss" claim');
  });

  test("missing exp", async () => {
    expectUnauthenticated(await gw.gql(ANY, {}, await civil({ exp: undefined })), "MISSING_CLAIM", 'The token lacks the required "exp" claim');
  });

  test("tampered payload (jurisdiction widened, signature kept)", async () => {
    const token = await streetOffice(STREET_A);
    const [h, , s] = token.split(".");
    const forged = `${h}.${b64json(claims({ dept: "civil_affairs", jurisdiction: { city: "500000" } }))}.${s}`;
    expectUnauthenticated(await gw.gql(ANY, {}, forged), "INVALID_SIGNATURE", "The token signature is invalid");
  });

  test("an oversized token", async () => {
    const token = await civil({ padding: "x".repeat(9000) });
    expect(token.length).toBeGreaterThan(8192);
    expectUnauthenticated(await gw.gql(ANY, {}, token), "TOKEN_TOO_LARGE", "The bearer token is larger than 8192 bytes");
  });

  test("an auditor without a purpose is rejected at authentication", async () => {
    expectUnauthenticated(await gw.gql(ANY, {}, await auditor()), "MISSING_CLAIM", /purpose/);
    const ok = await gw.gql(ANY, {}, await auditor("2026 dibao fund audit"));
    expect(ok.status).toBe(200);
  });

  test("an unknown kid against the remote key set: exactly one key-set refetch, then none within the cooldown", async () => {
    const warm = await gw.gql(ANY, {}, await civil());
    expect(warm.status).toBe(200);
    // jose's remote key set measures the cooldown with Date.now(): only Date is faked (sockets and timers stay
    // real) and stepped past the 60 s cooldown since the last fetch; it then stands still, so the cooldown
    // cannot run out during the rest of the test however slow the machine is
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      const before = jwks.fetches;
      const stranger = await makeKey("ES256", "stranger-1");
      expectUnauthenticated(await gw.gql(ANY, {}, await sign(stranger, claims())), "UNKNOWN_KEY", "The token was signed with an unknown key");
      expect(jwks.fetches).toBe(before + 1);
      // more unknown kids right away: no more fetches (the cooldown), and known keys keep working
      for (const kid of ["stranger-2", "stranger-3", "stranger-4"])
        expectUnauthenticated(await gw.gql(ANY, {}, await sign(stranger, claims(), { kid })), "UNKNOWN_KEY", "The token was signed with an unknown key");
      expect((await gw.gql(ANY, {}, await civil())).status).toBe(200);
      expect(jwks.fetches).toBe(before + 1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("row scope and field policy", () => {
  const HOUSEHOLD = `query($id: ID!) { household(id: $id) { id address } }`;

  test("a street-A token asking for a household of street B is NOT_FOUND exactly like a missing id", async () => {
    const token = await streetOffice(STREET_A);
    const own = await gw.gql(HOUSEHOLD, { id: ids.a[0] }, token);
    expect(own.errors).toBeUndefined();
    expect(own.data.household.id).toBe(ids.a[0]);

    const strip = (r: GqlResult) => ({
      status: r.status,
      data: r.data,
      errors: r.errors?.map(({ extensions, ...e }) => ({ ...e, extensions: { ...extensions, requestId: "-" } })),
    });
    const other = await gw.gql(HOUSEHOLD, { id: ids.b }, token);
    const missing = await gw.gql(HOUSEHOLD, { id: randomUUID() }, token);
    expect(other.errors![0].extensions!.code).toBe("NOT_FOUND");
    expect(strip(other)).toEqual(strip(missing));
    expect(other.data).toEqual({ household: null });

    // again, repeatedly (the same answer each time, not a first-call artefact); whether the two take the same
    // time is a timing claim — measured by `npm run bench`, not asserted here
    for (let i = 0; i < 5; i++) {
      expect(strip(await gw.gql(HOUSEHOLD, { id: ids.b }, token))).toEqual(strip(await gw.gql(HOUSEHOLD, { id: randomUUID() }, token)));
    }
  });

  test("a charity may not list households nor look a person up by ID number: FORBIDDEN, no data", async () => {
    const res = await gw.gql(`{ households(first: 1) { edges { node { members { name idNumber } } } } }`, {}, await charity("charity-a"));
    expect(res.status).toBe(200);
    expect(res.data.households).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ["households"], extensions: { code: "FORBIDDEN" } });
    expect(JSON.stringify(res.body)).not.toMatch(/500103\d{8}[\dX]/);
    // and the identity lookup itself is not for charities
    const byId = await gw.gql(`query($n: String!) { person(idNumber: $n) { name } }`, { n: idNumbers.a1 }, await charity("charity-a"));
    expect(byId.data.person).toBeNull();
    expect(byId.errors![0].extensions).toMatchObject({ code: "FORBIDDEN" });
  });

  test("an auditor calling a mutation: FORBIDDEN (read-only), nothing changed", async () => {
    const before = [await gw.db.prisma.household.count(), await gw.db.prisma.person.count()];
    const row = await gw.db.prisma.household.findUniqueOrThrow({ where: { id: ids.a[0] } });
    const register = await gw.gql(
      `mutation($input: RegisterHouseholdInput!) { registerHousehold(input: $input) { id } }`,
      {
        input: {
          districtCode: "500103",
          streetCode: STREET_A,
          address: "重庆市渝中区七星岗街道测试路99号",
          hukou: "URBAN",
          members: [{ idNumber: makeIdNumber("500103", "1981-02-03", 501), name: "李四", relation: "HEAD", workAbility: "FULL", selfCare: "FULL" }],
        },
      },
      await auditor("2026 dibao fund audit"),
    );
    const update = await gw.gql(
      `mutation($id: ID!) { updateHousehold(id: $id, version: 1, input: { phone: "13900000000" }) { version } }`,
      { id: ids.a[0] },
      await auditor("2026 dibao fund audit"),
    );
    for (const res of [register, update]) {
      expect(res.status).toBe(403);
      expect(res.data ?? null).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0]).toMatchObject({ message: "Auditors are read-only", extensions: { code: "FORBIDDEN", reason: "READ_ONLY_AUDIENCE" } });
    }
    expect([await gw.db.prisma.household.count(), await gw.db.prisma.person.count()]).toEqual(before);
    expect(await gw.db.prisma.household.findUniqueOrThrow({ where: { id: ids.a[0] } })).toEqual(row);
  });
});

describe("charity pseudonyms", () => {
  const ONE = `query($id: ID!) { household(id: $id) { id streetCode } }`;

  // Issue 12: a charity opens only a household behind a need it claimed or one matching its resources
  // (test/charity/privacy.test.ts); these households have neither, and the charities here are not even registered.
  test("a household with no need for that charity is NOT_FOUND by its reference — exactly like a forged reference; a real id is no reference", async () => {
    const own = await gw.gql(ONE, { id: gw.pseudonyms.encode("charity-a", "household", ids.a[0]) }, await charity("charity-a"));
    expect(own.data.household).toBeNull();
    expect(own.errors![0].extensions!.code).toBe("NOT_FOUND");
    const forged = await gw.gql(ONE, { id: gw.pseudonyms.encode("charity-a", "household", "00000000-0000-4000-8000-000000000000") }, await charity("charity-a"));
    expect(forged.data.household).toBeNull();
    expect(forged.errors![0].extensions!.code).toBe("NOT_FOUND");
    const foreign = await gw.gql(ONE, { id: gw.pseudonyms.encode("charity-a", "household", ids.a[0]) }, await charity("charity-b"));
    expect(foreign.data.household).toBeNull();
    expect(["NOT_FOUND", "BAD_USER_INPUT"]).toContain(foreign.errors![0].extensions!.code);
    const real = await gw.gql(ONE, { id: ids.a[0] }, await charity("charity-a"));
    expect(real.data.household).toBeNull();
    expect(["NOT_FOUND", "BAD_USER_INPUT"]).toContain(real.errors![0].extensions!.code);
  });
});

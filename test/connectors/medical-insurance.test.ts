import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { connectorsFor, idNumber, settle, sleep, startUpstream, type TestUpstream } from "./helpers.js";

const NOW = new Date("2026-11-15T00:00:00Z");

function insured(id: string, over: Record<string, unknown> = {}) {
  return {
    id_no: id,
    insured_tier: "1",
    assist_type_code: "12",
    premium_subsidy_fen: 38000,
    in_policy_expense_fen: 1250000,
    out_of_pocket_fen: 300000,
    medical_aid_paid_fen: 210000,
    special_disease_code: "M01",
    chronic_disease_code: "C01",
    settle_year: 2026,
    updated_time: "20261102093000",
    ...over,
  };
}

describe("medical insurance connector", () => {
  let up: TestUpstream;
  const records = new Map<string, unknown>();
  const tokens = new Map<string, number>(); // token → expiry (ms)
  let tokenRequests = 0;
  let queries = 0;
  let ttlSeconds = 300;
  let tokenLatency = 0;
  let business: string | null = null;
  let rejectAllTokens = false;
  const batchSizes: number[] = [];

  beforeAll(async () => {
    up = await startUpstream((app) => {
      app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
      app.post("/oauth/token", async (req, reply) => {
        tokenRequests++;
        if (tokenLatency) await sleep(tokenLatency);
        const f = req.body as Record<string, string>;
        if (f.grant_type !== "client_credentials" || f.client_id !== "gateway" || f.client_secret !== "s3cret") {
          return reply.code(401).send({ error: "invalid_client" });
        }
        const t = `tok-${tokenRequests}-${Math.random().toString(36).slice(2)}`;
        tokens.set(t, Date.now() + ttlSeconds * 1000);
        return { access_token: t, token_type: "Bearer", expires_in: ttlSeconds };
      });
      app.post("/api/v2/insured/query", async (req, reply) => {
        queries++;
        const auth = String(req.headers.authorization ?? "");
        const t = auth.startsWith("Bearer ") ? auth.slice(7) : "";
        const exp = tokens.get(t);
        if (rejectAllTokens || exp === undefined || exp < Date.now()) return reply.code(401).send({ error: "invalid_token" });
        const ids = (req.body as { id_numbers: string[] }).id_numbers;
        if (!Array.isArray(ids) || ids.length < 1 || ids.length > 100) return reply.code(400).send({ error: "1-100" });
        batchSizes.push(ids.length);
        if (business) return { code: business, message: "system busy", data: null };
        return { code: "0000", message: "ok", data: ids.filter((id) => records.has(id)).map((id) => records.get(id)) };
      });
    });
  });
  afterAll(() => up.close());
  beforeEach(() => {
    tokenRequests = 0;
    queries = 0;
    ttlSeconds = 300;
    tokenLatency = 0;
    business = null;
    rejectAllTokens = false;
    batchSizes.length = 0;
    up.resetStats();
  });

  it("maps every field, the code tables and the subsidy ratios, and Beijing time", async () => {
    const codes = [
      ["11", 1.0],
      ["12", 0.9],
      ["13", 0.7],
      ["14", 0.7],
      ["00", 0],
    ] as const;
    codes.forEach(([code], i) => records.set(idNumber(i + 1), insured(idNumber(i + 1), { assist_type_code: code })));
    const specials = ["THALASSEMIA", "CML", "PNEUMOCONIOSIS", "CHILD_LEUKAEMIA", "UREMIA", "CANCER"];
    const chronics = ["HYPERTENSION", "DIABETES", "COPD", "CORONARY_HEART_DISEASE", "SCHIZOPHRENIA"];
    specials.forEach((_, i) => records.set(idNumber(20 + i), insured(idNumber(20 + i), { special_disease_code: `M0${i + 1}`, chronic_disease_code: i < 5 ? `C0${i + 1}` : null })));
    records.set(idNumber(30), insured(idNumber(30), { insured_tier: "2", special_disease_code: null, chronic_disease_code: null, updated_time: "20240101000000" }));
    const { connectors } = connectorsFor("medicalInsurance", up.url, {}, { clock: () => NOW });
    const l = connectors.loaders().medicalInsurance;
    const first = await l.load(idNumber(1));
    expect(first).toEqual({
      source: "medicalInsurance",
      servedFrom: "LIVE",
      asOf: new Date("2026-11-02T01:30:00Z"),
      stale: false,
      tier: 1,
      premiumSubsidyRatio: 1,
      premiumSubsidyFen: 38000,
      inPolicyExpenseFen: 1250000,
      outOfPocketFen: 300000,
      medicalAidPaidFen: 210000,
      seriousDisease: "THALASSEMIA",
      chronicDisease: "HYPERTENSION",
      year: 2026,
    });
    const ratios = await Promise.all(codes.map((_, i) => l.load(idNumber(i + 1))));
    expect(ratios.map((r) => r!.premiumSubsidyRatio)).toEqual(codes.map(([, r]) => r));
    const diseases = await Promise.all(specials.map((_, i) => l.load(idNumber(20 + i))));
    expect(diseases.map((r) => r!.seriousDisease)).toEqual(specials);
    expect(diseases.map((r) => r!.chronicDisease)).toEqual([...chronics, null]);
    expect(await l.load(idNumber(30))).toMatchObject({ tier: 2, seriousDisease: null, chronicDisease: null, stale: true });
    expect(await l.load(idNumber(99))).toBeNull(); // not insured: absent from data
    await connectors.close();
  });

  it("batches n ids into ⌈n/100⌉ queries", async () => {
    const { connectors } = connectorsFor("medicalInsurance", up.url);
    const l = connectors.loaders().medicalInsurance;
    await Promise.all(Array.from({ length: 250 }, (_, i) => l.load(idNumber(i))));
    expect(queries).toBe(3);
    expect(batchSizes.sort((a, b) => a - b)).toEqual([50, 100, 100]);
    await connectors.close();
  });

  it("one token request for many concurrent callers; the token is cached across requests", async () => {
    tokenLatency = 50;
    const { connectors } = connectorsFor("medicalInsurance", up.url);
    // ten requests at once, each with its own loader (so ten separate batches)
    await Promise.all(Array.from({ length: 10 }, (_, i) => connectors.loaders().medicalInsurance.load(idNumber(i + 1))));
    expect(tokenRequests).toBe(1);
    expect(queries).toBe(10);
    await connectors.loaders().medicalInsurance.load(idNumber(1));
    await connectors.loaders().medicalInsurance.load(idNumber(2));
    expect(tokenRequests).toBe(1);
    await connectors.close();
  });

  it("refreshes the token shortly before it expires", async () => {
    // The connector and this upstream judge expiry by Date.now(): only `Date` is faked (timers and sockets stay
    // real), so the token's life passes by stepping the clock, not by waiting — on any machine.
    ttlSeconds = 300; // refreshed once less than min(30 s, 10 %) = 30 s of its life is left
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const { connectors } = connectorsFor("medicalInsurance", up.url);
      await connectors.loaders().medicalInsurance.load(idNumber(1));
      vi.setSystemTime(Date.now() + 269_000); // 31 s of its life left: still used
      await connectors.loaders().medicalInsurance.load(idNumber(1));
      expect(tokenRequests).toBe(1);
      vi.setSystemTime(Date.now() + 2_000); // 29 s left: the upstream would still take it, the connector refreshes
      await connectors.loaders().medicalInsurance.load(idNumber(1));
      expect(tokenRequests).toBe(2);
      expect(queries).toBe(3); // never sent an expired token (no 401, no retried query)
      await connectors.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it("on 401 refreshes once and retries", async () => {
    const { connectors } = connectorsFor("medicalInsurance", up.url);
    await connectors.loaders().medicalInsurance.load(idNumber(1));
    tokens.clear(); // the system revoked every token
    expect(await connectors.loaders().medicalInsurance.load(idNumber(1))).not.toBeNull();
    expect(tokenRequests).toBe(2);
    expect(queries).toBe(3);
    // a system that keeps rejecting fresh tokens: one refresh, then a bad response (no loop)
    rejectAllTokens = true;
    const r = await settle(connectors.loaders().medicalInsurance.load(idNumber(1)));
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_BAD_RESPONSE");
    expect(tokenRequests).toBe(3);
    expect(queries).toBe(5);
    await connectors.close();
  });

  it("wrong credentials and business error codes are bad responses", async () => {
    const bad = connectorsFor("medicalInsurance", up.url, { clientSecret: "wrong" } as never);
    const r1 = await settle(bad.connectors.loaders().medicalInsurance.load(idNumber(1)));
    expect(r1.ok === false && r1.error.code).toBe("UPSTREAM_BAD_RESPONSE");
    expect(r1.ok === false && r1.error.detail.reason).toBe("client credentials rejected");
    await bad.connectors.close();

    business = "E1001";
    const { connectors } = connectorsFor("medicalInsurance", up.url);
    const l = connectors.loaders().medicalInsurance;
    const r2 = await Promise.all([1, 2].map((i) => settle(l.load(idNumber(i)))));
    for (const r of r2) expect(r.ok === false && r.error.code).toBe("UPSTREAM_BAD_RESPONSE");
    expect(queries).toBe(1);
    await connectors.close();
  });

  it("a record with an unknown code fails its key only", async () => {
    records.set(idNumber(40), insured(idNumber(40), { special_disease_code: "M99" }));
    records.set(idNumber(41), insured(idNumber(41), { updated_time: "2026-11-02 09:30:00" }));
    records.set(idNumber(42), insured(idNumber(42)));
    const { connectors } = connectorsFor("medicalInsurance", up.url);
    const l = connectors.loaders().medicalInsurance;
    const r = await Promise.all([40, 41, 42].map((i) => settle(l.load(idNumber(i)))));
    expect(r.map((x) => (x.ok ? "ok" : x.error.code))).toEqual(["UPSTREAM_BAD_RESPONSE", "UPSTREAM_BAD_RESPONSE", "ok"]);
    await connectors.close();
  });
});

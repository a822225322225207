import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  ASSIST_TYPE_BY_TIER,
  CHRONIC_DISEASE_CODES,
  MEDICAL_AID_RATIO,
  type MedicalInsuranceData,
  PREMIUM_SUBSIDY_RATIO,
  SPECIAL_DISEASE_CODES,
  TIER1_PERSONAL_PREMIUM_FEN,
  buildSandbox,
  deriveMedicalInsuranceData,
} from "../../dev/sandboxes/medical-insurance.js";
import { personTier } from "../../dev/sandboxes/kit/population.js";
import { AS_OF, SEED, listen, population, post, put, request } from "./helpers.js";

const credentials = { clientId: "gateway-test", clientSecret: "s3cret-for-tests" };
let data: MedicalInsuranceData;
let app: FastifyInstance;
let url: string;

function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}) {
  return request(`${url}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
}
async function token(): Promise<string> {
  const res = await tokenRequest({ grant_type: "client_credentials", client_id: credentials.clientId, client_secret: credentials.clientSecret });
  expect(res.status).toBe(200);
  return res.body.access_token;
}
const query = (ids: unknown, tok?: string) =>
  post(`${url}/api/v2/insured/query`, { id_numbers: ids }, tok === undefined ? {} : { authorization: `Bearer ${tok}` });

beforeAll(async () => {
  data = deriveMedicalInsuranceData(population(1500), { seed: SEED, asOf: AS_OF });
  app = buildSandbox(data, { credentials });
  url = await listen(app);
});
afterAll(() => app?.close());

describe("medical insurance sandbox: OAuth2 client credentials", () => {
  it("issues a bearer token for the right client (form or HTTP Basic)", async () => {
    const res = await tokenRequest({ grant_type: "client_credentials", client_id: credentials.clientId, client_secret: credentials.clientSecret });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: 300, access_token: expect.any(String) });
    const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString("base64");
    const res2 = await tokenRequest({ grant_type: "client_credentials" }, { authorization: `Basic ${basic}` });
    expect(res2.status).toBe(200);
    expect(res2.body.access_token).not.toBe(res.body.access_token);
  });

  it("refuses a wrong secret, an unknown client and a wrong grant type", async () => {
    const wrong = await tokenRequest({ grant_type: "client_credentials", client_id: credentials.clientId, client_secret: "nope" });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ error: "invalid_client" });
    expect((await tokenRequest({ grant_type: "client_credentials", client_id: "other", client_secret: credentials.clientSecret })).status).toBe(401);
    expect((await tokenRequest({ grant_type: "client_credentials" })).status).toBe(401);
    const grant = await tokenRequest({ grant_type: "password", client_id: credentials.clientId, client_secret: credentials.clientSecret });
    expect(grant.status).toBe(400);
  });

  it("401 invalid_token without a token or with an unknown one", async () => {
    const id = [...data.insured.keys()][0];
    for (const res of [await query([id]), await query([id], "made-up")]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: "invalid_token" });
    }
  });

  it("tokens expire after tokenTtlSeconds", async () => {
    // The sandbox judges expiry by Date.now(): only `Date` is faked (timers and sockets stay real), so the
    // token's life passes by stepping the clock, not by waiting — on any machine.
    const id = [...data.insured.keys()][0];
    expect((await put(`${url}/__sandbox/faults`, { tokenTtlSeconds: 60 })).body.tokenTtlSeconds).toBe(60);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const tok = await token();
      expect((await query([id], tok)).status).toBe(200);
      vi.setSystemTime(Date.now() + 59_999);
      expect((await query([id], tok)).status).toBe(200);
      vi.setSystemTime(Date.now() + 1);
      const expired = await query([id], tok);
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual({ error: "invalid_token" });
    } finally {
      vi.useRealTimers();
      await put(`${url}/__sandbox/faults`, { tokenTtlSeconds: 300 });
    }
  });
});

describe("medical insurance sandbox: query", () => {
  it("answers code 0000 with the insured among 1–100 ID numbers", async () => {
    const tok = await token();
    const ids = [...data.insured.keys()].slice(0, 99);
    const res = await query([...ids, "500103000000000000"], tok);
    expect(res.status).toBe(200);
    expect(res.body.code).toBe("0000");
    expect(res.body.message).toBe("ok");
    expect(res.body.data.map((r: any) => r.id_no).sort()).toEqual([...ids].sort());
    expect(res.body.data[0].updated_time).toMatch(/^\d{14}$/);
  });

  it("a business error (200, E1001, data null) for more than 100 or no ID numbers", async () => {
    const tok = await token();
    for (const ids of [Array.from({ length: 101 }, (_, i) => `X${i}`), [], "x"]) {
      const res = await query(ids, tok);
      expect(res.status).toBe(200);
      expect(res.body.code).toBe("E1001");
      expect(res.body.data).toBeNull();
    }
  });

  it("code tables: assist type from the tier, subsidy ratio, aid ratio, disease codes", () => {
    const special = new Map(Object.entries(SPECIAL_DISEASE_CODES));
    const chronic = new Map(Object.entries(CHRONIC_DISEASE_CODES));
    const dups = new Set(data.untidy.duplicates);
    const codes = new Set<string>();
    let checked = 0;
    for (const h of population(1500)) h.members.forEach((p, i) => {
      const r = data.insured.get(p.idNumber);
      if (!r) return;
      checked++;
      const tier = personTier(h, i, AS_OF).tier;
      expect(r.assist_type_code).toBe(tier === null ? "00" : ASSIST_TYPE_BY_TIER[tier]);
      codes.add(r.assist_type_code);
      expect(r.premium_subsidy_fen).toBe(Math.round(PREMIUM_SUBSIDY_RATIO[r.assist_type_code] * TIER1_PERSONAL_PREMIUM_FEN));
      expect(r.in_policy_expense_fen).toBe(p.facts.medicalExpenseFen);
      expect(r.out_of_pocket_fen).toBe(p.facts.outOfPocketFen);
      if (!dups.has(p.idNumber)) expect(r.medical_aid_paid_fen).toBe(Math.round(MEDICAL_AID_RATIO[r.assist_type_code] * r.out_of_pocket_fen));
      expect(r.special_disease_code).toBe(p.facts.seriousIllness ? special.get(p.facts.seriousIllness) : null);
      expect(r.chronic_disease_code).toBe(p.facts.chronicIllness ? chronic.get(p.facts.chronicIllness) : null);
    });
    expect(checked).toBeGreaterThan(1000);
    expect([...codes].sort()).toEqual(["00", "11", "12", "13", "14"]);
    expect(PREMIUM_SUBSIDY_RATIO).toEqual({ "11": 1, "12": 0.9, "13": 0.7, "14": 0.7, "00": 0 });
  });

  it("almost everybody is insured, mostly tier 1", () => {
    const persons = population(1500).flatMap((h) => h.members).filter((p) => !p.facts.deceasedOn);
    const share = data.insured.size / persons.length;
    expect(share).toBeGreaterThan(0.93);
    const tier2 = [...data.insured.values()].filter((r) => r.insured_tier === "2").length / data.insured.size;
    expect(tier2).toBeGreaterThan(0.02);
    expect(tier2).toBeLessThan(0.2);
  });
});

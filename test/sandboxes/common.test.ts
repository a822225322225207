/**
 * What every sandbox shares (WIRE.md "Common to every sandbox"): health, faults, stats, fixtures,
 * malformed, untidy — over real HTTP against the five sandboxes on ephemeral ports.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NO_FAULTS } from "../../dev/sandboxes/kit/faults.js";
import { type RunningSandboxes, startSandboxes } from "../../dev/sandboxes/index.js";
import { SOURCES, type SourceName } from "../../src/domain/records.js";
import { AS_OF, SEED, type JsonResponse, population, post, put, request, until } from "./helpers.js";

let sb: RunningSandboxes;
let token = "";

async function medicalToken(): Promise<string> {
  const { clientId, clientSecret } = sb.medicalCredentials;
  const res = await request(`${sb.urls.medicalInsurance}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }).toString(),
  });
  expect(res.status).toBe(200);
  return res.body.access_token;
}

/** Per sandbox: one API call for a key, and how to find that key's record in the answer. */
interface Probe {
  call(key: string): Promise<JsonResponse>;
  /** the record for `key` in a 200 answer, or undefined */
  find(res: JsonResponse, key: string): any;
  /** a fixture record in the wire shape */
  fixture(key: string): Record<string, unknown>;
  fixtureKey: string;
  /** a field and a check that it has the wrong type when malformed */
  malformed(rec: any): boolean;
}

const probes: Record<SourceName, Probe> = {
  education: {
    call: (key) => post(`${sb.urls.education}/api/v1/students/search`, { idNumbers: [key] }),
    find: (res, key) => res.body.results.find((r: any) => r.idNumber === key),
    fixture: (key) => ({
      idNumber: key, term: "2026-AUTUMN", stage: "PRIMARY", schoolCode: "5001030012", schoolName: "人和街小学", hardship: true,
      aid: [{ item: "NUTRITION_LUNCH", term: "2026-AUTUMN", amountYuan: "500.00" }], necessaryExpenseYuan: "1200.00", updatedAt: "2026-09-03T10:12:00+08:00",
    }),
    fixtureKey: "50010320150101001X",
    malformed: (r) => typeof r.stage !== "string" && typeof r.hardship !== "boolean",
  },
  employment: {
    call: (key) => request(`${sb.urls.employment}/api/persons/${encodeURIComponent(key)}/employment`),
    find: (res) => (res.status === 200 ? res.body : undefined),
    fixture: (key) => ({
      idNumber: key, status: "UNEMPLOYED_REGISTERED", unemploymentRegisteredOn: "2025-03-01", publicWelfarePost: false,
      trainings: [{ course: "家政服务", completedOn: "2025-06-30" }], dibaoEmploymentSubsidy: null, lastUpdated: "2026-10-01",
    }),
    fixtureKey: "500103198001010011",
    malformed: (r) => typeof r.status !== "string" && !Array.isArray(r.trainings),
  },
  housing: {
    call: (key) => request(`${sb.urls.housing}/housing/v1/households/${encodeURIComponent(key)}/benefits?pageSize=50`),
    find: (res) => (res.status === 200 ? res.body : undefined),
    fixture: (key) => ({
      registryNo: key,
      items: [{ benefitType: "PUBLIC_RENTAL", state: "ACTIVE", monthlyRentFen: 42000, monthlySubsidyFen: 42000, grantFen: null, startDate: "2024-01-01", endDate: null, modified: "2026-05-12T08:00:00Z" }],
    }),
    fixtureKey: "500103001-999999",
    malformed: (r) => r.items.length > 0 && typeof r.items[0].startDate !== "string",
  },
  medicalInsurance: {
    call: (key) => post(`${sb.urls.medicalInsurance}/api/v2/insured/query`, { id_numbers: [key] }, { authorization: `Bearer ${token}` }),
    find: (res, key) => (res.body.data ?? []).find((r: any) => r.id_no === key),
    fixture: (key) => ({
      id_no: key, insured_tier: "1", assist_type_code: "12", premium_subsidy_fen: 34200, in_policy_expense_fen: 1250000, out_of_pocket_fen: 300000,
      medical_aid_paid_fen: 210000, special_disease_code: "M01", chronic_disease_code: null, settle_year: 2026, updated_time: "20261102093000",
    }),
    fixtureKey: "500103197001010012",
    malformed: (r) => typeof r.insured_tier !== "string" && typeof r.settle_year !== "number",
  },
  disability: {
    call: (key) => request(`${sb.urls.disability}/cdpf/api/certificates?ids=${encodeURIComponent(key)}`),
    find: (res, key) => (res.status === 200 ? res.body.find((r: any) => r.idNumber === key) : undefined),
    fixture: (key) => ({
      idNumber: key, certNo: `${key}41`, category: "4", grade: "1", livingSubsidy: 10000, nursingSubsidy: 15000,
      rehab: ["ASSISTIVE_DEVICE"], certStatus: "VALID", lastModified: "2026-04-01",
    }),
    fixtureKey: "500103196001010013",
    malformed: (r) => typeof r.grade !== "string" && typeof r.livingSubsidy !== "number",
  },
};

/** A key each sandbox knows from the derived data. */
function knownKey(s: SourceName): string {
  const d = sb.data;
  const maps: Record<SourceName, Map<string, unknown>> = {
    education: d.education.students,
    employment: d.employment.persons,
    housing: d.housing.households,
    medicalInsurance: d.medicalInsurance.insured,
    disability: d.disability.certificates,
  };
  const first = maps[s].keys().next();
  if (first.done) throw new Error(`no ${s} records in the test population`);
  return first.value;
}

beforeAll(async () => {
  sb = await startSandboxes({ seed: SEED, asOf: AS_OF, households: population(1500), sandbox: { faultSeed: 7 } });
  token = await medicalToken();
});

afterAll(async () => {
  await sb?.close();
});

beforeEach(async () => {
  for (const s of SOURCES) {
    const res = await put(`${sb.urls[s]}/__sandbox/faults`, NO_FAULTS);
    expect(res.status).toBe(200);
  }
});

describe.each(SOURCES)("%s sandbox: common routes", (s) => {
  const url = () => sb.urls[s];

  it("answers /health and a known key", async () => {
    expect((await request(`${url()}/health`)).body).toEqual({ status: "ok" });
    const key = knownKey(s);
    const res = await probes[s].call(key);
    expect(res.status).toBe(200);
    expect(probes[s].find(res, key)).toBeDefined();
  });

  it("reports and validates fault settings", async () => {
    const cur = await request(`${url()}/__sandbox/faults`);
    expect(cur.body).toMatchObject({ latencyMs: 0, errorRate: 0, down: false, hang: false });
    expect((await put(`${url()}/__sandbox/faults`, { errorRate: 2 })).status).toBe(400);
    expect((await put(`${url()}/__sandbox/faults`, { down: "yes" })).status).toBe(400);
    expect((await put(`${url()}/__sandbox/faults`, { nonsense: 1 })).status).toBe(400);
    const upd = await put(`${url()}/__sandbox/faults`, { latencyMs: 5 });
    expect(upd.body).toMatchObject({ latencyMs: 5, errorRate: 0 });
  });

  it("adds latency: a request is held while it runs (admin routes are not), then answered as usual", async () => {
    // ten minutes of latency (the most allowed): the request is taken in and not answered, on any machine
    await put(`${url()}/__sandbox/faults`, { latencyMs: 600_000 });
    await post(`${url()}/__sandbox/stats/reset`, {});
    const ac = new AbortController();
    let answered = false;
    const held = fetch(`${url()}/health`, { signal: ac.signal }).then(
      () => void (answered = true),
      () => undefined,
    );
    await until(async () => (await request(`${url()}/__sandbox/stats`)).body.requests === 1);
    // admin routes answer while it is held
    expect((await request(`${url()}/__sandbox/faults`)).body.latencyMs).toBe(600_000);
    expect((await request(`${url()}/__sandbox/stats`)).body).toMatchObject({ requests: 1, maxInFlight: 1 });
    expect(answered).toBe(false);
    ac.abort();
    await held;
    expect(answered).toBe(false);
    // a short latency: answered normally once it has run
    await put(`${url()}/__sandbox/faults`, { latencyMs: 20 });
    const res = await request(`${url()}/health`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
  });

  it("down: every route 503 at once, admin routes still answer", async () => {
    // down acts before the latency: with ten minutes of latency set, a 503 can only come at once
    await put(`${url()}/__sandbox/faults`, { down: true, latencyMs: 600_000 });
    const h = await request(`${url()}/health`);
    expect(h.status).toBe(503);
    expect(h.body).toEqual({ error: "unavailable" });
    const api = await probes[s].call(knownKey(s));
    expect(api.status).toBe(503);
    expect((await request(`${url()}/__sandbox/faults`)).body.down).toBe(true);
  });

  it("errorRate 1: every request 500", async () => {
    await put(`${url()}/__sandbox/faults`, { errorRate: 1 });
    for (let i = 0; i < 3; i++) expect((await request(`${url()}/health`)).status).toBe(500);
    expect((await probes[s].call(knownKey(s))).status).toBe(500);
  });

  it("errorRate draws from a seeded PRNG: same seed, same sequence", async () => {
    const run = async () => {
      await put(`${url()}/__sandbox/faults`, { errorRate: 0.5, seed: 99 });
      const out: number[] = [];
      for (let i = 0; i < 24; i++) out.push((await request(`${url()}/health`)).status);
      return out;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a).toContain(500);
    expect(a).toContain(200);
  });

  it("hang: taken in and never answered (the client gives up); answers again when cleared", async () => {
    await put(`${url()}/__sandbox/faults`, { hang: true });
    await post(`${url()}/__sandbox/stats/reset`, {});
    const ac = new AbortController();
    let answered = false;
    const pending = fetch(`${url()}/health`, { signal: ac.signal }).then(
      () => void (answered = true),
      (e: unknown) => e,
    );
    await until(async () => (await request(`${url()}/__sandbox/stats`)).body.requests === 1);
    expect(answered).toBe(false);
    ac.abort();
    const err = await pending;
    expect(answered).toBe(false);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe("AbortError");
    await put(`${url()}/__sandbox/faults`, { hang: false });
    expect((await request(`${url()}/health`)).status).toBe(200);
  });

  it("counts requests per route and the most in flight at once", async () => {
    await post(`${url()}/__sandbox/stats/reset`, {});
    await request(`${url()}/health`);
    await request(`${url()}/health`);
    await probes[s].call(knownKey(s));
    await request(`${url()}/no/such/route`);
    const st = await request(`${url()}/__sandbox/stats`);
    expect(st.body.requests).toBe(4);
    expect(st.body.byRoute["GET /health"]).toBe(2);
    expect(Object.values(st.body.byRoute as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(4);
    expect(st.body.maxInFlight).toBe(1);

    // eight requests held at once (hang: none is answered until the client gives up) are eight in flight
    await put(`${url()}/__sandbox/faults`, { hang: true });
    await post(`${url()}/__sandbox/stats/reset`, {});
    const ac = new AbortController();
    const held = Array.from({ length: 8 }, () => fetch(`${url()}/health`, { signal: ac.signal }).catch(() => undefined));
    await until(async () => (await request(`${url()}/__sandbox/stats`)).body.requests === 8);
    const st2 = await request(`${url()}/__sandbox/stats`);
    expect(st2.body.maxInFlight).toBe(8);
    ac.abort();
    await Promise.all(held);
    // ended requests leave the count: after a reset, the next one alone is the most in flight
    await put(`${url()}/__sandbox/faults`, { hang: false });
    await until(async () => (await post(`${url()}/__sandbox/stats/reset`, {})).body.maxInFlight === 0);
    await request(`${url()}/health`);
    expect((await request(`${url()}/__sandbox/stats`)).body).toMatchObject({ requests: 1, maxInFlight: 1 });
  });

  it("fixtures: upsert, update, delete; bad records are refused", async () => {
    const p = probes[s];
    const key = p.fixtureKey;
    expect(p.find(await p.call(key), key)).toBeUndefined();
    const up = await post(`${url()}/__sandbox/fixtures`, { records: [p.fixture(key)] });
    expect(up.status).toBe(200);
    expect(up.body).toEqual({ upserted: 1 });
    const got = p.find(await p.call(key), key);
    expect(got).toMatchObject(s === "housing" ? { registryNo: key, items: (p.fixture(key) as any).items } : p.fixture(key));
    // upsert again: replaced, not added
    await post(`${url()}/__sandbox/fixtures`, { records: [p.fixture(key)] });
    expect(p.find(await p.call(key), key)).toBeDefined();
    const del = await request(`${url()}/__sandbox/fixtures/${encodeURIComponent(key)}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(p.find(await p.call(key), key)).toBeUndefined();
    expect((await request(`${url()}/__sandbox/fixtures/${encodeURIComponent(key)}`, { method: "DELETE" })).status).toBe(404);
    // wrong shape
    const bad = await post(`${url()}/__sandbox/fixtures`, { records: [{ ...p.fixture(key), [Object.keys(p.fixture(key))[1]]: 12345 }] });
    expect(bad.status).toBe(400);
    expect(typeof bad.body.error).toBe("string");
    expect((await post(`${url()}/__sandbox/fixtures`, { nope: [] })).status).toBe(400);
  });

  it("malformed: a key's answers get wrong types until cleared", async () => {
    const key = knownKey(s);
    const p = probes[s];
    expect(p.malformed(p.find(await p.call(key), key))).toBe(false);
    const m = await post(`${url()}/__sandbox/malformed`, { key });
    expect(m.status).toBe(200);
    expect(m.body).toEqual({ key, known: true });
    expect(p.malformed(p.find(await p.call(key), key))).toBe(true);
    expect((await request(`${url()}/__sandbox/malformed/${encodeURIComponent(key)}`, { method: "DELETE" })).status).toBe(200);
    expect(p.malformed(p.find(await p.call(key), key))).toBe(false);
    expect((await post(`${url()}/__sandbox/malformed`, {})).status).toBe(400);
  });

  it("lists its untidy keys, and does not know the unknown ones", async () => {
    const u = await request(`${url()}/__sandbox/untidy`);
    expect(u.status).toBe(200);
    expect(Object.keys(u.body).sort()).toEqual(["duplicates", "stale", "unknownPersons"]);
    for (const key of (u.body.unknownPersons as string[]).slice(0, 3)) {
      const res = await probes[s].call(key);
      expect(probes[s].find(res, key)).toBeUndefined();
    }
  });
});

describe("faults and stats belong to one sandbox", () => {
  it("setting education down leaves the others up", async () => {
    await put(`${sb.urls.education}/__sandbox/faults`, { down: true });
    expect((await request(`${sb.urls.education}/health`)).status).toBe(503);
    for (const s of SOURCES.filter((x) => x !== "education")) {
      expect((await request(`${sb.urls[s]}/health`)).status).toBe(200);
      expect((await request(`${sb.urls[s]}/__sandbox/faults`)).body.down).toBe(false);
    }
  });

  it("close() cuts hanging requests", async () => {
    const own = await startSandboxes({ seed: SEED, asOf: AS_OF, households: population(300) });
    await put(`${own.urls.housing}/__sandbox/faults`, { hang: true });
    const pending = fetch(`${own.urls.housing}/health`).then(
      () => "answered",
      () => "cut",
    );
    await until(async () => (await request(`${own.urls.housing}/__sandbox/stats`)).body.requests === 1);
    // close() does not wait for the hanging request (it never ends by itself: waiting would never resolve)
    await own.close();
    expect(await pending).toBe("cut");
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError } from "../../connectors/kit/index.js";
import { connectorsFor, idNumber, metric, settle, startUpstream, type TestUpstream } from "./helpers.js";

const NOW = new Date("2026-11-15T00:00:00Z");

function student(id: string, over: Record<string, unknown> = {}) {
  return {
    idNumber: id,
    term: "2026-AUTUMN",
    stage: "PRIMARY",
    schoolCode: "5001030012",
    schoolName: "人和街小学",
    hardship: true,
    aid: [
      { item: "FEE_WAIVER", term: "2026-AUTUMN", amountYuan: "1250.00" },
      { item: "NUTRITION_LUNCH", term: "2026-AUTUMN", amountYuan: "0.10" },
      { item: "LIVING_SUBSIDY", term: "2026-AUTUMN", amountYuan: "0.20" },
    ],
    necessaryExpenseYuan: "4200.05",
    updatedAt: "2026-09-03T10:12:00+08:00",
    ...over,
  };
}

describe("education connector", () => {
  let up: TestUpstream;
  const records = new Map<string, unknown>();
  const batchSizes: number[] = [];
  let envelope: "ok" | "bad" | "html" = "ok";

  beforeAll(async () => {
    up = await startUpstream((app) => {
      app.post("/api/v1/students/search", async (req, reply) => {
        const ids = (req.body as { idNumbers: string[] }).idNumbers;
        if (!Array.isArray(ids) || ids.length < 1 || ids.length > 200) return reply.code(400).send({ error: "1-200 idNumbers" });
        batchSizes.push(ids.length);
        if (envelope === "bad") return { results: "nope" };
        if (envelope === "html") return reply.type("text/html").send("<html>oops</html>");
        const results = ids.filter((id) => records.has(id)).map((id) => records.get(id));
        return { results: results.reverse(), notFound: ids.filter((id) => !records.has(id)) };
      });
      app.get("/health", async () => ({ status: "ok" }));
    });
  });
  afterAll(() => up.close());

  it("maps every field, yuan to fen exactly, and the stale flag", async () => {
    records.set(idNumber(1), student(idNumber(1)));
    records.set(idNumber(2), student(idNumber(2), { stage: "VOCATIONAL", hardship: false, aid: [], updatedAt: "2024-01-02T03:04:05Z" }));
    const { connectors } = connectorsFor("education", up.url, {}, { clock: () => NOW });
    const l = connectors.loaders().education;
    const [a, b, c] = await Promise.all([l.load(idNumber(1)), l.load(idNumber(2)), l.load(idNumber(3))]);
    expect(a).toEqual({
      source: "education",
      servedFrom: "LIVE",
      asOf: new Date("2026-09-03T02:12:00Z"),
      stale: false,
      stage: "PRIMARY",
      schoolName: "人和街小学",
      schoolCode: "5001030012",
      hardshipStudent: true,
      term: "2026-AUTUMN",
      aid: [
        { item: "FEE_WAIVER", term: "2026-AUTUMN", amountFen: 125000 },
        { item: "NUTRITION_LUNCH", term: "2026-AUTUMN", amountFen: 10 },
        { item: "LIVING_SUBSIDY", term: "2026-AUTUMN", amountFen: 20 },
      ],
      necessaryExpenseFen: 420005,
    });
    expect(a!.aid[1].amountFen + a!.aid[2].amountFen).toBe(30);
    expect(b).toMatchObject({ stage: "VOCATIONAL", hardshipStudent: false, aid: [], stale: true, asOf: new Date("2024-01-02T03:04:05Z") });
    expect(c).toBeNull();
    expect(batchSizes.at(-1)).toBe(3); // one round trip for the three keys
    await connectors.close();
  });

  it("batches n keys into ⌈n/200⌉ POSTs, de-duplicates within a request, and a new request asks again", async () => {
    const { connectors, registry } = connectorsFor("education", up.url);
    up.resetStats();
    batchSizes.length = 0;
    const keys = Array.from({ length: 450 }, (_, i) => idNumber(100 + i));
    const l = connectors.loaders().education;
    await Promise.all([...keys, ...keys.slice(0, 50)].map((k) => l.load(k)));
    expect(up.stats.byRoute["POST /api/v1/students/search"]).toBe(3);
    expect(batchSizes.sort((x, y) => x - y)).toEqual([50, 200, 200]);
    await l.load(keys[0]); // cached in this request
    expect(up.stats.requests).toBe(3);
    await connectors.loaders().education.load(keys[0]); // a fresh loader for a new request
    expect(up.stats.requests).toBe(4);
    expect(await metric(registry, "gateway_upstream_keys_total", { source: "education" })).toBe(451);
    expect(await metric(registry, "gateway_upstream_batches_total", { source: "education" })).toBe(4);
    expect(await metric(registry, "gateway_upstream_requests_total", { source: "education", outcome: "ok" })).toBe(4);
    await connectors.close();
  });

  it("a malformed record fails only its key; a malformed envelope fails the whole batch", async () => {
    const { connectors, registry } = connectorsFor("education", up.url);
    records.set(idNumber(10), student(idNumber(10)));
    records.set(idNumber(11), student(idNumber(11), { aid: [{ item: "FEE_WAIVER", term: "2026-AUTUMN", amountYuan: 12.5 }] }));
    records.set(idNumber(12), student(idNumber(12), { stage: "KINDERGARTEN" }));
    records.set(idNumber(13), student(idNumber(13), { aid: [{ item: "FEE_WAIVER", term: "2026-AUTUMN", amountYuan: "1.005" }] }));
    let l = connectors.loaders().education;
    const r = await Promise.all([10, 11, 12, 13].map((i) => settle(l.load(idNumber(i)))));
    expect(r[0].ok).toBe(true);
    for (const x of r.slice(1)) {
      expect(x.ok).toBe(false);
      expect((x as { error: UpstreamError }).error).toBeInstanceOf(UpstreamError);
      expect((x as { error: UpstreamError }).error.code).toBe("UPSTREAM_BAD_RESPONSE");
    }
    expect(await metric(registry, "gateway_upstream_errors_total", { source: "education", code: "UPSTREAM_BAD_RESPONSE" })).toBe(3);

    for (const mode of ["bad", "html"] as const) {
      envelope = mode;
      up.resetStats();
      l = connectors.loaders().education;
      const all = await Promise.all([10, 14, 15].map((i) => settle(l.load(idNumber(i)))));
      for (const x of all) expect(x.ok === false && x.error.code).toBe("UPSTREAM_BAD_RESPONSE");
      expect(up.stats.requests).toBe(1); // bad responses are not retried
    }
    envelope = "ok";
    await connectors.close();
  });

  it("reports health", async () => {
    const { connectors } = connectorsFor("education", up.url);
    expect(await connectors.education.health()).toEqual({ ok: true });
    expect((await connectors.employment.health()).ok).toBe(false); // nothing listens there
    await connectors.close();
  });
});

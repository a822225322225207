import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectorsFor, idNumber, settle, startUpstream, type TestUpstream } from "./helpers.js";

const NOW = new Date("2026-11-15T00:00:00Z");

function cert(id: string, over: Record<string, unknown> = {}) {
  return {
    idNumber: id,
    certNo: `${id}11`,
    category: "1",
    grade: "1",
    livingSubsidy: 10000,
    nursingSubsidy: 20000,
    rehab: ["ASSISTIVE_DEVICE", "CHILD_REHABILITATION"],
    certStatus: "VALID",
    lastModified: "2026-04-01",
    ...over,
  };
}

describe("disability connector", () => {
  let up: TestUpstream;
  const records = new Map<string, unknown[]>();
  const batchSizes: number[] = [];
  let answer: "ok" | "object" = "ok";

  beforeAll(async () => {
    up = await startUpstream((app) => {
      app.get("/cdpf/api/certificates", async (req, reply) => {
        const ids = String((req.query as { ids?: string }).ids ?? "").split(",").filter(Boolean);
        if (ids.length < 1 || ids.length > 50) return reply.code(400).send({ error: "1-50 ids" });
        batchSizes.push(ids.length);
        if (answer === "object") return { results: [] };
        return ids.flatMap((id) => records.get(id) ?? []);
      });
    });
  });
  afterAll(() => up.close());

  it("maps every field and the category/grade code tables", async () => {
    const cats = ["VISUAL", "HEARING", "SPEECH", "PHYSICAL", "INTELLECTUAL", "MENTAL", "MULTIPLE"];
    for (let c = 1; c <= 7; c++) {
      const id = idNumber(c);
      records.set(id, [cert(id, { category: String(c), grade: String(((c - 1) % 4) + 1), certNo: `${id}${c}${((c - 1) % 4) + 1}` })]);
    }
    records.set(idNumber(8), [cert(idNumber(8), { grade: "3", livingSubsidy: 0, nursingSubsidy: 0, rehab: [], certStatus: "EXPIRED", lastModified: "2020-01-01" })]);
    const { connectors } = connectorsFor("disability", up.url, {}, { clock: () => NOW });
    const l = connectors.loaders().disability;
    const got = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => l.load(idNumber(i))));
    expect(got[0]).toEqual({
      source: "disability",
      servedFrom: "LIVE",
      asOf: new Date("2026-04-01T00:00:00Z"),
      stale: false,
      certificateNo: `${idNumber(1)}11`,
      category: "VISUAL",
      grade: 1,
      severe: true,
      livingSubsidyFen: 10000,
      nursingSubsidyFen: 20000,
      rehabilitation: ["ASSISTIVE_DEVICE", "CHILD_REHABILITATION"],
      certificateStatus: "VALID",
    });
    expect(got.slice(0, 7).map((r) => r!.category)).toEqual(cats);
    expect(got.slice(0, 7).map((r) => [r!.grade, r!.severe])).toEqual([
      [1, true], [2, true], [3, false], [4, false], [1, true], [2, true], [3, false],
    ]);
    expect(got[7]).toMatchObject({ grade: 3, severe: false, livingSubsidyFen: 0, nursingSubsidyFen: 0, rehabilitation: [], certificateStatus: "EXPIRED", stale: true });
    expect(got[8]).toBeNull();
    expect(batchSizes.at(-1)).toBe(9);
    await connectors.close();
  });

  it("prefers a valid certificate over an expired one for the same person", async () => {
    const id = idNumber(20);
    records.set(id, [
      cert(id, { certStatus: "EXPIRED", lastModified: "2026-06-01", grade: "2" }),
      cert(id, { certStatus: "VALID", lastModified: "2025-01-01", grade: "3" }),
    ]);
    const { connectors } = connectorsFor("disability", up.url);
    expect(await connectors.loaders().disability.load(id)).toMatchObject({ certificateStatus: "VALID", grade: 3 });
    await connectors.close();
  });

  it("batches n ids into ⌈n/50⌉ comma-separated GETs", async () => {
    batchSizes.length = 0;
    up.resetStats();
    const { connectors } = connectorsFor("disability", up.url);
    const l = connectors.loaders().disability;
    await Promise.all(Array.from({ length: 120 }, (_, i) => l.load(idNumber(500 + i))));
    expect(up.stats.requests).toBe(3);
    expect(batchSizes.sort((a, b) => a - b)).toEqual([20, 50, 50]);
    await connectors.close();
  });

  it("malformed answers: a bad record fails its key; a non-array fails the batch", async () => {
    records.set(idNumber(30), [cert(idNumber(30), { grade: 2 })]);
    records.set(idNumber(31), [cert(idNumber(31), { category: "9" })]);
    records.set(idNumber(32), [cert(idNumber(32))]);
    const { connectors } = connectorsFor("disability", up.url);
    let l = connectors.loaders().disability;
    const r = await Promise.all([30, 31, 32].map((i) => settle(l.load(idNumber(i)))));
    expect(r.map((x) => (x.ok ? "ok" : x.error.code))).toEqual(["UPSTREAM_BAD_RESPONSE", "UPSTREAM_BAD_RESPONSE", "ok"]);
    answer = "object";
    l = connectors.loaders().disability;
    const all = await Promise.all([30, 31, 32].map((i) => settle(l.load(idNumber(i)))));
    expect(all.map((x) => (x.ok ? "ok" : x.error.code))).toEqual(Array(3).fill("UPSTREAM_BAD_RESPONSE"));
    answer = "ok";
    await connectors.close();
  });
});

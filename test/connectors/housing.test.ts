import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectorsFor, gate, settle, startUpstream, type TestUpstream } from "./helpers.js";
import { until } from "../sandboxes/helpers.js";

const NOW = new Date("2026-11-15T00:00:00Z");

function benefit(i: number, over: Record<string, unknown> = {}) {
  return {
    benefitType: "RENTAL_SUBSIDY",
    state: "ACTIVE",
    monthlyRentFen: null,
    monthlySubsidyFen: 42000 + i,
    grantFen: null,
    startDate: "2024-01-01",
    endDate: null,
    modified: `2026-05-${String(10 + i).padStart(2, "0")}T08:00:00Z`,
    ...over,
  };
}

describe("housing connector", () => {
  let up: TestUpstream;
  const households = new Map<string, unknown[]>();
  const pagesAsked: string[] = [];
  /** when set, every page after the first waits here (see `gate`) */
  let hold: (() => Promise<void>) | null = null;
  let lie: "none" | "page" | "registry" | "shrink" | "page2-only" = "none";
  /** requests whose connection closed before they were answered (held ones the client gave up on) */
  let abandoned = 0;
  let heldPages = { arrived: () => {}, all: Promise.resolve() };
  const expectHeld = (n: number) => {
    let count = 0;
    let done = () => {};
    const all = new Promise<void>((r) => (done = r));
    heldPages = { arrived: () => ++count === n && done(), all };
  };

  beforeAll(async () => {
    up = await startUpstream((app) => {
      app.get("/housing/v1/households/:registryNo/benefits", async (req, reply) => {
        const { registryNo } = req.params as { registryNo: string };
        const q = req.query as { page?: string; pageSize?: string };
        const page = Number(q.page ?? 1);
        const pageSize = Number(q.pageSize ?? 2);
        if (!(pageSize >= 1 && pageSize <= 50) || !(page >= 1)) return reply.code(400).send({ error: "bad paging" });
        pagesAsked.push(`${registryNo}#${page}`);
        if (lie === "page2-only" && page > 2) {
          // never answered: held until the client closes the connection
          req.raw.once("close", () => abandoned++);
          heldPages.arrived();
          return new Promise(() => {});
        }
        // page 2's (bad) answer leaves only once pages 3..5 are held here, so that they are in flight when the call fails
        if (lie === "page2-only" && page === 2) await heldPages.all;
        if (hold && page > 1) await hold();
        const items = households.get(registryNo);
        if (!items) return reply.code(404).send({ error: "not found" });
        let totalPages = Math.ceil(items.length / pageSize);
        if (lie === "shrink" && page > 1) totalPages -= 1;
        return {
          registryNo: lie === "registry" && page === 2 ? "OTHER" : registryNo,
          page: (lie === "page" || lie === "page2-only") && page === 2 ? 3 : page,
          pageSize,
          totalPages,
          items: items.slice((page - 1) * pageSize, page * pageSize),
        };
      });
    });
  });
  afterAll(() => up.close());

  it("follows every page, merges them, maps every field; 404 is null", async () => {
    households.set("R-001", [
      benefit(0, { benefitType: "PUBLIC_RENTAL", monthlyRentFen: 42000, monthlySubsidyFen: null, state: "ENDED", endDate: "2025-12-31", modified: "2026-05-12T08:00:00Z" }),
      benefit(1),
      benefit(2, { benefitType: "DILAPIDATED_RENOVATION", state: "APPLIED", monthlySubsidyFen: null, grantFen: 3500000, modified: "2026-06-01T00:00:00+08:00" }),
      benefit(3),
      benefit(4),
      benefit(5),
      benefit(6),
    ]);
    households.set("R-EMPTY", []);
    pagesAsked.length = 0;
    const { connectors } = connectorsFor("housing", up.url, { pageSize: 2 }, { clock: () => NOW });
    const l = connectors.loaders().housing;
    const [r, empty, unknown] = await Promise.all([l.load("R-001"), l.load("R-EMPTY"), l.load("R-404")]);
    expect(pagesAsked.filter((p) => p.startsWith("R-001#")).sort()).toEqual(["R-001#1", "R-001#2", "R-001#3", "R-001#4"]);
    expect(r!.registryNo).toBe("R-001");
    expect(r!.source).toBe("housing");
    expect(r!.stale).toBe(false);
    expect(r!.asOf).toEqual(new Date("2026-05-31T16:00:00Z")); // the latest `modified`
    expect(r!.benefits).toHaveLength(7);
    expect(r!.benefits[0]).toEqual({
      type: "PUBLIC_RENTAL",
      status: "ENDED",
      monthlyRentFen: 42000,
      monthlySubsidyFen: null,
      grantFen: null,
      startDate: new Date("2024-01-01T00:00:00Z"),
      endDate: new Date("2025-12-31T00:00:00Z"),
    });
    expect(r!.benefits[2]).toMatchObject({ type: "DILAPIDATED_RENOVATION", status: "APPLIED", grantFen: 3500000 });
    expect(r!.benefits.map((b) => b.monthlySubsidyFen)).toEqual([null, 42001, null, 42003, 42004, 42005, 42006]);
    expect(empty).toEqual({ source: "housing", servedFrom: "LIVE", asOf: NOW, stale: false, registryNo: "R-EMPTY", benefits: [] });
    expect(unknown).toBeNull();
    await connectors.close();
  });

  it("fetches the remaining pages in parallel, within the source's concurrency limit", async () => {
    households.set("R-BIG", Array.from({ length: 40 }, (_, i) => benefit(i % 15)));
    // pages 2..20 are held until 3 wait at once (or all 19 came): fetched in parallel but within the limit of 3,
    // exactly 3 are seen in flight, on any machine; one at a time would wait at the gate until the test's timeout
    hold = gate(3, 19);
    up.resetStats();
    const { connectors, registry } = connectorsFor("housing", up.url, { pageSize: 2, pageConcurrency: 4, maxConcurrency: 3 });
    const r = await connectors.loaders().housing.load("R-BIG");
    hold = null;
    expect(r!.benefits).toHaveLength(40);
    expect(up.stats.requests).toBe(20);
    expect(up.stats.maxInFlight).toBe(3);
    expect(await (await registry.getSingleMetric("gateway_upstream_in_flight_peak")!.get()).values.find((v) => v.labels.source === "housing")!.value).toBe(up.stats.maxInFlight);
    await connectors.close();
  });

  it("a page that fails ends the household's call at once, and the pages still in flight are abandoned (their connections closed), not left running without a deadline", async () => {
    households.set("R-ABANDON", Array.from({ length: 10 }, (_, i) => benefit(i)));
    abandoned = 0;
    expectHeld(3);
    lie = "page2-only"; // page 2 is inconsistent; pages 3..5 never answer
    // the deadline is far away: only the failed page can end this call before the test's timeout
    const { connectors } = connectorsFor("housing", up.url, { pageSize: 2, pageConcurrency: 4, maxConcurrency: 8, maxAttempts: 1 });
    try {
      const r = await settle(connectors.loaders().housing.load("R-ABANDON"));
      expect(r.ok === false && r.error.code).toBe("UPSTREAM_BAD_RESPONSE");
      // the three held pages were asked for, and each one's connection closes (polled: the server sees it a little later)
      await until(() => pagesAsked.filter((p) => /^R-ABANDON#[345]$/.test(p)).length === 3 && abandoned === 3);
      expect(abandoned).toBe(3);
    } finally {
      lie = "none";
      await connectors.close();
    }
  });

  it("an inconsistent set of pages is a bad response, never a partial household", async () => {
    const { connectors } = connectorsFor("housing", up.url, { pageSize: 2 });
    for (const mode of ["page", "registry", "shrink"] as const) {
      lie = mode;
      const r = await settle(connectors.loaders().housing.load("R-001"));
      expect(r.ok === false && r.error.code, mode).toBe("UPSTREAM_BAD_RESPONSE");
    }
    lie = "none";
    households.set("R-BAD", [benefit(0), benefit(1), benefit(2, { monthlySubsidyFen: "42000" })]);
    const r = await settle(connectors.loaders().housing.load("R-BAD"));
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_BAD_RESPONSE");
    await connectors.close();
  });
});

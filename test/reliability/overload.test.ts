import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, type GqlResult, type TestGateway } from "../helpers/gateway.js";
import { runSeed } from "../../dev/seed/run.js";
import type { Database } from "../../src/db/database.js";
import { ATTEMPT_OUTCOMES } from "../../connectors/kit/index.js";
import { metric } from "../connectors/helpers.js";

/**
 * Overload over real HTTP, with the real department sandboxes:
 *  1. load shedding: beyond GRAPHQL_MAX_IN_FLIGHT requests in progress, a new one is answered at once with
 *     503, Retry-After and the GraphQL error shape (code OVERLOADED); the ones in progress complete;
 *  2. recovery: an overload of large pages against a slow employment system (calls refused when the queue
 *     is full, perhaps deadlines passing while queued), then a pause until the gateway is idle, then normal
 *     traffic: zero errors. Every failed attempt is in gateway_upstream_requests_total.
 * No latency is asserted, and nothing is derived from a measured speed (the machine may slow down after a
 * measurement): the deadline is the suite's generous 30 s, and the overload comes from a fixed sandbox latency
 * against a small concurrency limit and queue — a ratio of counts, not of this machine's speed.
 */

const SEED = 5;
const AS_OF = "2026-11-01";
const PERSONS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const seeded = async (db: Database) => {
  await runSeed({ sql: db.sql, seed: SEED, asOf: AS_OF, persons: PERSONS, progress: "none" });
};

const PAGE = `query Page($n: Int!) { households(first: $n) { edges { node { id members { id employment { publicWelfarePost } } } } } }`;

/** Waits until `cond` holds; no deadline of its own (the test's timeout bounds it: a slow machine only waits longer). */
async function until(cond: () => boolean | Promise<boolean>, _what: string): Promise<void> {
  while (!(await cond())) await sleep(10);
}

/** An HTTP proxy (to `target`, set once known) that holds every request until `open()`. */
async function gate() {
  let isOpen = false;
  let target = "";
  const held: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const forward = async () => {
      try {
        const r = await fetch(`${target}${req.url}`, { method: req.method, headers: { accept: "application/json" } });
        res.writeHead(r.status, { "content-type": r.headers.get("content-type") ?? "application/json" });
        res.end(Buffer.from(await r.arrayBuffer()));
      } catch {
        res.writeHead(502).end();
      }
    };
    if (isOpen) void forward();
    else held.push(() => void forward());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    set target(t: string) {
      target = t;
    },
    get held() {
      return held.length;
    },
    open() {
      isOpen = true;
      for (const f of held.splice(0)) f();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const errorsOf = (r: GqlResult) => (r.errors ?? []).map((e) => String(e.extensions?.code ?? e.message));

describe("load shedding", () => {
  let gw: TestGateway;
  let proxy: Awaited<ReturnType<typeof gate>>;
  const MAX = 4;

  beforeAll(async () => {
    // employment is reached through a gate the test holds shut, so that requests stay in progress
    proxy = await gate();
    gw = await startGateway({
      seed: seeded,
      sandboxes: { seed: SEED, asOf: AS_OF, persons: PERSONS },
      edge: { FIELD_POLICY: "off", GRAPHQL_MAX_IN_FLIGHT: MAX, SHED_RETRY_AFTER_SECONDS: 2 },
      connectors: { employment: { baseUrl: proxy.url, timeoutMs: 600_000 } }, // the gate opens long before
    });
    proxy.target = gw.sandboxes!.urls.employment;
  }, 120_000);
  afterAll(async () => {
    proxy?.open();
    await gw?.close();
    await proxy?.close();
  });

  it("beyond the in-flight limit a request is answered at once: 503, Retry-After, OVERLOADED; the others complete", async () => {
    const inFlight = () => metric(gw.metrics, "gateway_graphql_in_flight", {});
    const holding = Array.from({ length: MAX }, () => gw.gql(PAGE, { n: 2 }));
    await until(async () => (await inFlight()) === MAX && proxy.held >= MAX, "the requests to be in progress, held at the gate");

    const shed = await Promise.all(Array.from({ length: 6 }, () => gw.gql(PAGE, { n: 2 })));
    for (const r of shed) {
      expect(r.status).toBe(503);
      expect(r.headers.get("retry-after")).toBe("2");
      expect(r.data).toBeUndefined();
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0].extensions).toMatchObject({ code: "OVERLOADED", retryAfterSeconds: 2 });
      expect(r.errors![0].extensions!.requestId).toBe(r.headers.get("x-request-id"));
    }
    expect(await metric(gw.metrics, "gateway_requests_shed_total", { reason: "in_flight" })).toBe(6);

    proxy.open();
    const done = await Promise.all(holding);
    for (const r of done) {
      expect(r.status).toBe(200);
      expect(errorsOf(r)).toEqual([]);
      expect(r.data.households.edges).toHaveLength(2);
    }
    await until(async () => (await inFlight()) === 0, "the in-flight count to fall");

    // normal traffic again: within the limit, nothing is shed
    for (let round = 0; round < 3; round++) {
      const rs = await Promise.all(Array.from({ length: MAX }, () => gw.gql(PAGE, { n: 1 })));
      expect(rs.map((r) => [r.status, errorsOf(r)])).toEqual(Array(MAX).fill([200, []]));
    }
    expect(await metric(gw.metrics, "gateway_requests_shed_total", { reason: "in_flight" })).toBe(6);
  });
});

describe("recovery after an overload of the employment system", () => {
  let gw: TestGateway;
  // the suite's deadline: a healthy page (~300 employment calls, 4 at a time: ~75 round trips in a row) meets it
  // on any machine that runs the suite at all
  const DEADLINE_MS = 30_000;
  const CONCURRENCY = 4;
  const QUEUE = 400; // room for one page of 100 households (~300 members), not for ten
  // each employment call then holds a slot this long: 4 slots serve 40 calls a second, while the ten clients'
  // first pages ask for ~3000 at once — the 404 places fill whatever the machine's speed (the calls would have
  // to arrive spread over more than a minute to fit)
  const OVERLOAD_LATENCY_MS = 100;

  beforeAll(async () => {
    gw = await startGateway({
      seed: seeded,
      sandboxes: { seed: SEED, asOf: AS_OF, persons: PERSONS },
      edge: { FIELD_POLICY: "off" },
      connectors: { employment: { timeoutMs: DEADLINE_MS, maxAttempts: 1, maxConcurrency: CONCURRENCY, maxQueue: QUEUE } },
    });
  }, 120_000);
  afterAll(async () => gw?.close());

  const setFaults = async (faults: Record<string, number>) => {
    const res = await fetch(`${gw.sandboxes!.urls.employment}/__sandbox/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(faults) });
    expect(res.status).toBe(200);
  };
  const setLatency = (latencyMs: number) => setFaults({ latencyMs });
  const employmentErrors = (r: GqlResult) => (r.errors ?? []).filter((e) => e.path?.at(-1) === "employment");
  const outcomes = async () => Object.fromEntries(await Promise.all(ATTEMPT_OUTCOMES.map(async (o) => [o, await metric(gw.metrics, "gateway_upstream_requests_total", { source: "employment", outcome: o })])));

  it("overload, pause, normal traffic: zero errors afterwards; every failed attempt counted", async () => {
    // The sandbox's own rate limit (500/s, burst 100) is lifted: a fast machine outruns it with the normal
    // traffic at the end (429s, then an open breaker), a slow one does not — this test is about the gateway's
    // queue, not about the sandbox's token bucket (test/connectors covers Retry-After).
    await setFaults({ rateLimitPerSecond: 1_000_000, burst: 1_000_000 });
    const households = Math.min(100, await gw.db.prisma.household.count()); // the largest page
    expect(households).toBeGreaterThan(50);

    // 1. overload: employment is slow; 10 clients each ask for the largest page twice (one employment call
    //    per member, 4 at a time, 400 waiting at most)
    await setLatency(OVERLOAD_LATENCY_MS);
    const overload = (
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const out: GqlResult[] = [];
          for (let i = 0; i < 2; i++) out.push(await gw.gql(PAGE, { n: households }));
          return out;
        }),
      )
    ).flat();
    // every page is answered (partially): no HTTP error, the failures are the employment fields', with their codes
    expect(overload.map((r) => r.status)).toEqual(Array(20).fill(200));
    for (const r of overload) expect(r.data.households.edges).toHaveLength(households);
    const failed = overload.flatMap(employmentErrors);
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed.map((e) => e.extensions?.code))).toEqual(new Set(["UPSTREAM_UNAVAILABLE", "UPSTREAM_TIMEOUT"].filter((c) => failed.some((e) => e.extensions?.code === c))));
    expect(overload.flatMap((r) => r.errors ?? []).length).toBe(failed.length); // nothing else failed

    // every failed employment call is one counted failed attempt (one attempt per call here)
    await until(() => gw.connectors.runtimes.employment.metrics.inFlightNow === 0, "the last employment requests to end");
    const o = await outcomes();
    expect(o.queue_full).toBeGreaterThan(0);
    expect(o.queue_full + o.queue_timeout + o.timeout + o.error + o.rate_limited + o.rejected + o.cancelled).toBe(failed.length);
    const asked = overload.reduce((n, r) => n + r.data.households.edges.reduce((m: number, e: any) => m + e.node.members.length, 0), 0);
    expect(o.ok + failed.length).toBe(asked);
    expect(gw.connectors.states().employment).toBe("closed"); // a busy gateway is not a failing system

    // 2. the system is quick again; a pause until nothing of the overload is left at the employment limiter
    await setLatency(0);
    await until(() => {
      const l = gw.connectors.runtimes.employment.policy.load();
      return l.active === 0 && l.queued === 0;
    }, "the employment limiter to be idle");

    // 3. normal traffic: 10 clients, one-household pages, then a whole page: zero errors
    const normal = (
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const out: GqlResult[] = [];
          for (let i = 0; i < 3; i++) out.push(await gw.gql(PAGE, { n: 1 }));
          return out;
        }),
      )
    ).flat();
    normal.push(await gw.gql(PAGE, { n: households }));
    expect(normal.map((r) => [r.status, errorsOf(r)])).toEqual(Array(31).fill([200, []]));
    expect(normal.at(-1)!.data.households.edges).toHaveLength(households);
  });
});

describe("shedding while the event loop lags", () => {
  it("answers 503 OVERLOADED while the process lags, and serves again once it does not", async () => {
    const gw = await startGateway({ edge: { SHED_EVENT_LOOP_DELAY_MS: 100, SHED_RETRY_AFTER_SECONDS: 1 } });
    // lag the (shared) event loop: every 50 ms, 250 ms of busy work
    const burn = setInterval(() => {
      const until = performance.now() + 250;
      while (performance.now() < until);
    }, 50);
    let shed: GqlResult | null = null;
    try {
      while (!shed) {
        const r = await gw.gql(`{ __typename }`);
        if (r.status === 503) shed = r;
        else expect([r.status, r.data?.__typename]).toEqual([200, "Query"]); // served or shed, nothing else
      }
    } finally {
      clearInterval(burn);
    }
    try {
      expect(shed).not.toBeNull();
      expect(shed!.headers.get("retry-after")).toBe("1");
      expect(shed!.errors![0].extensions).toMatchObject({ code: "OVERLOADED", retryAfterSeconds: 1 });
      expect(await metric(gw.metrics, "gateway_requests_shed_total", { reason: "event_loop_delay" })).toBeGreaterThan(0);
      expect(await metric(gw.metrics, "gateway_requests_shed_total", { reason: "in_flight" })).toBe(0);
      // the lag is gone: served again (the sampler looks at the last second)
      let served: GqlResult | null = null;
      while (!served) {
        const r = await gw.gql(`{ __typename }`);
        if (r.status === 200) served = r;
        else await sleep(100);
      }
      expect(served?.data).toEqual({ __typename: "Query" });
    } finally {
      await gw.close();
    }
  });
});

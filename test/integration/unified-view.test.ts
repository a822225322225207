/**
 * Issue #3, "done when": the unified view over real HTTP — a real gateway (JWT, field policy, Apollo,
 * connectors) in front of the five real department sandboxes, the registry database and the sandboxes
 * holding the SAME generated population (seed 20190101, as of 2026-11-01, 1,500 persons).
 *
 * What each test proves is said in its name; the numbers come from GET /metrics (parsed Prometheus
 * text), the sandboxes' own GET /__sandbox/stats, and a passive recording of the gateway's upstream
 * HTTP calls (which keys each call asked for, and the status it got).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { Rng } from "../../dev/seed/rng.js";
import { SOURCES, type SourceName } from "../../src/domain/records.js";
import { METRIC_NAMES } from "../../connectors/kit/metrics.js";
import type { GqlResult, TestGateway } from "../helpers/gateway.js";
import {
  NOW,
  ROUTES,
  admin,
  allStats,
  clearFaults,
  delta,
  recordUpstreamCalls,
  resetStats,
  scrape,
  setFaults,
  startUnifiedGateway,
  stats,
  type Recorder,
  type UpstreamCall,
} from "./harness.js";

const { requests: REQUESTS, batches: BATCHES, keys: KEYS, retries: RETRIES, inFlightPeak: PEAK, breakerState: BREAKER, errors: ERRORS } = METRIC_NAMES;

/** Every member's four person-level department fields, the household's housing (depth 6 at most). */
const UNIFIED_VIEW = `query UnifiedView($first: Int!) {
  households(first: $first) {
    edges {
      node {
        id
        registryNo
        housing { stale benefits { type } }
        members {
          idNumber
          education { stage }
          employment { status }
          medicalInsurance { tier }
          disability { grade }
        }
      }
    }
  }
}`;

const PERSON_FIELDS = ["education", "employment", "medicalInsurance", "disability"] as const;
type PersonField = (typeof PERSON_FIELDS)[number];

interface Member {
  idNumber: string;
  education: { stage: string } | null;
  employment: { status: string } | null;
  medicalInsurance: { tier: number } | null;
  disability: { grade: number } | null;
}
interface HouseholdNode {
  id: string;
  registryNo: string;
  housing: { stale: boolean; benefits: { type: string }[] } | null;
  members: Member[];
}
interface ViewData {
  households: { edges: { node: HouseholdNode }[] };
}
type Path = (string | number)[];
type GqlError = NonNullable<GqlResult["errors"]>[number];

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);
const nodes = (d: ViewData) => d.households.edges.map((e) => e.node);
/** every member with its response path */
function membersOf(d: ViewData): { member: Member; household: HouseholdNode; path: Path }[] {
  return nodes(d).flatMap((household, hi) =>
    household.members.map((member, mi) => ({ member, household, path: ["households", "edges", hi, "node", "members", mi] })),
  );
}
const distinctIds = (d: ViewData) => new Set(membersOf(d).map((m) => m.member.idNumber));
const pathKey = (p: Path | undefined) => JSON.stringify(p ?? []);

/** the response with one person field removed from every member (to compare the rest) */
function without(d: ViewData, field: PersonField): unknown {
  const copy = structuredClone(d);
  for (const { member } of membersOf(copy)) delete (member as Partial<Member>)[field];
  return copy;
}

/** the unified view of the first `first` households, as civil affairs (whole city) */
async function view(gw: TestGateway, first = 100): Promise<{ res: GqlResult<ViewData> }> {
  const res = await gw.gql<ViewData>(UNIFIED_VIEW, { first }, { audience: "civil_affairs", city: "500000" });
  return { res };
}

/** `view`, with the gateway's upstream calls recorded meanwhile; `cleanup` runs afterwards, whatever happened. */
async function viewRecorded(
  g: TestGateway,
  cleanup?: () => Promise<unknown>,
): Promise<{ res: GqlResult<ViewData>; calls: UpstreamCall[]; peakInFlight: Recorder["peakInFlight"] }> {
  const recorder = recordUpstreamCalls(g);
  try {
    const { res } = await view(g);
    return { res, calls: recorder.calls, peakInFlight: recorder.peakInFlight };
  } finally {
    recorder.stop();
    await cleanup?.();
  }
}

/** Upstream calls grouped into logical batches (the same key list = the same batch, retried). */
function batchesOf(calls: UpstreamCall[], source: SourceName): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const c of calls.filter((c) => c.source === source)) {
    const k = [...c.keys].sort().join(",");
    out.set(k, [...(out.get(k) ?? []), c.status]);
  }
  return out;
}

/** Nothing in a client-facing error may point at the upstream: no URL, host or port. */
function expectNoUpstreamAddress(gw: TestGateway, errors: GqlError[]) {
  const hostPorts = SOURCES.map((s) => new URL(gw.sandboxes!.urls[s]).host);
  for (const e of errors) {
    expect(e.message).not.toMatch(/https?:|\/\/|127\.0\.0\.1|localhost|:\d{2,5}\b/);
    const all = JSON.stringify(e);
    for (const hp of hostPorts) expect(all).not.toContain(hp);
    expect(all).not.toMatch(/https?:\/\//);
  }
}

/** Exactly one error per member for `field` of `source` with `code`; that field null; nothing else failed. */
function expectOneErrorPerMember(d: ViewData, errors: GqlError[] | undefined, field: PersonField, source: SourceName, code: string) {
  const members = membersOf(d);
  expect(errors).toBeDefined();
  expect(errors!.length).toBe(members.length);
  for (const e of errors!) {
    expect(e.extensions?.code).toBe(code);
    expect(e.extensions?.source).toBe(source);
  }
  const errorPaths = errors!.map((e) => pathKey(e.path));
  expect(new Set(errorPaths).size).toBe(errorPaths.length); // one per path
  expect(new Set(errorPaths)).toEqual(new Set(members.map((m) => pathKey([...m.path, field]))));
  for (const { member } of members) expect(member[field]).toBeNull();
}

async function readyz(gw: TestGateway): Promise<{ status: number; body: any }> {
  const res = await fetch(`${gw.url}/readyz`);
  return { status: res.status, body: await res.json() };
}

// ---------------------------------------------------------------------------------------------------
// three gateways over the same population, started together: one healthy (tests 1, 3, 4, 5), one for
// a source that is down, one for a hanging source (deadline 800 ms: the system never answers, so any deadline
// fires; no real call that should succeed goes to it) and its circuit breaker

let gw: TestGateway;
let downGw: TestGateway;
let hangGw: TestGateway;
const HANG_TIMEOUT_MS = 800;

beforeAll(async () => {
  const started = await Promise.allSettled([
    startUnifiedGateway(),
    startUnifiedGateway(),
    // the breaker stays open for the rest of the file (half-open only after 10 min, which no run reaches)
    startUnifiedGateway({ disability: { timeoutMs: HANG_TIMEOUT_MS, breaker: { threshold: 2, halfOpenAfterMs: 600_000 } } }),
  ]);
  const ok = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  if (ok.length < started.length) {
    await Promise.all(ok.map((g) => g.close()));
    throw (started.find((s) => s.status === "rejected") as PromiseRejectedResult).reason;
  }
  [gw, downGw, hangGw] = ok;
});
afterAll(async () => {
  await Promise.all([gw, downGw, hangGw].filter(Boolean).map((g) => g.close()));
});

/** the healthy gateway's answer, fetched once (without faults) for the comparisons */
let referenceData: ViewData | null = null;
async function reference(): Promise<ViewData> {
  if (!referenceData) {
    const { res } = await view(gw);
    expect(res.errors).toBeUndefined();
    referenceData = res.data!;
  }
  return referenceData;
}

describe("unified view, healthy department systems", () => {
  afterEach(async () => clearFaults(gw));

  test("1. 100 households: batched calls ⌈n/200⌉, ⌈n/100⌉, ⌈n/50⌉; employment once per person within maxConcurrency; housing once per household; no key asked twice; data equals the sandboxes'", async () => {
    // a little latency on every system, so that concurrency is real and visible in the sandboxes' stats
    await Promise.all(SOURCES.map((s) => setFaults(gw, s, { latencyMs: 5 })));
    await resetStats(gw);
    const before = await scrape(gw);
    const { res, calls: recorded } = await viewRecorded(gw);
    const after = await scrape(gw);
    const st = await allStats(gw);

    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    const d = res.data!;
    const households = nodes(d);
    expect(households).toHaveLength(100);
    const ids = distinctIds(d);
    const n = ids.size;
    // the registry agrees on who the members are
    expect(await gw.db.prisma.person.count({ where: { householdId: { in: households.map((h) => h.id) } } })).toBe(n);
    expect(n).toBeGreaterThan(200); // more than one batch for every batching system

    const cfg = gw.connectors.config;
    expect([cfg.education.batchSize, cfg.medicalInsurance.batchSize, cfg.disability.batchSize, cfg.employment.maxConcurrency]).toEqual([200, 100, 50, 8]);
    const calls = (source: SourceName) => delta(before, after, REQUESTS, { source });

    // education: ⌈n / 200⌉ batched calls
    expect(calls("education")).toBe(ceilDiv(n, 200));
    expect(delta(before, after, BATCHES, { source: "education" })).toBe(ceilDiv(n, 200));
    expect(st.education.byRoute).toEqual({ [ROUTES.education]: ceilDiv(n, 200) });

    // medical insurance: ⌈n / 100⌉ queries. Its OAuth token call goes through the same HTTP client, so the
    // kit counts it in gateway_upstream_requests_total{source="medicalInsurance"} — but not as a batch.
    // This is the gateway's first request: exactly one token call (it is cached for later requests).
    const tokenCalls = st.medicalInsurance.byRoute[ROUTES.medicalInsuranceToken] ?? 0;
    expect(tokenCalls).toBe(1);
    expect(st.medicalInsurance.byRoute[ROUTES.medicalInsurance]).toBe(ceilDiv(n, 100));
    expect(calls("medicalInsurance")).toBe(ceilDiv(n, 100) + tokenCalls);
    expect(delta(before, after, BATCHES, { source: "medicalInsurance" })).toBe(ceilDiv(n, 100));

    // disability: ⌈n / 50⌉
    expect(calls("disability")).toBe(ceilDiv(n, 50));
    expect(delta(before, after, BATCHES, { source: "disability" })).toBe(ceilDiv(n, 50));
    expect(st.disability.byRoute).toEqual({ [ROUTES.disability]: ceilDiv(n, 50) });

    // employment: one call per distinct person, never more than maxConcurrency at once
    expect(calls("employment")).toBe(n);
    expect(st.employment.byRoute).toEqual({ [ROUTES.employment]: n });
    expect(after.get(PEAK, { source: "employment" })).toBeLessThanOrEqual(cfg.employment.maxConcurrency);
    expect(st.employment.maxInFlight).toBeLessThanOrEqual(cfg.employment.maxConcurrency);
    expect(st.employment.maxInFlight).toBeGreaterThan(1); // it did run calls in parallel

    // housing: one call per household, plus one per extra page of a household with more than pageSize benefits
    const pageSize = cfg.housing.pageSize;
    const housingData = gw.sandboxes!.data.housing.households;
    const expectedHousing = households.reduce((sum, h) => {
      const r = housingData.get(h.registryNo);
      return sum + (r ? Math.max(1, ceilDiv(r.items.length, pageSize)) : 1);
    }, 0);
    expect(calls("housing")).toBe(expectedHousing);
    expect(expectedHousing).toBeGreaterThanOrEqual(100);
    expect(st.housing.byRoute).toEqual({ [ROUTES.housing]: expectedHousing });

    // every call succeeded, nothing was retried
    for (const s of SOURCES) {
      expect(delta(before, after, REQUESTS, { source: s, outcome: "ok" })).toBe(calls(s));
      expect(delta(before, after, RETRIES, { source: s })).toBe(0);
    }

    // no upstream was asked twice for the same key in this request: the keys of all calls, per system,
    // are exactly the distinct keys (ID numbers; registry numbers for housing, page 1 once each)
    for (const s of ["education", "medicalInsurance", "disability", "employment"] as const) {
      const asked = recorded.filter((c) => c.source === s).flatMap((c) => c.keys);
      expect(asked.length).toBe(n);
      expect(new Set(asked)).toEqual(ids);
      expect(delta(before, after, KEYS, { source: s })).toBe(n);
    }
    const housingFirstPages = recorded.filter((c) => c.source === "housing" && new URL(c.url).searchParams.get("page") === "1").flatMap((c) => c.keys);
    expect(housingFirstPages.length).toBe(100);
    expect(new Set(housingFirstPages)).toEqual(new Set(households.map((h) => h.registryNo)));
    expect(new Set(recorded.filter((c) => c.source === "housing").map((c) => c.url)).size).toBe(expectedHousing);
    // the sandboxes saw exactly the recorded calls
    for (const s of SOURCES) expect(st[s].requests).toBe(recorded.filter((c) => c.source === s).length);
    for (const c of recorded) expect(c.keys.length).toBeLessThanOrEqual(gw.connectors.config[c.source].batchSize);

    // the data is the sandboxes' data (null where a system has no record), for every member
    const data = gw.sandboxes!.data;
    const seen = { education: 0, employment: 0, medicalInsurance: 0, disability: 0, housing: 0 };
    for (const { member } of membersOf(d)) {
      const id = member.idNumber;
      const edu = data.education.students.get(id);
      const emp = data.employment.persons.get(id);
      const med = data.medicalInsurance.insured.get(id);
      const dis = data.disability.certificates.get(id);
      expect(member.education).toEqual(edu ? { stage: edu.stage } : null);
      expect(member.employment).toEqual(emp ? { status: emp.status } : null);
      expect(member.medicalInsurance).toEqual(med ? { tier: Number(med.insured_tier) } : null);
      expect(member.disability).toEqual(dis ? { grade: Number(dis.grade) } : null);
      seen.education += edu ? 1 : 0;
      seen.employment += emp ? 1 : 0;
      seen.medicalInsurance += med ? 1 : 0;
      seen.disability += dis ? 1 : 0;
    }
    const staleAfterMs = cfg.housing.staleAfterDays * 86_400_000;
    for (const h of households) {
      const r = housingData.get(h.registryNo);
      if (!r) {
        expect(h.housing).toBeNull();
        continue;
      }
      seen.housing++;
      const newest = Math.max(...r.items.map((b) => Date.parse(b.modified)));
      expect(h.housing).toEqual({
        stale: r.items.length > 0 && NOW.getTime() - newest > staleAfterMs,
        benefits: r.items.map((b) => ({ type: b.benefitType })),
      });
    }
    // the comparison covered records and absences of every system
    for (const [s, count] of Object.entries(seen)) {
      expect(count, `${s} records among the members`).toBeGreaterThan(0);
      expect(count, `${s} absences among the members`).toBeLessThan(s === "housing" ? households.length : n);
    }
  });

  test("3. a system answering 30 % of requests with 500 (fault seed fixed): retries recover; every 500 the sandbox drew is a counted attempt; an error only where all attempts failed", async () => {
    const ref = await reference();
    const n = distinctIds(ref).size;
    const FAULT_SEED = 2; // draws: ..X..X..X... — two 500s among the first eight requests
    const RATE = 0.3;
    await setFaults(gw, "disability", { errorRate: RATE, seed: FAULT_SEED });
    await resetStats(gw);
    const before = await scrape(gw);
    const { res, calls: recorded } = await viewRecorded(gw, () => setFaults(gw, "disability", { errorRate: 0 }));
    const after = await scrape(gw);
    const sandbox = await stats(gw, "disability");
    expect(res.status).toBe(200);

    // the 500s the sandbox served: replay its seeded PRNG over the requests it counted
    const rng = new Rng(FAULT_SEED);
    let drawn500 = 0;
    for (let i = 0; i < sandbox.requests; i++) if (rng.next() < RATE) drawn500++;
    const calls = recorded.filter((c) => c.source === "disability");
    expect(calls.length).toBe(sandbox.requests);
    expect(calls.filter((c) => c.status === 500).length).toBe(drawn500);
    expect(calls.every((c) => c.status === 200 || c.status === 500)).toBe(true);
    expect(delta(before, after, REQUESTS, { source: "disability", outcome: "error" })).toBe(drawn500);
    expect(delta(before, after, REQUESTS, { source: "disability" })).toBe(sandbox.requests);
    expect(drawn500).toBeGreaterThan(0);

    // each logical batch: some 500s, then one 200 — or maxAttempts 500s (exhausted)
    const maxAttempts = gw.connectors.config.disability.maxAttempts;
    const batches = batchesOf(recorded, "disability");
    expect(batches.size).toBe(ceilDiv(n, 50));
    const exhaustedKeys = new Set<string>();
    let exhausted = 0;
    for (const [keys, statuses] of batches) {
      expect(statuses.length).toBeLessThanOrEqual(maxAttempts);
      expect(statuses.slice(0, -1).every((s) => s === 500)).toBe(true);
      if (statuses.at(-1) === 500) {
        expect(statuses.length).toBe(maxAttempts);
        exhausted++;
        for (const k of keys.split(",")) exhaustedKeys.add(k);
      }
    }
    const retries = delta(before, after, RETRIES, { source: "disability" });
    expect(retries).toBeGreaterThan(0);
    expect(retries).toBe(drawn500 - exhausted); // every 500 was retried, except the last of an exhausted batch
    expect(delta(before, after, ERRORS, { source: "disability" })).toBe(exhausted);

    // complete data: errors only for keys whose every attempt failed (none with this seed, but the test
    // does not depend on it)
    const errors = res.errors ?? [];
    const byPath = new Map(membersOf(ref).map((m) => [pathKey([...m.path, "disability"]), m.member.idNumber]));
    for (const e of errors) {
      expect(e.extensions?.code).toBe("UPSTREAM_UNAVAILABLE");
      expect(e.extensions?.source).toBe("disability");
      expect(exhaustedKeys.has(byPath.get(pathKey(e.path))!)).toBe(true);
    }
    expect(errors.length).toBe(membersOf(ref).filter((m) => exhaustedKeys.has(m.member.idNumber)).length);
    const expected = structuredClone(ref);
    for (const { member } of membersOf(expected)) if (exhaustedKeys.has(member.idNumber)) member.disability = null;
    expect(res.data).toEqual(expected);
  });

  test.each(["disability", "education"] as const)(
    "4. a malformed %s record: UPSTREAM_BAD_RESPONSE at that person's path only; the rest of its batch and everything else intact",
    async (source) => {
      const ref = await reference();
      const members = membersOf(ref);
      const target = members.find((m) => m.member[source] !== null && m.household.members.length > 1)!;
      expect(target).toBeDefined();
      const key = target.member.idNumber;
      await admin(gw, source, "POST", "/__sandbox/malformed", { key });
      const { res, calls: recorded } = await viewRecorded(gw, () => admin(gw, source, "DELETE", `/__sandbox/malformed/${key}`));
      expect(res.status).toBe(200);
      expect(res.errors).toHaveLength(1);
      const [err] = res.errors!;
      expect(err.path).toEqual([...target.path, source]);
      expect(err.extensions?.code).toBe("UPSTREAM_BAD_RESPONSE");
      expect(err.extensions?.source).toBe(source);
      expectNoUpstreamAddress(gw, res.errors!);
      const expected = structuredClone(ref);
      membersOf(expected).find((m) => m.member.idNumber === key)!.member[source] = null;
      expect(res.data).toEqual(expected);
      // the malformed record travelled in one answer with others that had records, and those are intact
      const batch = recorded.find((c) => c.source === source && c.keys.includes(key))!;
      const siblingsWithRecords = members.filter((m) => m.member.idNumber !== key && batch.keys.includes(m.member.idNumber) && m.member[source] !== null);
      expect(siblingsWithRecords.length).toBeGreaterThan(0);
    },
  );

  test("5. per-request loaders: two identical requests (concurrent) each call the upstreams — counts double", async () => {
    const ref = await reference();
    const count = async (run: () => Promise<unknown>) => {
      await resetStats(gw);
      const before = await scrape(gw);
      await run();
      const after = await scrape(gw);
      const st = await allStats(gw);
      const routes = Object.fromEntries(
        SOURCES.flatMap((s) => Object.entries(st[s].byRoute).filter(([r]) => r !== ROUTES.medicalInsuranceToken)),
      );
      const metrics = Object.fromEntries(
        SOURCES.flatMap((s) => [
          [`batches ${s}`, delta(before, after, BATCHES, { source: s })],
          [`keys ${s}`, delta(before, after, KEYS, { source: s })],
        ]),
      );
      return { routes, metrics };
    };
    const once = await count(() => view(gw));
    let results: { res: GqlResult<ViewData> }[] = [];
    const twice = await count(async () => {
      results = await Promise.all([view(gw), view(gw)]);
    });
    const doubled = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, 2 * v]));
    expect(Object.keys(once.routes)).toHaveLength(5);
    expect(twice.routes).toEqual(doubled(once.routes));
    expect(twice.metrics).toEqual(doubled(once.metrics));
    for (const { res } of results) {
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual(ref);
    }
  });
});

describe("unified view, one department system down", () => {
  test("2a. disability down (503): everything else answered, disability null for every member, one UPSTREAM_UNAVAILABLE error per path, no upstream address in it", async () => {
    const { res: healthy } = await view(downGw);
    expect(healthy.errors).toBeUndefined();
    await setFaults(downGw, "disability", { down: true });
    const { res, calls: recorded } = await viewRecorded(downGw, () => setFaults(downGw, "disability", { down: false }));
    expect(res.status).toBe(200);
    const d = res.data!;
    expectOneErrorPerMember(d, res.errors, "disability", "disability", "UPSTREAM_UNAVAILABLE");
    expectNoUpstreamAddress(downGw, res.errors!);
    expect(without(d, "disability")).toEqual(without(healthy.data!, "disability"));
    // it really asked the sandbox, which really answered 503
    const calls = recorded.filter((c) => c.source === "disability");
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.status === 503)).toBe(true);
  });
});

describe("unified view, one department system hanging (deadline 800 ms, breaker threshold 2)", () => {
  test("2b. hang: UPSTREAM_TIMEOUT for every member once the deadline fires, the rest intact; the failed calls open the breaker, which then answers UPSTREAM_UNAVAILABLE without calling the hanging system; /readyz reports it open", async () => {
    // The reference leaves disability out: the hanging system's short deadline then never meets a real call
    // that should succeed (on a loaded machine an 800 ms deadline could), and the comparison is of the rest.
    const reference = await hangGw.gql<ViewData>(UNIFIED_VIEW.replace(/\n\s*disability \{ grade \}/, ""), { first: 100 });
    expect(reference.errors).toBeUndefined();
    expect(JSON.stringify(reference.data)).not.toContain('"disability"');
    const healthyData = reference.data!;
    const n = distinctIds(healthyData).size;
    const batches = ceilDiv(n, 50);
    const cfg = hangGw.connectors.config.disability;
    expect([cfg.timeoutMs, cfg.breaker.threshold, cfg.batchSize]).toEqual([HANG_TIMEOUT_MS, 2, 50]);
    expect(batches).toBeGreaterThan(cfg.breaker.threshold);

    await setFaults(hangGw, "disability", { hang: true });
    try {
      // the system never answers, so on any machine only the deadline ends the calls: UPSTREAM_TIMEOUT
      // (had anything else ended them — an error, an open breaker — the code would be another)
      await resetStats(hangGw);
      const before0 = await scrape(hangGw);
      const { res: hung, calls: recorded, peakInFlight } = await viewRecorded(hangGw);
      const after0 = await scrape(hangGw);
      expect(hung.status).toBe(200);
      expectOneErrorPerMember(hung.data!, hung.errors, "disability", "disability", "UPSTREAM_TIMEOUT");
      expectNoUpstreamAddress(hangGw, hung.errors!);
      expect(without(hung.data!, "disability")).toEqual(healthyData);
      // every batch was a timed-out call; the ones that got an HTTP slot really reached the system and got
      // no answer (status 0), at most one request per batch and maxConcurrency at once, none retried. (A request
      // can be started and aborted by the same deadline before the sandbox takes it in: recorded, not counted.)
      // "At once" is counted on the gateway's HTTP client (undici's own events), not by the sandbox: a batch whose
      // deadline fires aborts its request and frees its slot for a queued batch, and the sandbox can take that next
      // request in before it reads the aborted one's close (seen under load: 5 in flight at the sandbox, limit 4).
      expect(delta(before0, after0, ERRORS, { source: "disability", code: "UPSTREAM_TIMEOUT" })).toBe(batches);
      const toDisability = recorded.filter((c) => c.source === "disability");
      const sandbox = await stats(hangGw, "disability");
      expect(toDisability.length).toBeLessThanOrEqual(batches);
      expect(sandbox.requests).toBeLessThanOrEqual(toDisability.length);
      expect(sandbox.requests).toBeGreaterThan(0);
      expect(sandbox.requests).toBeLessThanOrEqual(batches);
      expect(peakInFlight.disability).toBeGreaterThan(0);
      expect(peakInFlight.disability).toBeLessThanOrEqual(cfg.maxConcurrency);
      expect(toDisability.every((c) => c.status === 0)).toBe(true);
      expect(delta(before0, after0, RETRIES, { source: "disability" })).toBe(0);

      // the failed calls opened the breaker
      const ready = await readyz(hangGw);
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe("degraded");
      const circuitOpen = { state: "down", detail: "circuit open: calls are refused until a trial call succeeds" };
      expect(ready.body.dependencies).toMatchObject({ education: { state: "up" }, employment: { state: "up" }, housing: { state: "up" }, medicalInsurance: { state: "up" }, disability: circuitOpen });
      const before = await scrape(hangGw);
      expect(before.get(BREAKER, { source: "disability" })).toBe(2);

      // open breaker, the system still hanging: the same query does not call it (the sandbox counts nothing new)
      // and does not wait on it — a call would have hung until the deadline and been UPSTREAM_TIMEOUT; every
      // member's disability is UPSTREAM_UNAVAILABLE instead, one rejection per batch, no HTTP
      const sandboxBefore = (await stats(hangGw, "disability")).requests;
      const { res: open } = await view(hangGw);
      const after = await scrape(hangGw);
      expect((await stats(hangGw, "disability")).requests).toBe(sandboxBefore);
      expect(delta(before, after, REQUESTS, { source: "disability", outcome: "rejected" })).toBe(batches);
      expect(delta(before, after, REQUESTS, { source: "disability" })).toBe(batches); // rejections only, no HTTP
      expect(delta(before, after, ERRORS, { source: "disability", code: "UPSTREAM_TIMEOUT" })).toBe(0);
      expectOneErrorPerMember(open.data!, open.errors, "disability", "disability", "UPSTREAM_UNAVAILABLE");
      expect(without(open.data!, "disability")).toEqual(healthyData);
      expect((await readyz(hangGw)).body.dependencies.disability).toEqual(circuitOpen);
    } finally {
      await setFaults(hangGw, "disability", { hang: false });
    }
  });
});

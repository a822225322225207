/**
 * Issue 15: the department mirror over real HTTP (the five sandboxes' bulk exchange), on the test database
 * (PGlite, or PostgreSQL with DATABASE_URL). Oracles: the sandboxes' own export read over HTTP by this test
 * (keys), and the live lookup APIs (records) — never the sync's own state.
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runSeed } from "../../dev/seed/run.js";
import { MALFORMED, MIRROR_TABLES } from "../../connectors/kit/index.js";
import { SOURCES, type SourceName } from "../../src/domain/records.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";

const POPULATION = { seed: 218, asOf: "2026-11-01", persons: 300 } as const;
const CIVIL = { audience: "civil_affairs", city: "500000" } as const;
const EDUCATION = { audience: "education", district: "500103" } as const;
const HOUR = 3_600_000;

let gw: TestGateway;
/** the mirror's clock: real time plus this offset (a test moves it past a source's freshness) */
let offsetMs = 0;

beforeAll(async () => {
  gw = await startGateway({
    seed: async (db) => void (await runSeed({ sql: db.sql, ...POPULATION, progress: "none" })),
    sandboxes: { ...POPULATION, employment: { rateLimitPerSecond: 1_000_000, burst: 100_000 } },
    edge: { GRAPHQL_MAX_COST: 1_000_000 }, // a 60-household page with every department field
    mirror: { pageSize: 40, clock: () => new Date(Date.now() + offsetMs), maxAgeMs: { employment: HOUR } },
  });
});
afterAll(async () => gw?.close());

// ---------------------------------------------------------------------------------------------------
// oracles

async function sandbox(source: SourceName, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${gw.sandboxes!.urls[source]}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 400) throw new Error(`${method} ${path} on the ${source} sandbox: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const EXPORT_PATH: Record<SourceName, string> = {
  education: "/api/v1/students/export",
  employment: "/api/bulk/employment/export",
  housing: "/housing/v1/bulk/export",
  medicalInsurance: "/api/v2/insured/bulk/export",
  disability: "/cdpf/api/bulk/export",
};
const KEY_FIELD: Record<SourceName, string> = { education: "idNumber", employment: "idNumber", housing: "registryNo", medicalInsurance: "id_no", disability: "idNumber" };

/** Every key the system holds now, from its own export read page by page here. */
async function exportedKeys(source: SourceName): Promise<string[]> {
  const headers: Record<string, string> = {};
  if (source === "medicalInsurance") {
    const { clientId, clientSecret } = gw.sandboxes!.medicalCredentials;
    const t = await fetch(`${gw.sandboxes!.urls.medicalInsurance}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }),
    }).then((r) => r.json());
    headers.authorization = `Bearer ${t.access_token}`;
  }
  const keys: string[] = [];
  let after: string | null = null;
  for (;;) {
    const res: Response = await fetch(`${gw.sandboxes!.urls[source]}${EXPORT_PATH[source]}?limit=10000${after ? `&after=${encodeURIComponent(after)}` : ""}`, { headers });
    const page = await res.json();
    keys.push(...page.records.map((r: Record<string, string>) => r[KEY_FIELD[source]]));
    if (page.next === null) return keys.sort();
    after = page.next;
  }
}

async function mirroredKeys(source: SourceName): Promise<string[]> {
  const { table, key } = MIRROR_TABLES[source];
  const rows = await gw.db.sql.query<{ k: string }>(`SELECT ${key} AS k FROM ${table}`);
  return rows.map((r) => r.k).sort();
}

const strip = (r: unknown) => {
  if (r === null || r instanceof Error) return r;
  const { stale: _s, servedFrom: _f, ...rest } = r as Record<string, unknown>;
  return rest;
};

/** The mirror equals the system: the same keys as its export, and per key the record its lookup API answers. */
async function expectMirrorEqualsSystem(source: SourceName): Promise<void> {
  const keys = await exportedKeys(source);
  expect(await mirroredKeys(source), `${source} keys`).toEqual(keys);
  const live = await gw.connectors.loaders()[source].loadMany(keys);
  const mirrored = await gw.mirror!.mirror.getMany(source, keys);
  keys.forEach((k, i) => expect(strip(mirrored.get(k) as Record<string, unknown>), `${source} ${k}`).toEqual(strip(live[i])));
}

async function syncAll(full = false) {
  const results = await Promise.all(SOURCES.map((s) => gw.mirror!.run(s, { full })));
  return Object.fromEntries(SOURCES.map((s, i) => [s, results[i]])) as Record<SourceName, (typeof results)[number]>;
}

// ---------------------------------------------------------------------------------------------------

const VIEW = `query V($live: Boolean!) { households(first: 60, live: $live) { edges { node {
  id registryNo
  housing { source asOf stale servedFrom benefits { type status monthlyRentFen monthlySubsidyFen grantFen startDate endDate } }
  members { id
    education { source asOf stale servedFrom stage schoolName schoolCode hardshipStudent term aid { item term amountFen } necessaryExpenseFen }
    employment { source asOf stale servedFrom status registeredUnemployedSince publicWelfarePost trainings { course completedOn } dibaoEmploymentSubsidy { monthlyFen from to } }
    medicalInsurance { source asOf stale servedFrom tier premiumSubsidyRatio premiumSubsidyFen inPolicyExpenseFen outOfPocketFen medicalAidPaidFen seriousDisease chronicDisease year }
    disability { source asOf stale servedFrom certificateNo category grade severe livingSubsidyFen nursingSubsidyFen rehabilitation certificateStatus }
  }
  eligibility { tier complete incomePerCapitaFen standardFen persons { personId tier } }
} } } }`;

/** Every servedFrom in an answer, and the answer with them removed. */
function servedFrom(data: unknown): { seen: Set<string>; rest: unknown } {
  const seen = new Set<string>();
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === "servedFrom") seen.add(String(x));
        else out[k] = walk(x);
      }
      return out;
    }
    return v;
  };
  return { seen, rest: walk(data) };
}

const LOOKUP_ROUTES = [
  "POST /api/v1/students/search",
  "GET /api/persons/:idNumber/employment",
  "GET /housing/v1/households/:registryNo/benefits",
  "POST /api/v2/insured/query",
  "GET /cdpf/api/certificates",
];
async function lookupCalls(): Promise<number> {
  const all = await Promise.all(SOURCES.map((s) => sandbox(s, "GET", "/__sandbox/stats")));
  return all.reduce((n, st) => n + LOOKUP_ROUTES.reduce((m, r) => m + (st.byRoute[r] ?? 0), 0), 0);
}

describe("sync", () => {
  test("before any sync nothing is fresh: reads are live", async () => {
    expect(SOURCES.filter((s) => gw.mirror!.mirror.isFresh(s))).toEqual([]);
    const { seen } = servedFrom((await gw.gql(VIEW, { live: false }, CIVIL)).data);
    expect([...seen]).toEqual(["LIVE"]);
  });

  test("a full load equals each system's records; a second full load changes nothing", async () => {
    const first = await syncAll();
    for (const s of SOURCES) {
      expect(first[s].full).toBe(true);
      await expectMirrorEqualsSystem(s);
    }
    // the bulk scan (city-wide monitoring): keyset pages cover the mirror once; a key range holds just its keys
    for (const s of ["employment", "housing"] as const) {
      const seen: string[] = [];
      for (let after: string | undefined; ; ) {
        const rows = await gw.mirror!.mirror.scan(s, { after, limit: 37 });
        seen.push(...rows.map((r) => r.key));
        if (rows.length < 37) break;
        after = rows[rows.length - 1].key;
      }
      expect([...seen].sort()).toEqual(await exportedKeys(s));
      const keys = await exportedKeys(s);
      const [from, to] = [keys[10], keys[20]];
      const ranged = await gw.mirror!.mirror.scan(s, { from, to, limit: 10_000 });
      const inRange = (await gw.db.sql.query<{ k: string }>(`SELECT ${MIRROR_TABLES[s].key} AS k FROM ${MIRROR_TABLES[s].table} WHERE ${MIRROR_TABLES[s].key} >= $1 AND ${MIRROR_TABLES[s].key} < $2`, [from, to])).map((r) => r.k);
      expect(ranged.map((r) => r.key).sort()).toEqual(inRange.sort());
      expect(ranged.length).toBeGreaterThan(0);
    }
    const again = await syncAll(true);
    for (const s of SOURCES) {
      expect(again[s].removed).toBe(0);
      expect(await mirroredKeys(s)).toEqual(await exportedKeys(s));
    }
  });

  test("incremental: simulated days of changes, a deleted and a new record — the mirror follows, deletes included", async () => {
    const gone = (await exportedKeys("employment"))[3];
    await sandbox("employment", "DELETE", `/__sandbox/fixtures/${gone}`);
    const fresh = { idNumber: "500103200001010011", status: "EMPLOYED", unemploymentRegisteredOn: null, publicWelfarePost: false, trainings: [], dibaoEmploymentSubsidy: null, lastUpdated: "2026-11-02" };
    await sandbox("employment", "POST", "/__sandbox/fixtures", { records: [fresh] });
    const days = await Promise.all(SOURCES.map((s) => sandbox(s, "POST", "/__sandbox/clock", { advanceDays: 3, changeRate: 0.1 })));
    expect(days.reduce((n, d) => n + d.changed, 0)).toBeGreaterThan(0);
    const r = await syncAll();
    for (const s of SOURCES) {
      expect(r[s].full).toBe(false);
      await expectMirrorEqualsSystem(s);
    }
    const deletedBySandbox = days.reduce((n, d) => n + d.deleted, 0) + 1;
    expect(SOURCES.reduce((n, s) => n + r[s].deleted, 0)).toBe(deletedBySandbox);
    expect(await mirroredKeys("employment")).not.toContain(gone);
    expect(await mirroredKeys("employment")).toContain(fresh.idNumber);
  });

  test("a malformed record is reported (source, key, reason), never stored, and does not stop the sync", async () => {
    const [bad, other] = (await exportedKeys("disability")).slice(5, 7);
    await sandbox("disability", "POST", "/__sandbox/malformed", { key: bad });
    await sandbox("disability", "POST", "/__sandbox/clock", { advanceDays: 1, changeRate: 0.2 });
    const before = gw.mirror!.mirror.state("disability")!.malformed;
    const r = await gw.mirror!.run("disability");
    expect(r.malformed).toBe(1);
    expect(await mirroredKeys("disability")).not.toContain(bad);
    const keys = await exportedKeys("disability");
    expect(await mirroredKeys("disability")).toEqual(keys.filter((k) => k !== bad)); // every other change applied
    expect(keys).toContain(other);
    const reports = await gw.mirror!.malformed("disability");
    expect(reports.map((m) => m.key)).toEqual([bad]);
    expect(reports[0].reason).toMatch(/category|grade|livingSubsidy|expected/i);
    expect(gw.mirror!.mirror.state("disability")!.malformed).toBe(before + 1);
    // a lookup through the mirror answers it as the live lookup does: an unusable record, not "unknown"
    expect((await gw.mirror!.mirror.getMany("disability", [bad])).get(bad)).toBe(MALFORMED);
    const status = ok(await gw.gql(`{ departmentSync { source malformed malformedRecords { key reason } } }`, {}, CIVIL)).departmentSync;
    expect(status.find((s: any) => s.source === "disability").malformedRecords.map((m: any) => m.key)).toEqual([bad]);
    // well-formed again: back in the mirror, the report gone
    await sandbox("disability", "DELETE", `/__sandbox/malformed/${bad}`);
    await gw.mirror!.run("disability");
    await expectMirrorEqualsSystem("disability");
    expect(await gw.mirror!.malformed("disability")).toEqual([]);
  });

  test("an expired cursor starts a full load by itself, which drops rows the system no longer has", async () => {
    const gone = (await exportedKeys("education"))[2];
    await sandbox("education", "DELETE", `/__sandbox/fixtures/${gone}`);
    await sandbox("education", "POST", "/__sandbox/feed/expire"); // the delete's tombstone is gone with the history
    const day = await sandbox("education", "POST", "/__sandbox/clock", { advanceDays: 1, changeRate: 0.1 });
    expect(await mirroredKeys("education")).toContain(gone);
    const r = await gw.mirror!.run("education");
    expect(r.cursorExpired).toBe(true);
    expect(r.full).toBe(true);
    expect(r.removed).toBe(1 + day.deleted); // the fixture delete and the day's deletes: gone from the new export
    await expectMirrorEqualsSystem("education");
  });
});

describe("reads", () => {
  test("mirror-served answers equal live answers (whole page, as civil affairs and as education); servedFrom says which; no lookup call when mirrored", async () => {
    await syncAll();
    for (const as of [CIVIL, EDUCATION]) {
      const callsBefore = await lookupCalls();
      const mirrored = await gw.gql(VIEW, { live: false }, as);
      expect(await lookupCalls()).toBe(callsBefore);
      const live = await gw.gql(VIEW, { live: true }, as);
      expect(await lookupCalls()).toBeGreaterThan(callsBefore);
      const m = servedFrom(mirrored.data);
      const l = servedFrom(live.data);
      expect([...m.seen]).toEqual(["MIRROR"]);
      expect([...l.seen]).toEqual(["LIVE"]);
      expect(m.rest).toEqual(l.rest);
      // education may not read some fields: the same refusals either way
      const codes = (r: typeof live) => (r.errors ?? []).map((e) => `${(e.path ?? []).join(".")} ${e.extensions?.code}`).sort();
      expect(codes(mirrored)).toEqual(codes(live));
      if (as === CIVIL) expect(live.errors).toBeUndefined();
    }
  });

  test("one round trip for the mirror reads that dispatch together: a household's members' four person-keyed sources in one statement", async () => {
    await syncAll();
    const [h] = await gw.db.sql.query<{ id: string; n: number }>(
      `SELECT household_id::text AS id, count(*)::int AS n FROM person GROUP BY household_id HAVING count(*) > 1 ORDER BY household_id LIMIT 1`,
    );
    const ONE = `query($id: ID!) { household(id: $id) { housing { servedFrom } members { idNumber education { servedFrom } employment { servedFrom } medicalInsurance { servedFrom } disability { servedFrom } } } }`;
    // every statement the gateway sends, at the drivers (node-postgres Client: the pool's queries go through it; PGlite)
    const sent: string[] = [];
    type QueryFn = (...args: unknown[]) => unknown;
    const protos = [pg.Client.prototype, PGlite.prototype] as unknown as { query: QueryFn }[];
    const originals = protos.map((p) => p.query);
    protos.forEach((p, i) => {
      p.query = function (this: unknown, ...args: unknown[]) {
        const q = args[0];
        sent.push(typeof q === "string" ? q : ((q as { text?: string } | null)?.text ?? ""));
        return originals[i].apply(this, args);
      };
    });
    let res: Awaited<ReturnType<TestGateway["gql"]>>;
    try {
      res = await gw.gql(ONE, { id: h.id }, CIVIL);
    } finally {
      protos.forEach((p, i) => (p.query = originals[i]));
    }
    expect(res.errors).toBeUndefined();
    expect(res.data.household.members).toHaveLength(h.n);
    expect([...servedFrom(res.data).seen]).toEqual(["MIRROR"]);
    const reading = (table: string) => sent.filter((q) => new RegExp(`\\bFROM ${table}\\b`).test(q));
    const person = ["mirror_education", "mirror_employment", "mirror_medical_insurance", "mirror_disability"].map(reading);
    for (const statements of person) expect(statements).toHaveLength(1);
    expect(person.every((statements) => statements[0] === person[0][0])).toBe(true);
    expect(reading("mirror_housing")).toHaveLength(1);
  });

  test("a source that goes down keeps its mirror; past its freshness reads go live, and live failing gives partial data with per-path errors", async () => {
    await sandbox("employment", "PUT", "/__sandbox/faults", { down: true });
    try {
      const sync = await gw.mirror!.run("employment").catch((e: Error) => e);
      expect(sync).toBeInstanceOf(Error);
      expect(gw.mirror!.mirror.state("employment")!.lastError).toBeTruthy();
      // still within its freshness: served from the mirror, complete
      const within = await gw.gql(VIEW, { live: false }, CIVIL);
      expect(within.errors).toBeUndefined();
      const employments = within.data.households.edges.flatMap((e: any) => e.node.members.map((m: any) => m.employment)).filter(Boolean);
      expect(employments.length).toBeGreaterThan(0);
      expect(new Set(employments.map((e: any) => e.servedFrom))).toEqual(new Set(["MIRROR"]));

      offsetMs = HOUR + 60_000; // employment's freshness (1 h) has passed; the others' (15 min default) too
      expect(gw.mirror!.mirror.isFresh("employment", new Date(Date.now() + offsetMs))).toBe(false);
      const ready = await fetch(`${gw.url}/readyz`).then((r) => r.json());
      expect(ready.mirror.employment.state).toBe("degraded");
      expect(ready.mirror.employment.lastError).toBeTruthy();
      const sync2 = ok(await gw.gql(`{ departmentSync { source fresh lastError records } }`, {}, CIVIL)).departmentSync;
      expect(sync2.find((s: any) => s.source === "employment")).toMatchObject({ fresh: false });

      const past = await gw.gql(VIEW, { live: false }, CIVIL);
      const members = past.data.households.edges.flatMap((e: any, i: number) => e.node.members.map((m: any, j: number) => ({ m, path: `households.edges.${i}.node.members.${j}.employment` })));
      for (const { m } of members) expect(m.employment).toBeNull();
      expect(past.errors!.every((e) => e.extensions?.code === "UPSTREAM_UNAVAILABLE" && e.extensions?.source === "employment")).toBe(true);
      expect(new Set(past.errors!.map((e) => e.path!.join(".")))).toEqual(new Set(members.map((x: any) => x.path)));
      // the other sources answered live, in full
      const others = past.data.households.edges.flatMap((e: any) => e.node.members.map((m: any) => m.education)).filter(Boolean);
      expect(others.length).toBeGreaterThan(0);
      expect(new Set(others.map((x: any) => x.servedFrom))).toEqual(new Set(["LIVE"]));

      // back up: live answers, then a sync makes the mirror fresh again
      await sandbox("employment", "PUT", "/__sandbox/faults", { down: false });
      await gw.mirror!.run("employment");
      expect(gw.mirror!.mirror.isFresh("employment", new Date(Date.now() + offsetMs))).toBe(true);
    } finally {
      offsetMs = 0;
      await sandbox("employment", "PUT", "/__sandbox/faults", { down: false });
    }
  });

  test("departmentSync: civil affairs and auditors read it, the records equal the systems' export counts; a department is refused", async () => {
    await syncAll();
    const q = `{ departmentSync { source fresh records lagSeconds lastSuccessAt lastError } }`;
    const status = ok(await gw.gql(q, {}, CIVIL)).departmentSync;
    expect(status.map((s: any) => s.source).sort()).toEqual([...SOURCES].sort());
    for (const s of status) {
      expect(s.fresh).toBe(true);
      expect(s.lastError).toBeNull();
      expect(s.records).toBe((await exportedKeys(s.source)).length);
    }
    // the same in the metrics
    const metrics = await fetch(`${gw.url}/metrics`).then((r) => r.text());
    for (const s of SOURCES) {
      const value = (name: string) => Number(new RegExp(`^${name}\\{source="${s}"\\} (\\S+)$`, "m").exec(metrics)?.[1]);
      expect(value("gateway_mirror_records"), s).toBe((await exportedKeys(s)).length);
      expect(value("gateway_mirror_fresh"), s).toBe(1);
      expect(value("gateway_mirror_lag_seconds"), s).toBeGreaterThanOrEqual(0);
    }
    expect(metrics).toMatch(/^gateway_mirror_sync_runs_total\{source="employment",outcome="error"\} [1-9]/m); // the outage above
    expect(ok(await gw.gql(q, {}, { audience: "auditor", city: "500000", purpose: "mirror sync check" })).departmentSync).toHaveLength(5);
    const refused = await gw.gql(q, {}, EDUCATION);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

function ok(r: { data?: any; errors?: unknown }) {
  expect(r.errors).toBeUndefined();
  return r.data;
}

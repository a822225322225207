/**
 * The sandboxes' bulk exchange (WIRE.md "Bulk exchange") over real HTTP: export pages in key order covering
 * every record once; a compacted, ordered, resumable change feed; expired and foreign cursors; the lookup
 * API's authentication, rate limit and faults on the bulk routes; the simulated clock's deterministic changes.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startSandboxes, type RunningSandboxes } from "../../dev/sandboxes/index.js";

let sb: RunningSandboxes;
let other: RunningSandboxes;
const POP = { seed: 218, asOf: "2026-11-01", persons: 200 } as const;

beforeAll(async () => {
  [sb, other] = await Promise.all([startSandboxes(POP), startSandboxes(POP)]);
});
afterAll(async () => {
  await sb?.close();
  await other?.close();
});

const emp = (s: RunningSandboxes, path: string, init?: RequestInit) => fetch(`${s.urls.employment}${path}`, init);
const post = (s: RunningSandboxes, path: string, body: unknown) =>
  emp(s, path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<any>);

async function exportAll(s: RunningSandboxes, limit: number): Promise<{ keys: string[]; cursor: string; pages: number }> {
  const keys: string[] = [];
  let after: string | null = null;
  let cursor = "";
  let pages = 0;
  for (;;) {
    const page: any = await emp(s, `/api/bulk/employment/export?limit=${limit}${after ? `&after=${after}` : ""}`).then((r) => r.json());
    if (pages === 0) cursor = page.cursor;
    pages++;
    keys.push(...page.records.map((r: { idNumber: string }) => r.idNumber));
    if (page.next === null) return { keys, cursor, pages };
    after = page.next;
  }
}

async function feed(s: RunningSandboxes, cursor: string, limit = 7): Promise<{ changes: any[]; cursor: string }> {
  const all: any[] = [];
  for (;;) {
    const page: any = await emp(s, `/api/bulk/employment/changes?cursor=${cursor}&limit=${limit}`).then((r) => r.json());
    all.push(...page.changes);
    cursor = page.cursor;
    if (!page.more) return { changes: all, cursor };
  }
}

test("the export covers every record once, in key order, whatever the page size", async () => {
  const held = [...sb.data.employment.persons.keys()].sort();
  const small = await exportAll(sb, 17);
  expect(small.keys).toEqual(held);
  expect(small.pages).toBe(Math.ceil(held.length / 17));
  expect((await exportAll(sb, 10_000)).keys).toEqual(held);
});

test("the change feed: later changes in order, each key once at its latest change, deletes; resumable; idempotent to re-read", async () => {
  const { cursor: start } = await exportAll(sb, 1000);
  const [a, b, c] = [...sb.data.employment.persons.keys()].sort().slice(0, 3);
  const base = sb.data.employment.persons.get(a)!;
  await post(sb, "/__sandbox/fixtures", { records: [{ ...base, status: "RETIRED" }] });
  await emp(sb, `/__sandbox/fixtures/${b}`, { method: "DELETE" });
  await post(sb, "/__sandbox/fixtures", { records: [{ ...base, idNumber: c, status: "FLEXIBLE" }] });
  await post(sb, "/__sandbox/fixtures", { records: [{ ...base, status: "EMPLOYED" }] }); // a again: reported once, last
  const { changes, cursor } = await feed(sb, start, 2);
  expect(changes.map((x) => `${x.op} ${x.key}`)).toEqual([`delete ${b}`, `upsert ${c}`, `upsert ${a}`]);
  expect(changes[2].record.status).toBe("EMPLOYED");
  expect((await feed(sb, cursor)).changes).toEqual([]);
  expect((await feed(sb, start, 1000)).changes).toEqual(changes); // re-reading gives the same answer
});

test("the simulated clock changes a deterministic share of records: two sandboxes of one seed change the same ones the same way", async () => {
  const touched = new Set([...sb.data.employment.persons.keys()].sort().slice(0, 3)); // the previous test's fixtures
  const [c1, c2] = await Promise.all([post(sb, "/__sandbox/clock", {}), post(other, "/__sandbox/clock", {})]);
  const [x, y] = await Promise.all([post(sb, "/__sandbox/clock", { advanceDays: 2, changeRate: 0.1 }), post(other, "/__sandbox/clock", { advanceDays: 2, changeRate: 0.1 })]);
  expect(y.day).toBe(2);
  const n = sb.data.employment.persons.size;
  expect(y.changed + y.deleted).toBeGreaterThan(0);
  expect(y.changed + y.deleted).toBeLessThan(n * 0.3); // about 10 % a day: far from everything
  const [fx, fy] = await Promise.all([feed(sb, c1.cursor, 1000), feed(other, c2.cursor, 1000)]);
  const view = (f: { changes: any[] }) => f.changes.filter((ch) => !touched.has(ch.key)).map((ch) => JSON.stringify([ch.op, ch.key, ch.record ?? null]));
  expect(view(fx)).toEqual(view(fy));
  expect(x.day).toBe(y.day);
  // compacted: a key changed on both days is reported once
  expect(fy.changes.length).toBeGreaterThan(0);
  expect(fy.changes.length).toBeLessThanOrEqual(y.changed + y.deleted);
  expect(fy.changes.filter((ch) => ch.op === "upsert" && ch.record.lastUpdated >= "2026-11-02").length).toBe(fy.changes.filter((ch) => ch.op === "upsert").length);
});

test("expired and foreign cursors: 410 CURSOR_EXPIRED; nonsense: 400 BAD_CURSOR; bad limit: 400", async () => {
  const { cursor } = await exportAll(sb, 10_000);
  const foreign = (await exportAll(other, 10_000)).cursor;
  const r1 = await emp(sb, `/api/bulk/employment/changes?cursor=${foreign}`);
  expect(r1.status).toBe(410);
  expect((await r1.json()).code).toBe("CURSOR_EXPIRED");
  await post(sb, "/__sandbox/clock", { advanceDays: 1, changeRate: 0.05 });
  await emp(sb, "/__sandbox/feed/expire", { method: "POST" });
  const r2 = await emp(sb, `/api/bulk/employment/changes?cursor=${cursor}`);
  expect(r2.status).toBe(410);
  const r3 = await emp(sb, `/api/bulk/employment/changes?cursor=not-a-cursor`);
  expect(r3.status).toBe(400);
  expect((await r3.json()).code).toBe("BAD_CURSOR");
  expect((await emp(sb, `/api/bulk/employment/export?limit=0`)).status).toBe(400);
  expect((await emp(sb, `/api/bulk/employment/export?limit=10001`)).status).toBe(400);
  // a cursor issued now still works
  const now = (await post(sb, "/__sandbox/clock", {})).cursor;
  expect((await emp(sb, `/api/bulk/employment/changes?cursor=${now}`)).status).toBe(200);
});

test("the lookup API's guards apply: medical insurance wants its token, employment's rate limit, faults", async () => {
  const m = await fetch(`${sb.urls.medicalInsurance}/api/v2/insured/bulk/export`);
  expect(m.status).toBe(401);
  const { clientId, clientSecret } = sb.medicalCredentials;
  const tok: any = await fetch(`${sb.urls.medicalInsurance}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }),
  }).then((r) => r.json());
  const ok = await fetch(`${sb.urls.medicalInsurance}/api/v2/insured/bulk/export?limit=5`, { headers: { authorization: `Bearer ${tok.access_token}` } });
  expect(ok.status).toBe(200);
  expect((await ok.json()).records).toHaveLength(5);

  await emp(sb, "/__sandbox/faults", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ rateLimitPerSecond: 0.001, burst: 1 }) });
  try {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await emp(sb, "/api/bulk/employment/export?limit=1")).status);
    expect(statuses).toContain(429);
  } finally {
    await emp(sb, "/__sandbox/faults", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ rateLimitPerSecond: 500, burst: 100 }) });
  }
  await fetch(`${sb.urls.disability}/__sandbox/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ down: true }) });
  try {
    expect((await fetch(`${sb.urls.disability}/cdpf/api/bulk/export`)).status).toBe(503);
  } finally {
    await fetch(`${sb.urls.disability}/__sandbox/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ down: false }) });
  }
});

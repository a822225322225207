/**
 * Issue 17 (3): operation metrics on GET /metrics, as exact deltas after known requests; authentication
 * failures by reason; rate-limit rejections; access-log append latency and failures; bounded operation
 * labels; the operation name on the request's log lines; /metrics refused in production without the token.
 * No tracer provider is registered in this file: tracing is off, and no traceparent reaches the departments.
 */
import { Writable } from "node:stream";
import Fastify from "fastify";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runSeed } from "../../dev/seed/run.js";
import { GATEWAY_METRIC_NAMES as M, OPERATION_LABEL, OperationNames } from "../../src/telemetry/metrics.js";
import { metricsRoute } from "../../src/app/plugins/metrics.js";
import { SOURCES } from "../../src/domain/records.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { Metrics, delta, parsePrometheus, scrape, stats } from "../integration/harness.js";

const POPULATION = { seed: 20190101, asOf: "2026-11-01", persons: 200 } as const;
const COUNT = (name: string) => `query ${name} { households(first: 1) { totalCount } }`;
const lines: Record<string, unknown>[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString("utf8").split("\n")) if (l.trim()) lines.push(JSON.parse(l));
    done();
  },
});

let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway({
    now: new Date(`${POPULATION.asOf}T12:00:00Z`),
    audit: true,
    seed: async (db) => {
      await runSeed({ sql: db.sql, ...POPULATION, progress: "none" });
    },
    sandboxes: { ...POPULATION, employment: { rateLimitPerSecond: 1_000_000, burst: 100_000 } },
    edge: { LOG_LEVEL: "info", RATE_LIMIT_PER_MINUTE: 10 },
    logStream,
  });
});
afterAll(async () => {
  await gw?.close();
});

const op = (operation: string, type = "query", audience = "civil_affairs") => ({ operation, type, audience });

describe("operations", () => {
  test("3 queries named X as civil_affairs and 2 as education: count 3 and 2, a duration observation each", async () => {
    const before = await scrape(gw);
    for (let i = 0; i < 3; i++) expect((await gw.gql(COUNT("CountX"), {}, { audience: "civil_affairs", city: "500000", subject: "ops-1" })).errors).toBeUndefined();
    for (let i = 0; i < 2; i++) expect((await gw.gql(COUNT("CountX"), {}, { audience: "education", city: "500000", subject: "ops-2" })).errors).toBeUndefined();
    const after = await scrape(gw);
    expect(delta(before, after, M.operations, op("CountX"))).toBe(3);
    expect(delta(before, after, M.operations, op("CountX", "query", "education"))).toBe(2);
    expect(delta(before, after, `${M.operationDuration}_count`, op("CountX"))).toBe(3);
    expect(delta(before, after, `${M.operationDuration}_count`, op("CountX", "query", "education"))).toBe(2);
    expect(delta(before, after, M.operations)).toBe(5); // nothing else was counted
    expect(delta(before, after, M.errors)).toBe(0);
  });

  test("unnamed, malformed-length and unparseable operations collapse to fixed labels; errors are counted by code", async () => {
    const as = { audience: "civil_affairs" as const, city: "500000", subject: "ops-3" };
    const before = await scrape(gw);
    await gw.gql(`{ households(first: 1) { totalCount } }`, {}, as);
    const long = `Q${"x".repeat(80)}`; // a GraphQL name, longer than a label may be
    await gw.gql(COUNT(long), {}, as);
    const parse = await gw.gql(`query Broken { households(first: 1) {`, {}, as);
    expect(parse.errors?.[0].extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    const invalid = await gw.gql(`query Unknown { noSuchField }`, {}, as);
    expect(invalid.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const after = await scrape(gw);
    expect(delta(before, after, M.operations, op(OPERATION_LABEL.anonymous))).toBe(1);
    expect(delta(before, after, M.operations, op(OPERATION_LABEL.invalid))).toBe(1);
    // neither resolved to an operation (a parse or validation failure): no client-chosen name is a label
    expect(delta(before, after, M.operations, op(OPERATION_LABEL.unresolved, OPERATION_LABEL.unresolved))).toBe(2);
    expect(after.has(M.operations, { operation: long })).toBe(false);
    expect(after.has(M.operations, { operation: "Broken" })).toBe(false);
    expect(delta(before, after, M.errors, { code: "GRAPHQL_PARSE_FAILED" })).toBe(1);
    expect(delta(before, after, M.errors, { code: "GRAPHQL_VALIDATION_FAILED" })).toBe(1);
    expect(delta(before, after, M.errors)).toBe(2);
  });

  test("at most OPERATION_NAME_LIMIT distinct names are labels; later new names are (other)", () => {
    const names = new OperationNames(3);
    expect(["A", "B", "C"].map((n) => names.label(n, true))).toEqual(["A", "B", "C"]);
    expect(names.label("D", true)).toBe(OPERATION_LABEL.other);
    expect(names.label("A", true)).toBe("A");
    expect(names.label(null, true)).toBe(OPERATION_LABEL.anonymous);
    expect(names.label("A", false)).toBe(OPERATION_LABEL.unresolved);
    expect(names.label("bad name", true)).toBe(OPERATION_LABEL.invalid);
  });

  test("the request's log lines carry the operation name, 'request completed' included", async () => {
    const res = await gw.gql(COUNT("LoggedOp"), {}, { audience: "civil_affairs", city: "500000", subject: "ops-4" }, { "x-request-id": "log-test-0001" });
    expect(res.errors).toBeUndefined();
    const mine = lines.filter((l) => l.reqId === "log-test-0001");
    const completed = mine.find((l) => l.msg === "request completed");
    expect(completed).toBeDefined();
    expect(completed!.operationName).toBe("LoggedOp");
  });

  test("a failing department system: the client's error codes are counted as it got them", async () => {
    // the education sandbox down: the query answers with data and one UPSTREAM_UNAVAILABLE per member's path
    const [h] = await gw.db.sql.query<{ household_id: string; n: string }>(
      `SELECT household_id, count(*)::text AS n FROM person GROUP BY household_id HAVING count(*) >= 2 ORDER BY household_id LIMIT 1`,
    );
    const setDown = (down: boolean) =>
      fetch(`${gw.sandboxes!.urls.education}/__sandbox/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ down }) });
    expect((await setDown(true)).status).toBe(200);
    const before = await scrape(gw);
    let res;
    try {
      res = await gw.gql(`query Edu($id: ID!) { household(id: $id) { members { name education { stage } } } }`, { id: h.household_id }, { audience: "civil_affairs", city: "500000", subject: "ops-5" });
    } finally {
      await setDown(false);
    }
    const after = await scrape(gw);
    expect(res.data.household.members).toHaveLength(Number(h.n));
    const codes = (res.errors ?? []).map((e) => e.extensions?.code);
    expect(codes).toEqual(Array(Number(h.n)).fill("UPSTREAM_UNAVAILABLE"));
    expect(delta(before, after, M.errors, { code: "UPSTREAM_UNAVAILABLE" })).toBe(Number(h.n));
    expect(delta(before, after, M.errors)).toBe(Number(h.n));
    expect(delta(before, after, M.operations, op("Edu"))).toBe(1);
  });

  test("tracing is off here: the departments received no traceparent", async () => {
    for (const s of SOURCES) expect((await stats(gw, s)).lastTraceparent, s).toBeNull();
  });
});

describe("authentication failures and rate limits", () => {
  test("one bad token, one missing token, one expired token: +1 for each reason, as the response says", async () => {
    const before = await scrape(gw);
    const malformed = await gw.gql(COUNT("A"), {}, "not-a-jwt");
    const missing = await gw.gql(COUNT("A"), {}, null);
    const expired = await gw.gql(COUNT("A"), {}, await gw.token({ audience: "civil_affairs", city: "500000", ttl: "-1h" }).catch(() => "x.y.z"));
    const after = await scrape(gw);
    const reasons = [malformed, missing, expired].map((r) => r.errors?.[0].extensions?.reason as string);
    expect(reasons.slice(0, 2)).toEqual(["MALFORMED_TOKEN", "MISSING_TOKEN"]);
    for (const reason of new Set(reasons)) expect(delta(before, after, M.authFailures, { reason }), reason).toBe(reasons.filter((r) => r === reason).length);
    expect(delta(before, after, M.authFailures)).toBe(3);
    expect(delta(before, after, M.operations)).toBe(0); // refused before GraphQL
  });

  test("a principal over RATE_LIMIT_PER_MINUTE: each 429 counted once under limit=principal", async () => {
    const as = { audience: "civil_affairs" as const, city: "500000", subject: "rate-limited-1" };
    const before = await scrape(gw);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await gw.gql(COUNT("Limited"), {}, as)).status);
    const after = await scrape(gw);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10); // RATE_LIMIT_PER_MINUTE: 10
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect(delta(before, after, M.rateLimited, { limit: "principal" })).toBe(2);
    expect(delta(before, after, M.rateLimited, { limit: "client_address" })).toBe(0);
    expect(delta(before, after, M.operations, op("Limited"))).toBe(10);
  });
});

describe("access-log appends", () => {
  test("each recorded query observes one append latency; a refused append counts a failure and AUDIT_UNAVAILABLE", async () => {
    const as = { audience: "civil_affairs" as const, city: "500000", subject: "audit-1" };
    const ONE = `query One($id: ID!) { household(id: $id) { id } }`;
    const id = (await gw.db.sql.query<{ id: string }>(`SELECT id FROM household ORDER BY id LIMIT 1`))[0].id;
    let before = await scrape(gw);
    for (let i = 0; i < 2; i++) expect((await gw.gql(ONE, { id }, as)).errors).toBeUndefined();
    let after = await scrape(gw);
    expect(delta(before, after, `${M.auditAppendDuration}_count`, { kind: "request" })).toBe(2);
    expect(delta(before, after, M.auditAppendFailures)).toBe(0);

    // a real database refusal (as test/audit/access-log.test.ts): the log accepts no row
    await gw.db.sql.exec(`ALTER TABLE audit_log ADD CONSTRAINT test_refuse_all CHECK (seq < 0) NOT VALID`);
    before = await scrape(gw);
    let res;
    try {
      res = await gw.gql(ONE, { id }, as, { "x-request-id": "audit-blocked-0001" });
    } finally {
      await gw.db.sql.exec(`ALTER TABLE audit_log DROP CONSTRAINT test_refuse_all`);
    }
    after = await scrape(gw);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["AUDIT_UNAVAILABLE"]);
    expect(delta(before, after, M.auditAppendFailures, { kind: "request" })).toBe(1);
    expect(delta(before, after, `${M.auditAppendDuration}_count`)).toBe(0);
    expect(delta(before, after, M.errors, { code: "AUDIT_UNAVAILABLE" })).toBe(1);
    // the plugin's error line names the operation too
    const logged = lines.find((l) => l.requestId === "audit-blocked-0001" && l.msg === "audit log unavailable: response withheld");
    expect(logged?.operationName).toBe("One");
  });
});

describe("GET /metrics outside development", () => {
  const TOKEN = "metrics-token-0123456789abcdef";
  let prod: TestGateway;
  beforeAll(async () => {
    prod = await startGateway({ edge: { NODE_ENV: "production", METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await prod?.close();
  });

  test("with METRICS_TOKEN: refused without it or with another (401), served with it", async () => {
    const none = await fetch(`${prod.url}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer /);
    const wrong = await fetch(`${prod.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(text).not.toContain("gateway_");
    // a GraphQL bearer token is not the metrics token
    const jwt = await prod.token({ audience: "civil_affairs", city: "500000" });
    expect((await fetch(`${prod.url}/metrics`, { headers: { authorization: `Bearer ${jwt}` } })).status).toBe(401);
    const ok = await fetch(`${prod.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    const samples = new Metrics(parsePrometheus(await ok.text()));
    expect(samples.has(M.authFailures, { reason: "MISSING_TOKEN" })).toBe(true);
  });

  test("in production without METRICS_TOKEN: not served (403); in development without it: public", async () => {
    const registry = new Registry();
    const app = Fastify();
    await app.register(metricsRoute, { registry, production: true });
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const res = await fetch(`${url}/metrics`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).errors[0].extensions.code).toBe("FORBIDDEN");
    } finally {
      await app.close();
    }
    expect((await fetch(`${gw.url}/metrics`)).status).toBe(200); // the development gateway above
  });
});

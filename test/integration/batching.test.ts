/**
 * Issue #15 point 4: live reads batch across households, and the registry loaders make one database round trip
 * per page.
 *
 * A 100-household page over real HTTP (real gateway, real JWT, the five real department sandboxes over the same
 * population). For the unified view and for each computed field (eligibility, aid chain, alerts) the batch-capable
 * department systems (education, medical insurance, disability) must each be called exactly ⌈persons / batch size⌉
 * times — counted by the sandboxes themselves (GET /__sandbox/stats), persons counted from the registry's raw rows
 * (SQL, not the gateway), batch sizes from the connector configuration.
 *
 * Database round trips are counted at the driver: every statement the gateway sends goes through the driver's
 * `query` (node-postgres `Pool.prototype.query`, PGlite's `query`), which this file wraps — nothing in the gateway
 * is changed for it. Each registry table read by the page must be read by exactly one statement.
 */
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TestGateway } from "../helpers/gateway.js";
import { ROUTES, allStats, resetStats, startUnifiedGateway } from "./harness.js";

// ---------------------------------------------------------------------------------------------------
// the statement recorder (driver level)

const statements: string[] = [];
let recording = false;
const textOf = (q: unknown): string => (typeof q === "string" ? q : ((q as { text?: string } | null)?.text ?? ""));

type QueryFn = (...args: unknown[]) => unknown;
const pgProto = pg.Pool.prototype as unknown as { query: QueryFn };
const pgliteProto = PGlite.prototype as unknown as { query: QueryFn };
const originals = { pg: pgProto.query, pglite: pgliteProto.query };

function wrap(original: QueryFn): QueryFn {
  return function (this: unknown, ...args: unknown[]) {
    if (recording) statements.push(textOf(args[0]));
    return original.apply(this, args);
  };
}

/** The tables a statement reads from (FROM / JOIN targets), lower case, without the schema. */
function tablesOf(sql: string): string[] {
  // Prisma quotes its identifiers ("schema"."table"); the gateway's own SQL (the hot loaders) does not
  return [...sql.matchAll(/\b(?:FROM|JOIN)\s+(?:"[^"]+"\.)?(?:"([a-z_]+)"|([a-z_]+)\b(?!\s*\())/gi)].map((m) => (m[1] ?? m[2]).toLowerCase());
}

/** How many statements read each table while `run` ran. */
async function statementsPerTable(run: () => Promise<unknown>): Promise<Map<string, number>> {
  statements.length = 0;
  recording = true;
  try {
    await run();
  } finally {
    recording = false;
  }
  const per = new Map<string, number>();
  // the mirror scheduler reloads its sync state on its own timer, whatever requests run: not a read of the page
  for (const s of statements) for (const t of new Set(tablesOf(s))) if (t !== "mirror_sync_state") per.set(t, (per.get(t) ?? 0) + 1);
  return per;
}

// ---------------------------------------------------------------------------------------------------

const MEMBERS = `members { idNumber education { stage } employment { status } medicalInsurance { tier } disability { grade } }`;
const FIELDS = {
  "unified view": `housing { stale } ${MEMBERS} incomes { monthlyFen } assets { kind } cases { tier } aidRecords { amountFen }`,
  eligibility: `eligibility { tier complete reasons { rule outcome } }`,
  aidChain: `aidChain { complete links { id } gaps { key } duplicates { key } }`,
  alerts: `alerts { key kind status }`,
} as const;
const page = (fields: string) => `query Page { households(first: 100) { edges { node { id registryNo ${fields} } } } }`;

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

let gw: TestGateway;
/** the first 100 households by id (the page's order) and their persons, from the registry's raw rows */
let persons = 0;
let householdIds: string[] = [];

beforeAll(async () => {
  // the page asks for everything at once: above the default document cost limit, which is not under test here
  gw = await startUnifiedGateway(undefined, { GRAPHQL_MAX_COST: 1_000_000 });
  householdIds = (await gw.db.sql.query<{ id: string }>(`SELECT id::text AS id FROM household ORDER BY id LIMIT 100`)).map((r) => r.id);
  const [{ n }] = await gw.db.sql.query<{ n: number }>(`SELECT count(DISTINCT id_number)::int AS n FROM person WHERE household_id::text = ANY($1)`, [householdIds]);
  persons = n;
  pgProto.query = wrap(originals.pg);
  pgliteProto.query = wrap(originals.pglite);
});
afterAll(async () => {
  pgProto.query = originals.pg;
  pgliteProto.query = originals.pglite;
  await gw?.close();
});

describe("a 100-household page", () => {
  test("the oracle: 100 households whose persons span more than one batch of every batch-capable source", () => {
    expect(householdIds).toHaveLength(100);
    const cfg = gw.connectors.config;
    for (const s of ["education", "medicalInsurance", "disability"] as const) expect(cfg[s].batchSize).toBeGreaterThan(1);
    expect(persons).toBeGreaterThan(cfg.disability.batchSize); // disability (50) needs several batches
    expect(persons).toBeGreaterThan(cfg.medicalInsurance.batchSize);
  });

  for (const [name, fields] of Object.entries({ ...FIELDS, "everything at once": Object.values(FIELDS).join(" ") })) {
    test(`${name}: ⌈persons / batch size⌉ calls to each batch-capable source; each registry table read by one statement`, async () => {
      await resetStats(gw);
      let res: Awaited<ReturnType<TestGateway["gql"]>> | undefined;
      const perTable = await statementsPerTable(async () => {
        res = await gw.gql(page(fields));
      });
      expect(res!.errors).toBeUndefined();
      expect(res!.status).toBe(200);
      expect(res!.errors).toBeUndefined();
      const nodes = res!.data.households.edges.map((e: { node: { id: string } }) => e.node.id);
      expect(nodes).toEqual(householdIds);

      const st = await allStats(gw);
      const cfg = gw.connectors.config;
      expect(st.education.byRoute[ROUTES.education]).toBe(ceilDiv(persons, cfg.education.batchSize));
      expect(st.medicalInsurance.byRoute[ROUTES.medicalInsurance]).toBe(ceilDiv(persons, cfg.medicalInsurance.batchSize));
      expect(st.disability.byRoute[ROUTES.disability]).toBe(ceilDiv(persons, cfg.disability.batchSize));
      // the one-record-per-call systems: once per distinct person / household, never more
      expect(st.employment.byRoute[ROUTES.employment]).toBe(persons);

      // registry: every table read by at most one statement, the household table by the page and its count
      for (const [table, count] of perTable) expect({ table, count }).toEqual({ table, count: table === "household" ? 2 : 1 });
      expect(perTable.get("person")).toBe(1);
    });
  }
});

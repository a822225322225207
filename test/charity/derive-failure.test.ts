/**
 * refreshDerivedNeeds never hides a failure: a database error while taking a household's aid-chain gaps
 * fails the refresh (INTERNAL_SERVER_ERROR with the request id, nothing written) instead of deriving the
 * needs without the gaps; only the documented gap — no policy parameter in force for the region — still
 * derives the situational needs, without gap needs.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { runSeed } from "../../dev/seed/run.js";

const SEED = 11;
const AS_OF = "2026-11-01";
const PERSONS = 120;
let gw: TestGateway;
let street: string;

beforeAll(async () => {
  gw = await startGateway({
    now: new Date("2026-11-22T08:00:00Z"),
    seed: async (db) => void (await runSeed({ sql: db.sql, seed: SEED, asOf: AS_OF, persons: PERSONS, progress: "none" })),
    sandboxes: { seed: SEED, asOf: AS_OF, persons: PERSONS },
  });
  street = (await gw.db.prisma.household.findFirstOrThrow({ where: { status: { not: "CLOSED" } }, orderBy: { id: "asc" } })).streetCode;
});
afterAll(async () => gw?.close());

const REFRESH = `mutation($s: String!) { refreshDerivedNeeds(street: $s) { id rule status } }`;
const refresh = (requestId: string) => gw.gql(REFRESH, { s: street }, { audience: "street_office", street }, { "x-request-id": requestId });
/** the street's derived needs as stored (the seed stores some), for before/after comparisons */
const derivedNeeds = () => gw.db.prisma.need.findMany({ where: { streetCode: street, origin: "DERIVED" }, orderBy: { id: "asc" } });

test("a database error while taking the gaps fails the refresh visibly and writes nothing", async () => {
  const before = await derivedNeeds();
  // a real database failure on the query the eligibility (and so the gaps) needs: the parameters' table is gone
  await gw.db.sql.exec(`ALTER TABLE policy_parameter RENAME TO policy_parameter_away`);
  let res;
  try {
    res = await refresh("derive-fail-0001");
  } finally {
    await gw.db.sql.exec(`ALTER TABLE policy_parameter_away RENAME TO policy_parameter`);
  }
  expect(res.data).toBeNull();
  expect(res.errors).toEqual([
    { message: "Internal server error", locations: expect.any(Array), path: ["refreshDerivedNeeds"], extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "derive-fail-0001" } },
  ]);
  expect(await derivedNeeds()).toEqual(before);
});

test("no policy parameter in force: the situational needs are derived, no gap needs, nothing closed, and the refresh answers", async () => {
  await gw.db.sql.exec(`DELETE FROM policy_parameter`);
  const res = await refresh("derive-noparam-0001");
  expect(res.errors).toBeUndefined();
  const changed = res.data.refreshDerivedNeeds as { id: string; rule: string; status: string }[];
  const rules = changed.flatMap((n) => n.rule.split("+"));
  expect(rules.length).toBeGreaterThan(0);
  expect(rules.filter((r) => r.startsWith("GAP_"))).toEqual([]);
  // unknown is not "gone": without a chain no household is certain, so no need is closed
  expect(changed.filter((n) => n.status === "CLOSED")).toEqual([]);
  const stored = new Map((await derivedNeeds()).map((n) => [n.id, n.status]));
  for (const n of changed) expect(stored.get(n.id)).toBe(n.status);
});

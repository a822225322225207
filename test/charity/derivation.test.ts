/**
 * refreshDerivedNeeds over a generated population with the real department sandboxes: needs come from
 * registry and department facts and the aid chain's gaps; a second run changes nothing; a situation that
 * ends closes its open need; a claimed need is left to its claim.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { runSeed } from "../../dev/seed/run.js";
import type { MintOptions } from "../../dev/keys/dev-keys.js";

const SEED = 7;
const AS_OF = "2026-11-01";
const PERSONS = 300;
let gw: TestGateway;
let street: string;

beforeAll(async () => {
  gw = await startGateway({
    now: new Date("2026-11-22T08:00:00Z"),
    seed: async (db) => void (await runSeed({ sql: db.sql, seed: SEED, asOf: AS_OF, persons: PERSONS, progress: "none" })),
    sandboxes: { seed: SEED, asOf: AS_OF, persons: PERSONS },
  });
  street = (await gw.db.prisma.household.findFirstOrThrow({ orderBy: { id: "asc" } })).streetCode;
});
afterAll(async () => gw?.close());

const office = (): MintOptions => ({ audience: "street_office", street });
const REFRESH = `mutation($s: String!) { refreshDerivedNeeds(street: $s) { id category status origin rule } }`;

test("a street's derivation uses department facts and gaps, is idempotent, closes what ended and leaves claimed needs alone", async () => {
  const p = gw.db.prisma;
  const first = await gw.gql(REFRESH, { s: street }, office());
  expect(first.errors).toBeUndefined();
  const rules = new Set((await p.need.findMany({ where: { streetCode: street, origin: "DERIVED" } })).flatMap((n) => n.rule.split("+")));
  // beyond what the registry alone gives (care visits, winter clothing): department records and aid-chain gaps
  expect([...rules].some((r) => r.startsWith("GAP_") || ["MEDICAL_SERIOUS_OUT_OF_POCKET", "DEVICE_SEVERE_NO_DEVICE", "JOB_UNEMPLOYED_NO_TRAINING", "SCHOOL_SENIOR_NO_GRANT"].includes(r)), [...rules].join(",")).toBe(true);
  const again = await gw.gql(REFRESH, { s: street }, office());
  expect(again.data.refreshDerivedNeeds).toEqual([]);

  // one elderly person regains self-care: their care-visit need closes; another, claimed, is left alone
  const care = await p.need.findMany({ where: { streetCode: street, status: "OPEN", rule: "CARE_ELDERLY", personId: { not: null } }, orderBy: { id: "asc" } });
  expect(care.length).toBeGreaterThanOrEqual(2);
  const [ended, claimed] = care;
  await p.person.update({ where: { id: ended.personId! }, data: { selfCare: "FULL" } });
  await p.person.update({ where: { id: claimed.personId! }, data: { selfCare: "FULL" } });
  await p.need.update({ where: { id: claimed.id }, data: { status: "CLAIMED" } });
  const third = await gw.gql(REFRESH, { s: street }, office());
  expect(third.errors).toBeUndefined();
  expect(third.data.refreshDerivedNeeds).toContainEqual({ id: ended.id, category: "CARE_VISITS", status: "CLOSED", origin: "DERIVED", rule: "CARE_ELDERLY" });
  expect((await p.need.findUniqueOrThrow({ where: { id: ended.id } })).status).toBe("CLOSED");
  expect((await p.need.findUniqueOrThrow({ where: { id: claimed.id } })).status).toBe("CLAIMED");
});

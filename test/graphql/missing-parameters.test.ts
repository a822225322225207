/**
 * A registry without the policy parameters a computed field needs (DOMAIN.md: "Where a rule says 'local
 * standard', the value is a policy parameter, not a constant in code"): the computed fields answer with a
 * stable error naming the missing parameter at their path — never a defaulted value, never a bare 500 —
 * while the registry fields of the same response still resolve.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { NOW, civil, seedRegistry, type Registry } from "../charity/fixture.js";

let gw: TestGateway;
let reg: Registry;

beforeAll(async () => {
  gw = await startGateway({ now: NOW, seed: async (db) => void (reg = await seedRegistry(db, { parameters: false })) });
});
afterAll(async () => gw?.close());

test("aidChain, alerts and eligibility without parameters: POLICY_PARAMETER_MISSING at each path, the rest resolves", async () => {
  const res = await gw.gql(
    `query ($id: ID!) { household(id: $id) { registryNo aidChain { complete } alerts { key } eligibility { tier } } }`,
    { id: reg.elderly.id },
    civil,
  );
  expect(res.status).toBe(200);
  expect(res.data.household.registryNo).toBeTruthy();
  expect(res.data.household).toMatchObject({ aidChain: null, alerts: null, eligibility: null });
  const byPath = new Map((res.errors ?? []).map((e) => [(e.path ?? []).join("."), e]));
  expect([...byPath.keys()].sort()).toEqual(["household.aidChain", "household.alerts", "household.eligibility"]);
  for (const e of byPath.values()) {
    expect(e.extensions?.code).toBe("POLICY_PARAMETER_MISSING");
    expect(e.extensions?.parameter).toMatch(/^[A-Z_]+$/);
    expect(e.message).toContain(String(e.extensions?.parameter));
  }
});

test("the same household once the parameters exist: every computed field resolves", async () => {
  const { writeReferenceData } = await import("../../dev/seed/writer.js");
  const { policyParameters } = await import("../../dev/seed/generator.js");
  await writeReferenceData(gw.db.sql, [], policyParameters());
  const res = await gw.gql(`query ($id: ID!) { household(id: $id) { aidChain { complete } alerts { key } eligibility { tier } } }`, { id: reg.elderly.id }, civil);
  expect((res.errors ?? []).filter((e) => e.extensions?.code === "POLICY_PARAMETER_MISSING")).toEqual([]);
  expect(res.data.household.eligibility.tier).toEqual(expect.any(String));
});

/**
 * Bad input to every charity mutation: BAD_USER_INPUT with the field and a stable reason, and nothing
 * changed. Then suspension: a suspended charity reads nothing new and claims nothing, but may still list
 * and cancel its own claims (its contacts then withheld).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { BICHENG, NOW, QIXINGGANG, charity, civil, createResource, householdRef, needRef, recordNeed, registerCharity, seedRegistry, streetOffice, type Registry } from "./fixture.js";
import type { MintOptions } from "../../dev/keys/dev-keys.js";

let gw: TestGateway;
let reg: Registry;
const A = "yz-charity-federation";
const S = "to-be-suspended";
let resource: string;
let need: string;
let closedResource: string;

beforeAll(async () => {
  gw = await startGateway({ now: NOW, seed: async (db) => void (reg = await seedRegistry(db)) });
  await registerCharity(gw, A, "渝中区慈善会（合成数据）", "53500103MJP123456X");
  await registerCharity(gw, S, "某停业慈善机构（合成数据）", "53500103MJW999999K");
  resource = await createResource(gw, A, { category: "SCHOOL_COSTS", title: "助学金", unit: "FEN", quantity: 100_000 });
  closedResource = await createResource(gw, A, { category: "SCHOOL_COSTS", title: "已结束", quantity: 5 });
  await gw.gql(`mutation($id: ID!) { closeResource(id: $id) { status } }`, { id: closedResource }, charity(A));
  need = await recordNeed(gw, { householdId: reg.student.id, personId: reg.student.members[1].id, category: "SCHOOL_COSTS", urgency: "HIGH" });
});
afterAll(async () => gw?.close());

async function state() {
  const p = gw.db.prisma;
  return JSON.stringify(await Promise.all([p.charity.findMany({ orderBy: { id: "asc" } }), p.charityResource.findMany({ orderBy: { id: "asc" } }), p.need.findMany({ orderBy: { id: "asc" } }), p.claim.findMany({ orderBy: { id: "asc" } }), p.contactConsent.findMany({ orderBy: { id: "asc" } })]));
}

const RESOURCE = { category: "FOOD", title: "米面油", unit: "ITEMS", quantity: 10, validFrom: "2026-01-01" };
const CLAIM = `mutation($n: ID!, $r: ID!, $u: Int!, $k: String!) { claimNeed(needRef: $n, resourceId: $r, units: $u, idempotencyKey: $k) { id } }`;

type Case = [string, string, () => Record<string, unknown>, MintOptions, string, string];
const cases: Case[] = [
  ["registerCharity: a malformed id", `mutation($input: RegisterCharityInput!) { registerCharity(input: $input) { id } }`, () => ({ input: { id: "bad id!", name: "x", registrationNo: "53500103MJP123457X", districts: ["500103"] } }), civil, "INVALID_FORMAT", "input.id"],
  ["registerCharity: not a credit code", `mutation($input: RegisterCharityInput!) { registerCharity(input: $input) { id } }`, () => ({ input: { id: "new-one", name: "x", registrationNo: "12345", districts: ["500103"] } }), civil, "INVALID_FORMAT", "input.registrationNo"],
  ["registerCharity: no district", `mutation($input: RegisterCharityInput!) { registerCharity(input: $input) { id } }`, () => ({ input: { id: "new-one", name: "x", registrationNo: "53500103MJP123457X", districts: [] } }), civil, "REQUIRED", "input.districts"],
  ["registerCharity: an empty name", `mutation($input: RegisterCharityInput!) { registerCharity(input: $input) { id } }`, () => ({ input: { id: "new-one", name: " ", registrationNo: "53500103MJP123457X", districts: ["500103"] } }), civil, "REQUIRED", "input.name"],
  ["suspendCharity: no reason", `mutation { suspendCharity(id: "${A}", reason: "") { id } }`, () => ({}), civil, "REQUIRED", "reason"],
  ["createResource: a negative quantity", `mutation($input: ResourceInput!) { createResource(input: $input) { id } }`, () => ({ input: { ...RESOURCE, quantity: -1 } }), charity(A), "NEGATIVE_AMOUNT", "input.quantity"],
  ["createResource: quantity 0", `mutation($input: ResourceInput!) { createResource(input: $input) { id } }`, () => ({ input: { ...RESOURCE, quantity: 0 } }), charity(A), "NOT_POSITIVE", "input.quantity"],
  ["createResource: a district the charity does not serve", `mutation($input: ResourceInput!) { createResource(input: $input) { id } }`, () => ({ input: { ...RESOURCE, districts: ["500120"] } }), charity(A), "NOT_SERVED", "input.districts.0"],
  ["createResource: a street outside its districts", `mutation($input: ResourceInput!) { createResource(input: $input) { id } }`, () => ({ input: { ...RESOURCE, streets: [BICHENG] } }), charity(A), "NOT_SERVED", "input.streets.0"],
  ["createResource: an unknown street", `mutation($input: ResourceInput!) { createResource(input: $input) { id } }`, () => ({ input: { ...RESOURCE, streets: ["500103099"] } }), charity(A), "UNKNOWN_STREET", "input.streets.0"],
  ["createResource: ages the wrong way round", `mutation($input: ResourceInput!) { createResource(input: $input) { id } }`, () => ({ input: { ...RESOURCE, minAge: 18, maxAge: 6 } }), charity(A), "RANGE", "input.maxAge"],
  ["createResource: ends before it starts", `mutation($input: ResourceInput!) { createResource(input: $input) { id } }`, () => ({ input: { ...RESOURCE, validTo: "2025-12-31" } }), charity(A), "DATE_RANGE", "input.validTo"],
  ["updateResource: quantity 0", `mutation($id: ID!) { updateResource(id: $id, input: { quantity: 0 }) { id } }`, () => ({ id: resource }), charity(A), "NOT_POSITIVE", "input.quantity"],
  ["updateResource: not an id", `mutation { updateResource(id: "r-1", input: { title: "x" }) { id } }`, () => ({}), charity(A), "INVALID_ID", "id"],
  ["claimNeed: zero units", CLAIM, () => ({ n: needRef(gw, A, need), r: resource, u: 0, k: "z" }), charity(A), "NOT_POSITIVE", "units"],
  ["claimNeed: negative units", CLAIM, () => ({ n: needRef(gw, A, need), r: resource, u: -5, k: "z" }), charity(A), "NEGATIVE_AMOUNT", "units"],
  ["claimNeed: more than remains", CLAIM, () => ({ n: needRef(gw, A, need), r: resource, u: 100_001, k: "z" }), charity(A), "INSUFFICIENT_CAPACITY", "units"],
  ["claimNeed: an empty key", CLAIM, () => ({ n: needRef(gw, A, need), r: resource, u: 1, k: "" }), charity(A), "REQUIRED", "idempotencyKey"],
  ["claimNeed: a key with spaces", CLAIM, () => ({ n: needRef(gw, A, need), r: resource, u: 1, k: "a b" }), charity(A), "INVALID_FORMAT", "idempotencyKey"],
  ["claimNeed: a raw need id", CLAIM, () => ({ n: need, r: resource, u: 1, k: "z" }), charity(A), "INVALID_ID", "needRef"],
  ["claimNeed: a closed resource", CLAIM, () => ({ n: needRef(gw, A, need), r: closedResource, u: 1, k: "z" }), charity(A), "RESOURCE_UNAVAILABLE", "resourceId"],
  ["recordNeed: a person of another household", `mutation($input: RecordNeedInput!) { recordNeed(input: $input) { id } }`, () => ({ input: { householdId: reg.student.id, personId: reg.elderly.members[0].id, category: "FOOD", urgency: "LOW" } }), streetOffice(), "INVALID_ID", "input.personId"],
  ["recordNeed: since in the future", `mutation($input: RecordNeedInput!) { recordNeed(input: $input) { id } }`, () => ({ input: { householdId: reg.student.id, category: "FOOD", urgency: "LOW", since: "2026-12-01" } }), streetOffice(), "DATE_IN_FUTURE", "input.since"],
  ["recordNeed: not a household id", `mutation($input: RecordNeedInput!) { recordNeed(input: $input) { id } }`, () => ({ input: { householdId: "h1", category: "FOOD", urgency: "LOW" } }), streetOffice(), "INVALID_ID", "input.householdId"],
  ["closeNeed: not an id", `mutation { closeNeed(id: "n1") { id } }`, () => ({}), streetOffice(), "INVALID_ID", "id"],
  ["refreshDerivedNeeds: another street than the office's", `mutation { refreshDerivedNeeds(street: "500103002") { id } }`, () => ({}), streetOffice(QIXINGGANG), "UNKNOWN_STREET", "street"],
  ["needs: a page of 101", `{ needs(first: 101) { totalCount } }`, () => ({}), charity(A), "PAGE_SIZE", "first"],
  ["needs: a foreign cursor", `{ needs(after: "aDpmb28") { totalCount } }`, () => ({}), charity(A), "INVALID_CURSOR", "after"],
];

describe("bad input", () => {
  test.each(cases)("%s → BAD_USER_INPUT, nothing changed", async (_name, query, vars, as, reason, field) => {
    const before = await state();
    const res = await gw.gql(query, vars(), as);
    expect(res.errors, JSON.stringify(res.body)).toHaveLength(1);
    expect(res.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason, field });
    expect(await state()).toBe(before);
  });

  test("a need with an active claim cannot be closed (NEED_CLAIMED); an unclaimed one can, once", async () => {
    const n = await recordNeed(gw, { householdId: reg.student.id, category: "SCHOOL_COSTS", urgency: "MEDIUM" });
    const claimed = await gw.gql(CLAIM, { n: needRef(gw, A, n), r: resource, u: 1000, k: "close-1" }, charity(A));
    expect(claimed.errors).toBeUndefined();
    const before = await state();
    const res = await gw.gql(`mutation($id: ID!) { closeNeed(id: $id) { status } }`, { id: n }, streetOffice());
    expect(res.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "NEED_CLAIMED", field: "id" });
    expect(await state()).toBe(before);
    const other = await recordNeed(gw, { householdId: reg.student.id, category: "FOOD", urgency: "LOW" });
    const closed = await gw.gql(`mutation($id: ID!) { closeNeed(id: $id) { status } }`, { id: other }, streetOffice());
    expect(closed.data.closeNeed.status).toBe("CLOSED");
    const claimClosed = await gw.gql(CLAIM, { n: needRef(gw, A, other), r: resource, u: 1, k: "close-2" }, charity(A));
    expect(claimClosed.errors![0].extensions).toMatchObject({ reason: "NEED_NOT_OPEN" });
  });

  test("a resource that does not fit the need is NO_MATCH", async () => {
    const food = await createResource(gw, A, { category: "RENT_HELP", title: "房租", quantity: 3 });
    const res = await gw.gql(CLAIM, { n: needRef(gw, A, need), r: food, u: 1, k: "nomatch" }, charity(A));
    expect(res.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "NO_MATCH", field: "resourceId" });
  });
});

describe("suspension", () => {
  test("a suspended charity reads nothing new and claims nothing; it may list and cancel its own claims, whose contacts it no longer sees", async () => {
    const res0 = await createResource(gw, S, { category: "CARE_VISITS", title: "探访", quantity: 4 });
    const n = await recordNeed(gw, { householdId: reg.elderly.id, personId: reg.elderly.members[0].id, category: "CARE_VISITS", urgency: "HIGH" });
    const claimed = await gw.gql(CLAIM, { n: needRef(gw, S, n), r: res0, u: 1, k: "before" }, charity(S));
    expect(claimed.errors).toBeUndefined();
    await gw.gql(`mutation($h: ID!, $c: ID!) { recordContactConsent(householdId: $h, charityId: $c) { id } }`, { h: reg.elderly.id, c: S }, streetOffice());
    const contactQ = `{ myClaims { id status need { contact } } }`;
    expect((await gw.gql(contactQ, {}, charity(S))).data.myClaims[0].need.contact).toBe(reg.elderly.phone);

    // a charity may not suspend itself; civil affairs does
    const self = await gw.gql(`mutation { suspendCharity(id: "${S}", reason: "x") { status } }`, {}, charity(S));
    expect(self.status).toBe(403);
    const susp = await gw.gql(`mutation { suspendCharity(id: "${S}", reason: "年检不合格") { id status } }`, {}, civil);
    expect(susp.data.suspendCharity).toEqual({ id: S, status: "SUSPENDED" });
    expect(await gw.db.prisma.charity.findUniqueOrThrow({ where: { id: S } })).toMatchObject({ suspendedAt: NOW, suspendedReason: "年检不合格" });

    for (const q of [
      `{ needs { totalCount } }`,
      `{ resources { id } }`,
      `query($id: ID!) { household(id: $id) { streetCode } }`,
      `{ households(first: 1) { totalCount } }`,
      `{ myClaims { id } needs { totalCount } }`,
    ]) {
      const res = await gw.gql(q, { id: householdRef(gw, S, reg.elderly.id) }, charity(S));
      expect(res.status, q).toBe(403);
      expect(res.data ?? null).toBeNull();
      expect(res.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "CHARITY_SUSPENDED" });
    }
    const before = await state();
    const n2 = await recordNeed(gw, { householdId: reg.tekun.id, category: "CARE_VISITS", urgency: "HIGH" }, { audience: "street_office", street: reg.tekun.streetCode });
    const after = await state();
    const claim = await gw.gql(CLAIM, { n: needRef(gw, S, n2), r: res0, u: 1, k: "after" }, charity(S));
    expect(claim.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "CHARITY_SUSPENDED" });
    expect(await state()).toBe(after);
    void before;

    // its own claims: listed, contact withheld; cancelling returns the capacity
    const mine = await gw.gql(contactQ, {}, charity(S));
    expect(mine.errors).toBeUndefined();
    expect(mine.data.myClaims).toEqual([{ id: claimed.data.claimNeed.id, status: "CLAIMED", need: { contact: null } }]);
    const cancel = await gw.gql(`mutation($c: ID!) { cancelClaim(claimId: $c) { status resource { remaining } } }`, { c: claimed.data.claimNeed.id }, charity(S));
    expect(cancel.errors).toBeUndefined();
    expect(cancel.data.cancelClaim).toEqual({ status: "CANCELLED", resource: { remaining: 4 } });
    // its resources no longer match anything for anyone
    const official = await gw.gql(`query($id: ID!) { household(id: $id) { needs { matches { resource { id } } } } }`, { id: reg.tekun.id }, civil);
    expect(JSON.stringify(official.data)).not.toContain(res0);
  });

  test("a charity the registry does not know can use none of the matching operations", async () => {
    const res = await gw.gql(`{ needs { totalCount } }`, {}, charity("unknown-charity"));
    expect(res.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "CHARITY_NOT_REGISTERED" });
  });
});

/**
 * What a charity learns: needs, never identities. Over real HTTP with real tokens, a charity's every
 * view of needs (the needs page, matches, claims, the household behind a need) is searched for the
 * family's registry id, person ids, names, ID numbers, exact income, address and phone — none may
 * appear until a street office records the family's consent for that charity, and then only the phone and a contact name.
 * A charity lists no households and opens only those behind a need it claimed or that matches its resources.
 * Two charities get different, unlinkable references for the same household and need.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { NOW, QIXINGGANG, charity, civil, createResource, householdRef, needRef, recordNeed, refresh, registerCharity, seedRegistry, streetOffice, type Registry } from "./fixture.js";

let gw: TestGateway;
let reg: Registry;
const A = "yz-charity-federation";
const B = "sunshine-school-aid";
let schoolNeed: string;
let resourceA: string;

beforeAll(async () => {
  gw = await startGateway({ now: NOW, seed: async (db) => void (reg = await seedRegistry(db)) });
  await registerCharity(gw, A, "渝中区慈善会（合成数据）", "53500103MJP123456X");
  await registerCharity(gw, B, "阳光助学服务中心（合成数据）", "52500103MJQ234567Y");
  resourceA = await createResource(gw, A, { category: "SCHOOL_COSTS", title: "高中助学金", unit: "FEN", quantity: 500_000, shared: true });
  await createResource(gw, B, { category: "CARE_VISITS", title: "居家探访", quantity: 40, minAge: 60 });
  await refresh(gw, QIXINGGANG);
  const child = reg.student.members.find((m) => m.relation === "CHILD")!;
  schoolNeed = await recordNeed(gw, { householdId: reg.student.id, personId: child.id, category: "SCHOOL_COSTS", urgency: "HIGH", note: `张小雨 高二，${reg.student.address}` });
});
afterAll(async () => gw?.close());

const EVERYTHING = `query($street: String) {
  needs(filter: { street: $street }, first: 10) {
    totalCount
    edges { cursor node {
      id householdRef category urgency origin status districtCode streetCode street { code name } tier ageBand disability since reason contact contactName
      matches(first: 3) { score parts { part points max explanation } resource { id title } need { id householdRef } }
      claims { id units status need { id householdRef contact } }
    } }
  }
}`;

/** Every identifying value of the seeded families (registry and person ids, names, ID numbers, exact income, address, phone). */
function secrets(r: Registry, withPhone = true): string[] {
  return Object.values(r).flatMap((h) => [
    h.id,
    h.registryNo,
    h.address,
    String(h.incomeFen),
    ...(withPhone ? [h.phone] : []),
    ...h.members.flatMap((m) => [m.id, m.name, m.idNumber, m.birthDate]),
  ]);
}

function leaked(body: unknown, values: string[]): string[] {
  const text = JSON.stringify(body);
  return values.filter((v) => text.includes(v));
}

describe("a charity sees needs, not identities", () => {
  test("the needs page, matches and the household behind each need hold no id, name, ID number, income, address or phone", async () => {
    const res = await gw.gql(EVERYTHING, { street: QIXINGGANG }, charity(A));
    expect(res.errors).toBeUndefined();
    const nodes = res.data.needs.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThanOrEqual(3); // care visits + winter clothing (derived), school costs (by hand)
    expect(leaked(res.body, secrets(reg))).toEqual([]);
    expect(nodes.every((n: any) => n.contact === null)).toBe(true);
    // the same fields for civil affairs do carry the identities: the search above can find them
    const official = await gw.gql(EVERYTHING, { street: QIXINGGANG }, civil);
    expect(leaked(official.body, [reg.elderly.id, reg.student.id, reg.elderly.phone])).toHaveLength(3);

    // the household behind a need, as far as a charity may follow it
    const ref = nodes.find((n: any) => n.category === "SCHOOL_COSTS").householdRef;
    const h = await gw.gql(
      `query($id: ID!) { household(id: $id) { id streetCode currentCase { tier } contactConsent contactName phone needs { id householdRef category note reason }
        address hukou incomes { monthlyFen source } members { id name birthDate age sex relation } } }`,
      { id: ref },
      charity(A),
    );
    expect(leaked(h.body, secrets(reg))).toEqual([]);
    // what matching needs: the street, the tier, the needs; no household directory entry (issue 12)
    expect(h.data.household).toMatchObject({ id: ref, streetCode: QIXINGGANG, contactName: null, phone: null, address: null, hukou: null, incomes: null, members: null });
    expect(h.data.household.currentCase.tier).toBe("DIBAO_MARGINAL"); // the fixture's case
    expect(h.data.household.needs.map((n: any) => n.category)).toContain("SCHOOL_COSTS");
    // the street office's note may name the family: null with FORBIDDEN for a charity; so are the address, hukou, incomes and members
    expect(h.data.household.needs.every((n: any) => n.note === null)).toBe(true);
    expect(h.errors!.map((e) => e.path!.filter((x) => typeof x === "string").at(-1)).sort()).toEqual(["address", "hukou", "incomes", "members", ...h.data.household.needs.map(() => "note")].sort());
    expect(h.errors!.every((e) => e.extensions!.code === "FORBIDDEN")).toBe(true);
  });

  test("a charity lists no households and opens only one behind a need it claimed or that matches one of its resources (else NOT_FOUND, like a forged reference)", async () => {
    const list = await gw.gql(`{ households(first: 5) { totalCount edges { node { id } } } }`, {}, charity(A));
    expect(list.data.households).toBeNull();
    expect(list.errors![0].extensions).toMatchObject({ code: "FORBIDDEN" });
    const ONE = `query($id: ID!) { household(id: $id) { streetCode } }`;
    // A's only resource is school costs: the student's household opens, the elderly one (care visits, winter clothing) does not
    expect((await gw.gql(ONE, { id: householdRef(gw, A, reg.student.id) }, charity(A))).data.household).toEqual({ streetCode: QIXINGGANG });
    for (const id of [reg.elderly.id, reg.tekun.id, "00000000-0000-4000-8000-000000000000"]) {
      const res = await gw.gql(ONE, { id: householdRef(gw, A, id) }, charity(A));
      expect(res.data.household, id).toBeNull();
      expect(res.errors![0].extensions!.code).toBe("NOT_FOUND");
    }
    // B's care-visit resource matches the elderly household's need
    expect((await gw.gql(ONE, { id: householdRef(gw, B, reg.elderly.id) }, charity(B))).data.household).toEqual({ streetCode: QIXINGGANG });
    // the same household for officials exists all along
    expect((await gw.gql(`query($id: ID!) { household(id: $id) { streetCode } }`, { id: reg.elderly.id }, civil)).data.household).toEqual({ streetCode: QIXINGGANG });
  });

  test("the household-wide consent flag of registration discloses nothing by itself", async () => {
    const res = await gw.gql(`query($id: ID!) { household(id: $id) { phone contactConsent needs { contact } } }`, { id: householdRef(gw, B, reg.elderly.id) }, charity(B));
    expect(res.errors).toBeUndefined();
    expect(res.data.household.contactConsent).toBe(true);
    expect(res.data.household.phone).toBeNull();
    expect(res.data.household.needs.length).toBeGreaterThan(0);
    expect(res.data.household.needs.every((n: any) => n.contact === null)).toBe(true);
  });

  test("two charities get different references for the same household and the same need, usable only by their own charity", async () => {
    const q = `query { needs(filter: { category: SCHOOL_COSTS }) { edges { node { id householdRef } } } }`;
    const [a, b] = await Promise.all([gw.gql(q, {}, charity(A)), gw.gql(q, {}, charity(B))]);
    const na = a.data.needs.edges.map((e: any) => e.node);
    const nb = b.data.needs.edges.map((e: any) => e.node);
    expect(na).toEqual([{ id: needRef(gw, A, schoolNeed), householdRef: householdRef(gw, A, reg.student.id) }]);
    expect(nb).toEqual([{ id: needRef(gw, B, schoolNeed), householdRef: householdRef(gw, B, reg.student.id) }]);
    expect(na[0].id).not.toBe(nb[0].id);
    expect(na[0].householdRef).not.toBe(nb[0].householdRef);
    expect(na[0].householdRef).toMatch(/^hh_[A-Za-z0-9_-]{22}$/);
    expect(na[0].id).toMatch(/^nd_[A-Za-z0-9_-]{22}$/);

    // A's references mean nothing to B: the household is not found, the need is not B's reference
    // (a foreign reference decrypts, under B's key, to 16 random bytes: rejected as no reference — or, 1 time in 64
    // when those bytes happen to look like a v4 uuid, found to name no household of B's view; never A's household)
    const h = await gw.gql(`query($id: ID!) { household(id: $id) { streetCode } }`, { id: na[0].householdRef }, charity(B));
    expect(h.data?.household ?? null).toBeNull();
    expect(["BAD_USER_INPUT/INVALID_ID", "NOT_FOUND/undefined"]).toContain(`${h.errors![0].extensions!.code}/${h.errors![0].extensions!.reason}`);
    const claim = await gw.gql(
      `mutation($n: ID!, $r: ID!) { claimNeed(needRef: $n, resourceId: $r, units: 100, idempotencyKey: "x1") { id } }`,
      { n: na[0].id, r: resourceA },
      charity(B),
    );
    expect(claim.data?.claimNeed ?? null).toBeNull();
    expect(["BAD_USER_INPUT/INVALID_ID", "NOT_FOUND/undefined"]).toContain(`${claim.errors![0].extensions!.code}/${claim.errors![0].extensions!.reason}`);
    // and a raw registry id is no reference at all
    const raw = await gw.gql(`query($id: ID!) { household(id: $id) { streetCode } }`, { id: reg.student.id }, charity(A));
    expect(raw.errors![0].extensions).toMatchObject({ reason: "INVALID_ID" });
  });
});

describe("consent per (household, charity)", () => {
  const CONSENT = `mutation($h: ID!, $c: ID!) { recordContactConsent(householdId: $h, charityId: $c) { id recordedBy revokedAt charity { id } } }`;
  const REVOKE = `mutation($h: ID!, $c: ID!) { revokeContactConsent(householdId: $h, charityId: $c) { id revokedAt } }`;
  const contactsOf = async (charityId: string) => {
    const res = await gw.gql(
      `query { needs(filter: { category: SCHOOL_COSTS }) { edges { node { contact contactName } } } }`,
      {},
      charity(charityId),
    );
    expect(res.errors).toBeUndefined();
    const nodes = res.data.needs.edges.map((e: any) => e.node);
    expect(nodes.length).toBeGreaterThanOrEqual(1); // the school need
    if (charityId === A) {
      // A may open the household (its resource matches): the household's own contact fields say the same
      const h = await gw.gql(`query($id: ID!) { household(id: $id) { phone contactName } }`, { id: householdRef(gw, charityId, reg.student.id) }, charity(charityId));
      expect(h.errors).toBeUndefined();
      nodes.push({ contact: h.data.household.phone, contactName: h.data.household.contactName });
    }
    return [...new Set(nodes.map((n: any) => JSON.stringify([n.contact, n.contactName])))].map((x) => JSON.parse(x)); // one value throughout
  };
  const head = () => reg.student.members.find((m) => m.relation === "HEAD")!.name;

  test("only after the street office records consent for that charity does it see the phone; the other charity still does not; revoked, it is gone", async () => {
    expect(await contactsOf(A)).toEqual([[null, null]]);
    const rec = await gw.gql(CONSENT, { h: reg.student.id, c: A }, streetOffice());
    expect(rec.errors).toBeUndefined();
    expect(rec.data.recordContactConsent).toMatchObject({ revokedAt: null, charity: { id: A } });
    // recording it again returns the consent in force
    const again = await gw.gql(CONSENT, { h: reg.student.id, c: A }, streetOffice());
    expect(again.data.recordContactConsent.id).toBe(rec.data.recordContactConsent.id);

    expect(await contactsOf(A)).toEqual([[reg.student.phone, head()]]);
    expect(await contactsOf(B)).toEqual([[null, null]]);
    // still nothing else identifying
    const res = await gw.gql(EVERYTHING, { street: QIXINGGANG }, charity(A));
    expect(leaked(res.body, secrets(reg, false).filter((v) => v !== head()))).toEqual([]);
    expect(leaked(res.body, [reg.elderly.phone])).toEqual([]);

    const rev = await gw.gql(REVOKE, { h: reg.student.id, c: A }, streetOffice());
    expect(rev.errors).toBeUndefined();
    expect(rev.data.revokeContactConsent.revokedAt).toBe(NOW.toISOString());
    expect(await contactsOf(A)).toEqual([[null, null]]);
    const none = await gw.gql(REVOKE, { h: reg.student.id, c: A }, streetOffice());
    expect(none.errors![0].extensions!.code).toBe("NOT_FOUND");
  });

  test("a street office records consent only for households of its street (another street's is NOT_FOUND); charities may not record it", async () => {
    const other = await gw.gql(CONSENT, { h: reg.tekun.id, c: A }, streetOffice(QIXINGGANG));
    expect(other.errors![0].extensions!.code).toBe("NOT_FOUND");
    const self = await gw.gql(CONSENT, { h: householdRef(gw, A, reg.tekun.id), c: A }, charity(A));
    expect(self.status).toBe(403);
    expect(self.errors![0].extensions).toMatchObject({ code: "FORBIDDEN", reason: "MUTATION_NOT_ALLOWED" });
    expect(await gw.db.prisma.contactConsent.count({ where: { householdId: reg.tekun.id } })).toBe(0);
  });
});

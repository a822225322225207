/**
 * The claim workflow over real HTTP: capacity taken transactionally (two charities racing for the last
 * unit: exactly one wins, remaining never below 0), idempotency keys (a retry — even a concurrent one —
 * is one claim), delivery (need MET, a charity delivery in the household's facts for the aid chain),
 * cancellation (capacity returned, need OPEN again). Runs on PGlite and, with DATABASE_URL, on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { opaqueId } from "../../src/policy/opaque.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { createRegistryLoaders } from "../../src/features/households/loaders.js";
import { JIEFANGBEI, NOW, QIXINGGANG, charity, civil, createResource, needRef, recordNeed, registerCharity, seedRegistry, type Registry } from "./fixture.js";

let gw: TestGateway;
let reg: Registry;
const A = "yz-charity-federation";
const B = "jiefangbei-volunteers";

const CLAIM = `mutation($n: ID!, $r: ID!, $u: Int!, $k: String!) { claimNeed(needRef: $n, resourceId: $r, units: $u, idempotencyKey: $k) { id units status need { status } resource { remaining } } }`;
const DELIVER = `mutation($c: ID!) { recordDelivery(claimId: $c) { id status deliveredAt need { status } } }`;
const CANCEL = `mutation($c: ID!) { cancelClaim(claimId: $c) { id status cancelledAt resource { remaining } need { status } } }`;

beforeAll(async () => {
  gw = await startGateway({ now: NOW, seed: async (db) => void (reg = await seedRegistry(db)) });
  await registerCharity(gw, A, "渝中区慈善会（合成数据）", "53500103MJP123456X");
  await registerCharity(gw, B, "解放碑志愿者协会（合成数据）", "51500103MJR345678A");
});
afterAll(async () => gw?.close());

const remaining = async (id: string) => (await gw.db.prisma.charityResource.findUniqueOrThrow({ where: { id } })).remaining;
const claimAs = (charityId: string, need: string, resource: string, units: number, key: string) =>
  gw.gql(CLAIM, { n: needRef(gw, charityId, need), r: resource, u: units, k: key }, charity(charityId));

/** A fresh open need: care visits for the elderly head (one per call, recorded by hand). */
const careNeed = async (street: "elderly" | "tekun" = "elderly") => {
  const h = reg[street];
  return recordNeed(gw, { householdId: h.id, personId: h.members[0].id, category: "CARE_VISITS", urgency: "HIGH" }, { audience: "street_office", street: h.streetCode });
};

describe("capacity", () => {
  test("two charities claiming the last unit of a shared resource at the same moment: exactly one wins, remaining is 0, never negative", async () => {
    const resource = await createResource(gw, A, { category: "CARE_VISITS", title: "慈善会居家探访（共享）", quantity: 1, shared: true });
    const [n1, n2] = [await careNeed("elderly"), await careNeed("tekun")];
    const [a, b] = await Promise.all([claimAs(A, n1, resource, 1, "race-a"), claimAs(B, n2, resource, 1, "race-b")]);
    const results = [a, b];
    const winners = results.filter((r) => !r.errors);
    const losers = results.filter((r) => r.errors);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0].errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INSUFFICIENT_CAPACITY", field: "units" });
    expect(winners[0].data.claimNeed).toMatchObject({ units: 1, status: "CLAIMED", need: { status: "CLAIMED" }, resource: { remaining: 0 } });
    expect(await remaining(resource)).toBe(0);
    expect(await gw.db.prisma.claim.count({ where: { resourceId: resource } })).toBe(1);
    // the loser's need is still open
    const loserNeed = a.errors ? n1 : n2;
    expect((await gw.db.prisma.need.findUniqueOrThrow({ where: { id: loserNeed } })).status).toBe("OPEN");
  });

  test("eight claims racing for three units of a budget: exactly three win, the budget ends at exactly 0", async () => {
    const resource = await createResource(gw, A, { category: "CARE_VISITS", title: "护理补贴", unit: "FEN", quantity: 30_000 });
    const needs = [];
    for (let i = 0; i < 8; i++) needs.push(await careNeed(i % 2 ? "tekun" : "elderly"));
    const results = await Promise.all(needs.map((n, i) => claimAs(A, n, resource, 10_000, `budget-${i}`)));
    expect(results.filter((r) => !r.errors)).toHaveLength(3);
    expect(results.filter((r) => r.errors).map((r) => r.errors![0].extensions!.reason)).toEqual(Array(5).fill("INSUFFICIENT_CAPACITY"));
    expect(await remaining(resource)).toBe(0);
    const taken = await gw.db.prisma.claim.aggregate({ where: { resourceId: resource, status: "CLAIMED" }, _sum: { units: true } });
    expect(taken._sum.units).toBe(30_000);
  });

  test("the database itself refuses a negative remaining (CHECK constraint), whatever the application does", async () => {
    const resource = await createResource(gw, A, { category: "FOOD", title: "米面油", quantity: 2 });
    await expect(gw.db.prisma.charityResource.update({ where: { id: resource }, data: { remaining: -1 } })).rejects.toThrow();
    expect(await remaining(resource)).toBe(2);
  });
});

describe("idempotency", () => {
  test("a retried claim with the same key returns the first claim and takes capacity once — also when both attempts race", async () => {
    const resource = await createResource(gw, A, { category: "CARE_VISITS", title: "探访", quantity: 5 });
    const need = await careNeed();
    const [first, racing] = await Promise.all([claimAs(A, need, resource, 2, "retry-1"), claimAs(A, need, resource, 2, "retry-1")]);
    expect(first.errors).toBeUndefined();
    expect(racing.errors).toBeUndefined();
    expect(racing.data.claimNeed.id).toBe(first.data.claimNeed.id);
    const later = await claimAs(A, need, resource, 2, "retry-1");
    expect(later.data.claimNeed.id).toBe(first.data.claimNeed.id);
    expect(await remaining(resource)).toBe(3);
    expect(await gw.db.prisma.claim.count({ where: { needId: need } })).toBe(1);
  });

  test("the same key for a different claim is IDEMPOTENCY_KEY_REUSED and changes nothing; keys are per charity", async () => {
    const resource = await createResource(gw, A, { category: "CARE_VISITS", title: "探访", quantity: 5, shared: true });
    const [n1, n2] = [await careNeed(), await careNeed("tekun")];
    expect((await claimAs(A, n1, resource, 1, "k-1")).errors).toBeUndefined();
    const reused = await claimAs(A, n2, resource, 1, "k-1");
    expect(reused.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "IDEMPOTENCY_KEY_REUSED", field: "idempotencyKey" });
    expect(await remaining(resource)).toBe(4);
    // charity B may use the same key text: its own key space
    const other = await claimAs(B, n2, resource, 1, "k-1");
    expect(other.errors).toBeUndefined();
    expect(await remaining(resource)).toBe(3);
  });
});

describe("delivery and cancellation", () => {
  test("a delivered claim marks the need MET and appears in the household's facts as a charity delivery (the aid chain's charity link)", async () => {
    const resource = await createResource(gw, A, { category: "CARE_VISITS", title: "助老探访服务", quantity: 3 });
    const need = await careNeed();
    const claimed = await claimAs(A, need, resource, 1, "deliver-1");
    const id = claimed.data.claimNeed.id;
    const loaders = createRegistryLoaders(gw.db.prisma);
    expect(await loaders.charityDeliveries.load(reg.elderly.id)).toEqual([]);

    const res = await gw.gql(DELIVER, { c: id }, charity(A));
    expect(res.errors).toBeUndefined();
    expect(res.data.recordDelivery).toMatchObject({ id, status: "DELIVERED", deliveredAt: NOW.toISOString(), need: { status: "MET" } });
    const again = await gw.gql(DELIVER, { c: id }, charity(A));
    expect(again.data.recordDelivery.status).toBe("DELIVERED");

    const delivered = await createRegistryLoaders(gw.db.prisma).charityDeliveries.load(reg.elderly.id);
    expect(delivered.map((c) => ({ id: c.claimId, charity: c.charityName, benefit: c.benefit, units: c.units, person: c.personId, category: c.category }))).toEqual([
      { id, charity: "渝中区慈善会（合成数据）", benefit: "助老探访服务", units: 1, person: reg.elderly.members[0].id, category: "CARE_VISITS" },
    ]);
    // the request's loaders read it through the gateway's own executor: exactly the rows Prisma's statement gives
    const viaExecutor = await createRegistryLoaders(gw.db.prisma, {}, { sql: gw.db.sql, jurisdiction: null }).charityDeliveries.load(reg.elderly.id);
    expect(viaExecutor).toEqual(delivered);
    // and with the other fact tables (one round trip on PostgreSQL)
    expect((await createRegistryLoaders(gw.db.prisma, {}, { sql: gw.db.sql, jurisdiction: null }).facts.load(reg.elderly.id)).charityDeliveries).toEqual(delivered);
    expect(viaExecutor[0].deliveredAt).toBeInstanceOf(Date);
    // ... and in the household's aid chain, as a charity link on the delivery day (never a duplicate, never filling a gap)
    const chain = await gw.gql(
      `query ($id: ID!) { household(id: $id) { aidChain { links { id department program purpose personId periodStart periodEnd periodBasis amountFen benefit status source sourceRecordId }
        duplicates { key } gaps { key links { id } } } } }`,
      { id: reg.elderly.id },
      civil,
    );
    expect(chain.errors, JSON.stringify(chain.errors)).toBeUndefined();
    const links = chain.data.household.aidChain.links as { source: string; id: string }[];
    expect(links.filter((l) => l.source === "charity")).toEqual([
      {
        id: opaqueId(gw.pseudonyms, "link", reg.elderly.id, `charity:${id}:CARE_VISITS`), // the domain key, opaque at the API (issue 12)
        department: "charity",
        program: "CARE_VISITS",
        purpose: "CHARITY_HELP",
        personId: reg.elderly.members[0].id,
        periodStart: NOW.toISOString().slice(0, 10),
        periodEnd: NOW.toISOString().slice(0, 10),
        periodBasis: "DAY",
        amountFen: null,
        benefit: "助老探访服务 × 1 (渝中区慈善会（合成数据）)",
        status: "COMPLETED",
        source: "charity",
        sourceRecordId: id,
      },
    ]);
    const gapLinks = (chain.data.household.aidChain.gaps as { links: { id: string }[] }[]).flatMap((g) => g.links.map((l) => l.id));
    expect(gapLinks.filter((l) => l.startsWith("charity:"))).toEqual([]);
    // a delivered claim cannot be cancelled; capacity stays taken
    const cancel = await gw.gql(CANCEL, { c: id }, charity(A));
    expect(cancel.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "CLAIM_NOT_ACTIVE" });
    expect(await remaining(resource)).toBe(2);
  });

  test("a cancelled claim returns its capacity and reopens the need; cancelling again changes nothing", async () => {
    const resource = await createResource(gw, A, { category: "CARE_VISITS", title: "探访", quantity: 2 });
    const need = await careNeed();
    const claimed = await claimAs(A, need, resource, 2, "cancel-1");
    expect(await remaining(resource)).toBe(0);
    const id = claimed.data.claimNeed.id;
    const res = await gw.gql(CANCEL, { c: id }, charity(A));
    expect(res.errors).toBeUndefined();
    expect(res.data.cancelClaim).toMatchObject({ status: "CANCELLED", cancelledAt: NOW.toISOString(), resource: { remaining: 2 }, need: { status: "OPEN" } });
    const again = await gw.gql(CANCEL, { c: id }, charity(A));
    expect(again.data.cancelClaim.resource.remaining).toBe(2);
    expect(await remaining(resource)).toBe(2);
    // the reopened need can be claimed again, with a new key
    expect((await claimAs(A, need, resource, 1, "cancel-2")).errors).toBeUndefined();
    // a cancelled claim cannot be delivered
    const deliver = await gw.gql(DELIVER, { c: id }, charity(A));
    expect(deliver.errors![0].extensions).toMatchObject({ reason: "CLAIM_NOT_ACTIVE" });
  });

  test("a charity sees and manages only its own claims: another's claim is NOT_FOUND", async () => {
    const resource = await createResource(gw, A, { category: "CARE_VISITS", title: "探访", quantity: 2 });
    const claimed = await claimAs(A, await careNeed(), resource, 1, "own-1");
    for (const q of [CANCEL, DELIVER]) {
      const res = await gw.gql(q, { c: claimed.data.claimNeed.id }, charity(B));
      expect(res.errors![0].extensions!.code).toBe("NOT_FOUND");
    }
    const mine = await gw.gql(`{ myClaims { id } }`, {}, charity(B));
    expect(mine.data.myClaims.map((c: any) => c.id)).not.toContain(claimed.data.claimNeed.id);
    const theirs = await gw.gql(`{ myClaims { id } }`, {}, charity(A));
    expect(theirs.data.myClaims.map((c: any) => c.id)).toContain(claimed.data.claimNeed.id);
    expect(await remaining(resource)).toBe(1);
  });

  test("a charity claims only against its own or a shared resource", async () => {
    const resource = await createResource(gw, A, { category: "CARE_VISITS", title: "仅本会", quantity: 2 });
    const res = await claimAs(B, await careNeed("tekun"), resource, 1, "foreign-1");
    expect(res.errors![0].extensions!.code).toBe("NOT_FOUND");
    expect(await remaining(resource)).toBe(2);
    void JIEFANGBEI;
    void QIXINGGANG;
  });
});

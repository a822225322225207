import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { makeIdNumber } from "../../src/domain/idnumber.js";

let gw: TestGateway;
const NOW = new Date("2026-11-22T08:00:00Z");

beforeAll(async () => {
  gw = await startGateway({
    now: NOW,
    seed: async (db) => {
      await db.prisma.street.createMany({
        data: [
          { code: "500103001", districtCode: "500103", name: "七星岗街道" },
          { code: "500103002", districtCode: "500103", name: "解放碑街道" },
          { code: "500120001", districtCode: "500120", name: "璧城街道" },
        ],
      });
    },
  });
});
afterAll(async () => gw?.close());

let seq = 100;
function member(relation: string, birth: string, extra: Record<string, unknown> = {}) {
  return {
    idNumber: makeIdNumber("500103", birth, seq++),
    name: "张" + "伟芳明"[seq % 3],
    relation,
    workAbility: "FULL",
    selfCare: "FULL",
    ...extra,
  };
}

const REGISTER = `mutation R($input: RegisterHouseholdInput!) {
  registerHousehold(input: $input) { id registryNo version streetCode members { idNumber sex birthDate relation } incomes { monthlyFen source } assets { valueFen } }
}`;

async function register(overrides: Record<string, unknown> = {}) {
  const head = member("HEAD", "1975-03-14");
  const child = member("CHILD", "2010-09-01");
  const input = {
    districtCode: "500103",
    streetCode: "500103001",
    address: "渝中区七星岗街道中山一路 12 号 3-1",
    hukou: "URBAN",
    members: [head, child],
    incomes: [{ source: "WAGES", monthlyFen: 98000, earnerIdNumber: head.idNumber, validFrom: "2026-01-01" }],
    assets: [{ kind: "DEPOSIT", valueFen: 500000 }],
    ...overrides,
  };
  return { input, res: await gw.gql(REGISTER, { input }) };
}

async function counts() {
  const p = gw.db.prisma;
  return [await p.household.count(), await p.person.count(), await p.income.count(), await p.asset.count()];
}

describe("registerHousehold", () => {
  test("stores the household, derives sex and birth date from the ID numbers", async () => {
    const { input, res } = await register();
    expect(res.errors).toBeUndefined();
    const h = res.data.registerHousehold;
    expect(h.version).toBe(1);
    expect(h.registryNo).toMatch(/^500103001-[0-9A-F]{10}$/);
    expect(h.members.map((m: any) => m.idNumber).sort()).toEqual(input.members.map((m) => m.idNumber).sort());
    const head = h.members.find((m: any) => m.relation === "HEAD");
    expect(head.birthDate).toBe("1975-03-14");
    expect(head.sex).toBe(Number(input.members[0].idNumber[16]) % 2 ? "MALE" : "FEMALE");
    expect(h.incomes).toEqual([{ monthlyFen: 98000, source: "WAGES" }]);
    expect(h.assets).toEqual([{ valueFen: 500000 }]);

    const again = await gw.gql(`query($id: ID!) { household(id: $id) { id members { idNumber } } }`, { id: h.id });
    expect(again.data.household.id).toBe(h.id);
    const person = await gw.gql(`query($n: String!) { person(idNumber: $n) { name age household { id } } }`, { n: input.members[0].idNumber });
    expect(person.data.person.household.id).toBe(h.id);
    expect(person.data.person.age).toBe(51);
  });

  test.each([
    ["a bad check character", (i: any) => { i.members[0].idNumber = i.members[0].idNumber.slice(0, 17) + (i.members[0].idNumber[17] === "0" ? "1" : "0"); }, "INVALID_ID_NUMBER", "input.members.0.idNumber"],
    ["a 17-character ID number", (i: any) => { i.members[1].idNumber = i.members[1].idNumber.slice(0, 17); }, "INVALID_ID_NUMBER", "input.members.1.idNumber"],
    ["an impossible birth date in the ID", (i: any) => { i.members[0].idNumber = makeIdNumber("500103", "1990-02-30".replace("-30", "-28"), 1).replace("19900228", "19900230"); }, "INVALID_ID_NUMBER", "input.members.0.idNumber"],
    ["a birth date that disagrees with the ID", (i: any) => { i.members[0].birthDate = "1975-03-15"; }, "ID_NUMBER_MISMATCH", "input.members.0.birthDate"],
    ["a negative income", (i: any) => { i.incomes[0].monthlyFen = -1; }, "NEGATIVE_AMOUNT", "input.incomes.0.monthlyFen"],
    ["a negative asset", (i: any) => { i.assets[0].valueFen = -500; }, "NEGATIVE_AMOUNT", "input.assets.0.valueFen"],
    ["two heads", (i: any) => { i.members[1].relation = "HEAD"; }, "HOUSEHOLD_HEAD", "input.members"],
    ["a street of another district", (i: any) => { i.streetCode = "500120001"; }, "UNKNOWN_STREET", "input.streetCode"],
    ["an income period ending before it starts", (i: any) => { i.incomes[0].validTo = "2025-12-31"; }, "DATE_RANGE", "input.incomes.0.validTo"],
    ["a future birth date", (i: any) => { i.members[1].idNumber = makeIdNumber("500103", "2027-01-01", 5); }, "DATE_IN_FUTURE", "input.members.1.idNumber"],
  ])("rejects %s with BAD_USER_INPUT and changes nothing", async (_name, mutate, reason, field) => {
    const before = await counts();
    const head = member("HEAD", "1975-03-14");
    const input: any = {
      districtCode: "500103",
      streetCode: "500103001",
      address: "渝中区七星岗街道中山一路 12 号",
      hukou: "URBAN",
      members: [head, member("CHILD", "2012-05-06")],
      incomes: [{ source: "WAGES", monthlyFen: 98000, validFrom: "2026-01-01" }],
      assets: [{ kind: "DEPOSIT", valueFen: 500000 }],
    };
    mutate(input);
    const res = await gw.gql(REGISTER, { input });
    expect(res.data?.registerHousehold ?? null).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason, field });
    expect(await counts()).toEqual(before);
  });

  test("a malformed date literal is a BAD_USER_INPUT", async () => {
    const { res } = await register({ incomes: [{ source: "WAGES", monthlyFen: 1, validFrom: "2026-13-01" }] });
    expect(res.errors![0].extensions!.code).toBe("BAD_USER_INPUT");
  });

  test("an already registered ID number is ALREADY_EXISTS and changes nothing", async () => {
    const { input } = await register();
    const before = await counts();
    const res = await gw.gql(REGISTER, { input: { ...input, members: [input.members[0]], incomes: [], assets: [] } });
    expect(res.errors![0].extensions).toMatchObject({ code: "ALREADY_EXISTS", field: "input.members.0.idNumber" });
    expect(await counts()).toEqual(before);
  });
});

describe("updateHousehold", () => {
  const UPDATE = `mutation U($id: ID!, $v: Int!, $input: UpdateHouseholdInput!) {
    updateHousehold(id: $id, version: $v, input: $input) { id version address incomes { monthlyFen } }
  }`;

  test("applies a change with the current version and bumps it", async () => {
    const { res } = await register();
    const h = res.data.registerHousehold;
    const upd = await gw.gql(UPDATE, { id: h.id, v: 1, input: { address: "新地址 1 号", incomes: [{ source: "PENSION", monthlyFen: 120000, validFrom: "2026-06-01" }] } });
    expect(upd.errors).toBeUndefined();
    expect(upd.data.updateHousehold).toMatchObject({ version: 2, address: "新地址 1 号", incomes: [{ monthlyFen: 120000 }] });
  });

  test("rejects a stale version with STALE_VERSION and changes nothing", async () => {
    const { res } = await register();
    const h = res.data.registerHousehold;
    await gw.gql(UPDATE, { id: h.id, v: 1, input: { address: "第一次修改" } });
    const stale = await gw.gql(UPDATE, { id: h.id, v: 1, input: { address: "第二次修改", incomes: [] } });
    expect(stale.errors![0].extensions!.code).toBe("STALE_VERSION");
    const row = await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id }, include: { incomes: true } });
    expect(row.address).toBe("第一次修改");
    expect(row.version).toBe(2);
    expect(row.incomes).toHaveLength(1);
  });

  test("concurrent updates with the same version: exactly one wins", async () => {
    const { res } = await register();
    const h = res.data.registerHousehold;
    const results = await Promise.all(
      ["甲", "乙", "丙", "丁"].map((a) => gw.gql(UPDATE, { id: h.id, v: 1, input: { address: `地址${a}` } })),
    );
    const ok = results.filter((r) => !r.errors);
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r.errors?.[0].extensions?.code === "STALE_VERSION")).toHaveLength(3);
    const row = await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id } });
    expect(row.address).toBe(ok[0].data.updateHousehold.address);
    expect(row.version).toBe(2);
  });

  test("unknown household is NOT_FOUND; negative amount is BAD_USER_INPUT; neither changes anything", async () => {
    const missing = await gw.gql(UPDATE, { id: "00000000-0000-4000-8000-000000000000", v: 1, input: { address: "x" } });
    expect(missing.errors![0].extensions!.code).toBe("NOT_FOUND");
    const { res } = await register();
    const h = res.data.registerHousehold;
    const neg = await gw.gql(UPDATE, { id: h.id, v: 1, input: { assets: [{ kind: "DEPOSIT", valueFen: -1 }] } });
    expect(neg.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "NEGATIVE_AMOUNT" });
    const row = await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id }, include: { assets: true } });
    expect(row.version).toBe(1);
    expect(row.assets.map((a) => a.valueFen)).toEqual([500000n]);
  });
});

describe("queries", () => {
  test("household(id) of an unknown id is null with NOT_FOUND at its path", async () => {
    const res = await gw.gql(`{ household(id: "00000000-0000-4000-8000-000000000001") { id } }`);
    expect(res.data.household).toBeNull();
    expect(res.errors![0]).toMatchObject({ path: ["household"], extensions: { code: "NOT_FOUND" } });
  });

  test("person with a malformed ID number is BAD_USER_INPUT", async () => {
    const res = await gw.gql(`{ person(idNumber: "50010319750314123") { id } }`);
    expect(res.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_ID_NUMBER" });
  });

  test("first: 1000 is rejected with BAD_USER_INPUT/PAGE_SIZE; first: 100 is fine", async () => {
    const res = await gw.gql(`{ households(first: 1000) { totalCount } }`);
    expect(res.data?.households ?? null).toBeNull(); // households is nullable (a charity may not list them): null, not the whole data
    expect(res.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "PAGE_SIZE", field: "first" });
    const ok = await gw.gql(`{ households(first: 100) { totalCount } }`);
    expect(ok.errors).toBeUndefined();
  });

  test("a foreign cursor is BAD_USER_INPUT/INVALID_CURSOR", async () => {
    const res = await gw.gql(`{ households(first: 2, after: "bm90LWEtY3Vyc29y") { totalCount } }`);
    expect(res.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_CURSOR" });
  });

  test("cursor pagination walks every household exactly once, filtered by street", async () => {
    for (let i = 0; i < 3; i++) await register({ streetCode: "500103002" });
    const expected = await gw.db.prisma.household.count({ where: { streetCode: "500103002" } });
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res: any = await gw.gql(
        `query($after: String) { households(first: 2, after: $after, filter: { district: "500103", street: "500103002" }) {
          totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id streetCode } } } }`,
        { after },
      );
      const conn = res.data.households;
      expect(conn.totalCount).toBe(expected);
      for (const e of conn.edges) {
        expect(e.node.streetCode).toBe("500103002");
        seen.push(e.node.id);
      }
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(expected);
    expect(new Set(seen).size).toBe(expected);
    expect([...seen].sort()).toEqual(seen);
  });

  test("tier filter returns households with a case in force of that tier", async () => {
    const { res } = await register();
    const id = res.data.registerHousehold.id;
    await gw.db.prisma.assistanceCase.create({
      data: { householdId: id, tier: "TEKUN", tierClass: "TEKUN_DISPERSED", status: "ACTIVE", startDate: new Date("2025-01-01") },
    });
    const other = (await register()).res.data.registerHousehold.id;
    await gw.db.prisma.assistanceCase.create({
      data: { householdId: other, tier: "TEKUN", status: "TERMINATED", startDate: new Date("2020-01-01"), endDate: new Date("2022-01-01") },
    });
    const page = await gw.gql(`{ households(first: 100, filter: { tier: TEKUN }) { totalCount edges { node { id currentCase { tier tierClass } } } } }`);
    expect(page.data.households.edges.map((e: any) => e.node.id)).toEqual([id]);
    expect(page.data.households.edges[0].node.currentCase).toEqual({ tier: "TEKUN", tierClass: "TEKUN_DISPERSED" });
  });
});

describe("HTTP surface", () => {
  test("GET /graphql answers a query (with the CSRF-safe header)", async () => {
    const q = encodeURIComponent("{ households(first: 1) { totalCount } }");
    const auth = `Bearer ${await gw.token({ audience: "civil_affairs", city: "500000" })}`;
    const res = await fetch(`${gw.url}/graphql?query=${q}`, { headers: { "apollo-require-preflight": "true", authorization: auth } });
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(typeof body.data.households.totalCount).toBe("number");
  });

  test("a GET without a preflight header is refused (CSRF prevention)", async () => {
    const q = encodeURIComponent("{ households(first: 1) { totalCount } }");
    const auth = `Bearer ${await gw.token({ audience: "civil_affairs", city: "500000" })}`;
    const res = await fetch(`${gw.url}/graphql?query=${q}`, { headers: { authorization: auth } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF|preflight/i);
  });

  test("healthz and readyz", async () => {
    expect(await (await fetch(`${gw.url}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${gw.url}/readyz`);
    // no department system runs beside this gateway (nothing listens at their address): it serves, degraded
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as any;
    expect(body.status).toBe("degraded");
    expect(body.dependencies.database.state).toBe("up");
    expect(body.dependencies.employment.state).toBe("down");
  });

  test("errors carry the request id that the response header carries", async () => {
    const res = await gw.gql(`{ household(id: "00000000-0000-4000-8000-000000000009") { id } }`);
    expect(res.errors![0].extensions!.requestId).toBe(res.headers.get("x-request-id"));
  });
});

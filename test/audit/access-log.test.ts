/**
 * Issue 6, parts 1–3 over HTTP: a real gateway with the access log on, over a generated registry.
 * Every operation that returns household or person data leaves exactly one record, committed before the
 * response; the chain verifies; a failed append withholds the data (fail closed); mutations record their
 * diff atomically with the change; auditors find every access to one household in one query.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runSeed } from "../../dev/seed/run.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import type { MintOptions } from "../../dev/keys/dev-keys.js";
import { AUDIENCES } from "../../src/auth/principal.js";
import { verifyLog } from "../../src/audit/verify.js";
import { readRecords } from "../../src/audit/store.js";
import { verifyKeyFromPublicHex } from "../../src/audit/keys.js";
import type { ChainedRecord } from "../../src/audit/record.js";

const NOW = new Date("2026-11-01T12:00:00Z");
const CHARITY = "charity-audit";
const AUDITOR: MintOptions = { audience: "auditor", city: "500000", purpose: "2026 dibao fund review" };

let gw: TestGateway;
let households: { id: string; streetCode: string; districtCode: string; version: number; address: string; status: string }[];

beforeAll(async () => {
  gw = await startGateway({
    now: NOW,
    audit: true,
    seed: async (db) => {
      await runSeed({ sql: db.sql, seed: 20190101, asOf: "2026-11-01", persons: 300, progress: "none" });
    },
  });
  households = await gw.db.prisma.household.findMany({ orderBy: { id: "asc" } });
  // a charity opens only a household behind a need matching one of its resources (issue 12): give households 3 and 10 one
  const p = gw.db.prisma;
  await p.charity.create({ data: { id: CHARITY, name: "审计测试慈善会（合成数据）", registrationNo: "53500000MJA000001X", districts: [...new Set(households.map((h) => h.districtCode))] } });
  await p.charityResource.create({ data: { charityId: CHARITY, category: "FOOD", title: "粮油包", unit: "ITEMS", quantity: 100, remaining: 100, districts: [], streets: [], validFrom: new Date("2026-01-01") } });
  for (const h of [households[3], households[10]])
    await p.need.create({
      data: { householdId: h.id, districtCode: h.districtCode, streetCode: h.streetCode, category: "FOOD", urgency: "HIGH", origin: "MANUAL", rule: "MANUAL", reason: "access-log test", since: new Date("2026-11-01") },
    });
});
afterAll(async () => gw?.close());

const count = async () => Number((await gw.db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM audit_log`))[0].n);
const all = (): Promise<ChainedRecord[]> => readRecords(gw.db.sql, 0, 100_000);
const byRequest = async (requestId: string) => (await all()).filter((r) => r.requestId === requestId);
const verify = () => verifyLog(gw.db.sql, verifyKeyFromPublicHex(gw.audit!.keys.publicHex));

const ONE = `query One($id: ID!) { household(id: $id) { id address members { id name idNumber } } }`;

describe("one access record per operation", () => {
  test("200 concurrent household queries produce exactly 200 records, one per request id, and the chain verifies", async () => {
    const before = await count();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => gw.gql(ONE, { id: households[i % households.length].id }, undefined, { "x-request-id": `conc-${String(i).padStart(4, "0")}` })),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(await count()).toBe(before + 200);
    const records = (await all()).filter((r) => r.requestId.startsWith("conc-"));
    expect(records).toHaveLength(200);
    expect(new Set(records.map((r) => r.requestId)).size).toBe(200);
    for (const r of records) {
      const i = Number(r.requestId.slice(5));
      expect(r.households).toEqual([households[i % households.length].id]);
    }
    // seq is dense 1..n and every link holds
    const seqs = (await all()).map((r) => r.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const report = await verify();
    expect(report).toMatchObject({ ok: true, firstBreak: null });
    expect(report.head.seq).toBe(seqs.length);
  });

  test("the record says who, why, what and how: principal, purpose, fields read/masked/denied, real ids — and no personal data in clear", async () => {
    const h = households[3];
    const members = await gw.db.prisma.person.findMany({ where: { householdId: h.id } });
    const ref = gw.pseudonyms.encode(CHARITY, "household", h.id);
    const res = await gw.gql(ONE, { id: ref }, { audience: "charity", charityId: CHARITY, city: "500000", purpose: "winter clothing" }, {
      "x-request-id": "charity-0001",
    });
    expect(res.data.household.id).toBe(ref);
    const [record] = await byRequest("charity-0001");
    expect(record).toMatchObject({
      audience: "charity",
      subject: "dev-charity",
      purpose: "winter clothing",
      charityId: CHARITY,
      jurisdiction: "city:500000",
      operationType: "query",
      operationName: "One",
      outcome: "PARTIAL", // the address and members are denied to charities (issue 12): FORBIDDEN errors beside the data
      errorCodes: ["FORBIDDEN"],
      households: [h.id], // the real id, not the pseudonym the charity saw
      changes: null,
    });
    expect(record.persons).toEqual([]); // a charity reaches no person
    expect(record.fields).toEqual({
      "Query.household": "read",
      "Household.id": "masked",
      "Household.address": "denied",
      "Household.members": "denied",
    });
    expect(record.classes).toEqual([]); // a pseudonym discloses no class
    expect(record.documentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(record.variablesHash).toMatch(/^[0-9a-f]{64}$/);
    const text = JSON.stringify(record);
    for (const secret of [ref, h.address, ...members.flatMap((m) => [m.name, m.idNumber])]) expect(text).not.toContain(secret);
  });

  test("the same variables give the same digest, other variables another (so an auditor holding the key can check a suspected lookup)", async () => {
    await gw.gql(ONE, { id: households[5].id }, undefined, { "x-request-id": "vars-0001" });
    await gw.gql(ONE, { id: households[5].id }, undefined, { "x-request-id": "vars-0002" });
    await gw.gql(ONE, { id: households[6].id }, undefined, { "x-request-id": "vars-0003" });
    const [a, b, c] = await Promise.all(["vars-0001", "vars-0002", "vars-0003"].map(async (id) => (await byRequest(id))[0]));
    expect(a.variablesHash).toBe(b.variablesHash);
    expect(a.variablesHash).not.toBe(c.variablesHash);
    expect(a.documentHash).toBe(c.documentHash);
  });

  test("an operation with no household or person data (policy parameters only) is not recorded; a refused one is, as REFUSED", async () => {
    const before = await count();
    const p = await gw.gql(`{ policyParameters(regionCode: "500103") { key } }`);
    expect(p.errors).toBeUndefined();
    expect(await count()).toBe(before);
    const refused = await gw.gql(`mutation { updateHousehold(id: "${households[0].id}", version: 1, input: { address: "x" }) { id } }`, {}, AUDITOR, {
      "x-request-id": "refused-0001",
    });
    expect(refused.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    const [record] = await byRequest("refused-0001");
    expect(record).toMatchObject({ outcome: "REFUSED", audience: "auditor", operationType: "mutation", households: [] });
    expect(record.fields["Mutation.updateHousehold"]).toBe("denied");
  });

  test("the log, its checkpoints and its signed heads refuse UPDATE, DELETE and TRUNCATE", async () => {
    expect(await gw.audit!.writer.checkpoint()).not.toBeNull();
    expect(Number((await gw.db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM audit_head`))[0].n)).toBeGreaterThan(0);
    for (const statement of [
      `UPDATE audit_log SET outcome = 'OK'`,
      `DELETE FROM audit_log WHERE seq = 1`,
      `TRUNCATE audit_log`,
      `DELETE FROM audit_checkpoint`,
      `TRUNCATE audit_checkpoint`,
      `UPDATE audit_head SET at = now()`,
      `DELETE FROM audit_head`,
      `TRUNCATE audit_head`,
    ])
      await expect(gw.db.sql.query(statement), statement).rejects.toThrow(/append-only/);
    expect((await verify()).ok).toBe(true);
  });
});

describe("fail closed", () => {
  // a real database refusal: the log accepts no row while this constraint is in place
  const block = () => gw.db.sql.exec(`ALTER TABLE audit_log ADD CONSTRAINT test_refuse_all CHECK (seq < 0) NOT VALID`);
  const unblock = () => gw.db.sql.exec(`ALTER TABLE audit_log DROP CONSTRAINT test_refuse_all`);

  test("when the record cannot be written the client gets AUDIT_UNAVAILABLE and no data; afterwards the chain has no gap", async () => {
    const before = await count();
    await block();
    try {
      const res = await gw.gql(ONE, { id: households[1].id }, undefined, { "x-request-id": "blocked-0001" });
      expect(res.status).toBe(503);
      expect(res.body.data).toBeUndefined();
      expect(res.errors).toEqual([{ message: expect.any(String), extensions: { code: "AUDIT_UNAVAILABLE", requestId: "blocked-0001" } }]);
      expect(JSON.stringify(res.body)).not.toContain(households[1].address);
      // concurrent requests in the same group commit all fail closed
      const many = await Promise.all(Array.from({ length: 5 }, () => gw.gql(ONE, { id: households[2].id })));
      for (const r of many) expect(r.body.data).toBeUndefined();
    } finally {
      await unblock();
    }
    expect(await count()).toBe(before);
    const ok = await gw.gql(ONE, { id: households[1].id });
    expect(ok.errors).toBeUndefined();
    const records = await all();
    expect(records[records.length - 1].seq).toBe(before + 1); // rollback consumed no position
    expect((await verify()).ok).toBe(true);
  });

  test("a mutation whose record cannot be written is rolled back: nothing changed, no data", async () => {
    const h = households[7];
    const current = await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id } });
    await block();
    let res;
    try {
      res = await gw.gql(`mutation U($id: ID!, $v: Int!) { updateHousehold(id: $id, version: $v, input: { status: MONITORED }) { id status } }`, {
        id: h.id,
        v: current.version,
      });
    } finally {
      await unblock();
    }
    expect(res.errors?.[0].extensions?.code).toBe("AUDIT_UNAVAILABLE");
    expect(res.body.data).toBeUndefined();
    const after = await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id } });
    expect(after.version).toBe(current.version);
    expect(after.status).toBe(current.status);
  });
});

describe("mutations record a before/after diff", () => {
  test("updateHousehold: codes in clear, personal values as digests, one record committed with the change", async () => {
    const h = households[8];
    const current = await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id } });
    const newAddress = "重庆市渝中区测试路 88 号";
    const before = await count();
    const res = await gw.gql(
      `mutation U($id: ID!, $v: Int!, $a: String!) { updateHousehold(id: $id, version: $v, input: { status: MONITORED, address: $a }) { id status version } }`,
      { id: h.id, v: current.version, a: newAddress },
      { audience: "street_office", street: h.streetCode },
      { "x-request-id": "mutation-0001" },
    );
    expect(res.errors).toBeUndefined();
    expect(await count()).toBe(before + 1);
    const [record] = await byRequest("mutation-0001");
    expect(record).toMatchObject({ operationType: "mutation", audience: "street_office", outcome: "OK", households: [h.id] });
    const changes = Object.fromEntries(record.changes!.map((c) => [c.path, c]));
    expect(changes["household.status"]).toMatchObject({ before: current.status, after: "MONITORED" });
    expect(changes["household.version"]).toMatchObject({ before: current.version, after: current.version + 1 });
    expect(changes["household.address"].before).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect(changes["household.address"].after).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect(changes["household.address"].before).not.toBe(changes["household.address"].after);
    expect(JSON.stringify(record)).not.toContain(newAddress);
    expect(JSON.stringify(record)).not.toContain(current.address);
    expect(record.fields["Mutation.updateHousehold"]).toBe("read");
    expect((await verify()).ok).toBe(true);
  });

  test("registerHousehold: the new household and members are recorded with before = null", async () => {
    const street = households[0].streetCode;
    const res = await gw.gql(
      `mutation R($input: RegisterHouseholdInput!) { registerHousehold(input: $input) { id members { id } } }`,
      {
        input: {
          districtCode: households[0].districtCode,
          streetCode: street,
          address: "测试地址 1 号",
          hukou: "URBAN",
          members: [{ idNumber: "500103198001010016", name: "测试人", relation: "HEAD", workAbility: "FULL", selfCare: "FULL" }],
        },
      },
      undefined,
      { "x-request-id": "register-0001" },
    );
    expect(res.errors).toBeUndefined();
    const [record] = await byRequest("register-0001");
    expect(record.households).toEqual([res.data.registerHousehold.id]);
    expect(record.persons).toEqual([res.data.registerHousehold.members[0].id]);
    const changes = Object.fromEntries(record.changes!.map((c) => [c.path, c]));
    expect(changes["household.id"]).toEqual({ path: "household.id", before: null, after: res.data.registerHousehold.id });
    expect(changes["household.hukou"]).toMatchObject({ before: null, after: "URBAN" });
    expect(JSON.stringify(record)).not.toContain("500103198001010016");
    expect(JSON.stringify(record)).not.toContain("测试人");
  });
});

describe("auditor queries", () => {
  const LOG = `query Log($filter: AccessLogFilter, $first: Int, $after: String) {
    accessLog(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { seq requestId subject audience purpose operationName outcome householdIds personIds fields { coordinate disclosure } hash } }
    }
  }`;

  test("every access to one household, across audiences, in one query — and the auditor's own read is recorded too", async () => {
    const h = households[10];
    const members = await gw.db.prisma.person.findMany({ where: { householdId: h.id } });
    const LIST = `query List($street: String) { households(first: 100, filter: { street: $street }) { edges { node { id members { name } } } } }`;
    const accesses: [string, Promise<unknown>][] = [
      ["find-civil", gw.gql(ONE, { id: h.id }, { audience: "civil_affairs", district: h.districtCode }, { "x-request-id": "find-civil" })],
      ["find-edu", gw.gql(LIST, { street: h.streetCode }, { audience: "education", district: h.districtCode }, { "x-request-id": "find-edu" })],
      ["find-charity", gw.gql(ONE, { id: gw.pseudonyms.encode(CHARITY, "household", h.id) }, { audience: "charity", charityId: CHARITY }, { "x-request-id": "find-charity" })],
      ["find-street", gw.gql(`query P($n: String!) { person(idNumber: $n) { name } }`, { n: members[0].idNumber }, { audience: "street_office", street: h.streetCode }, { "x-request-id": "find-street" })],
    ];
    await Promise.all(accesses.map(([, p]) => p));
    // a query about another household does not match
    await gw.gql(ONE, { id: households[11].id }, undefined, { "x-request-id": "find-other" });

    const res = await gw.gql(LOG, { filter: { household: h.id }, first: 100 }, AUDITOR, { "x-request-id": "auditor-0001" });
    expect(res.errors).toBeUndefined();
    const nodes = res.data.accessLog.edges.map((e: any) => e.node);
    const expected = (await all()).filter((r) => r.households.includes(h.id) && r.requestId !== "auditor-0001").map((r) => r.requestId);
    expect(nodes.map((n: any) => n.requestId)).toEqual(expected);
    expect(res.data.accessLog.totalCount).toBe(expected.length);
    const found = new Set(nodes.map((n: any) => n.requestId));
    for (const [id] of accesses) expect(found.has(id), id).toBe(true);
    expect(found.has("find-other")).toBe(false);
    expect(new Set(nodes.filter((n: any) => n.requestId.startsWith("find-")).map((n: any) => n.audience))).toEqual(
      new Set(["civil_affairs", "education", "charity", "street_office"]),
    );
    const street = nodes.find((n: any) => n.requestId === "find-street");
    expect(street.personIds).toEqual([members[0].id]);

    // the auditor's read is itself in the log, naming the household it asked about
    const [own] = await byRequest("auditor-0001");
    expect(own).toMatchObject({ audience: "auditor", purpose: AUDITOR.purpose, operationName: "Log", households: [h.id], outcome: "OK" });
    expect(own.fields["Query.accessLog"]).toBe("read");
  });

  test("what did this subject read: filter by subject and field, paginated by cursor", async () => {
    await gw.gql(ONE, { id: households[12].id }, { audience: "housing", district: households[12].districtCode, subject: "housing-clerk-7" } as MintOptions);
    await gw.gql(ONE, { id: households[13].id }, { audience: "housing", district: households[13].districtCode, subject: "housing-clerk-7" } as MintOptions);
    const first = await gw.gql(LOG, { filter: { subject: "housing-clerk-7" }, first: 1 }, AUDITOR);
    expect(first.errors).toBeUndefined();
    expect(first.data.accessLog.totalCount).toBe(2);
    expect(first.data.accessLog.pageInfo.hasNextPage).toBe(true);
    const second = await gw.gql(LOG, { filter: { subject: "housing-clerk-7" }, first: 1, after: first.data.accessLog.pageInfo.endCursor }, AUDITOR);
    const [a, b] = [first.data.accessLog.edges[0].node, second.data.accessLog.edges[0].node];
    expect(a.householdIds).toEqual([households[12].id]);
    expect(b.householdIds).toEqual([households[13].id]);
    expect(second.data.accessLog.pageInfo.hasNextPage).toBe(false);
    // housing reads the ID number masked: found under field Person.idNumber? No — ONE selects idNumber, masked for housing
    expect(a.fields).toContainEqual({ coordinate: "Person.idNumber", disclosure: "MASKED" });
    const byField = await gw.gql(LOG, { filter: { subject: "housing-clerk-7", field: "Person.idNumber" }, first: 10 }, AUDITOR);
    expect(byField.data.accessLog.totalCount).toBe(2);
    const notDisclosed = await gw.gql(LOG, { filter: { subject: "housing-clerk-7", field: "Household.assets" }, first: 10 }, AUDITOR);
    expect(notDisclosed.data.accessLog.totalCount).toBe(0);
  });

  test("only auditors read the log or the findings; bad filters are BAD_USER_INPUT", async () => {
    const h = households[0];
    for (const audience of AUDIENCES.filter((a) => a !== "auditor")) {
      const as: MintOptions =
        audience === "charity" ? { audience, charityId: CHARITY } : audience === "street_office" ? { audience, street: h.streetCode } : { audience, district: h.districtCode };
      const r = await gw.gql(`{ accessLog(first: 1) { totalCount } auditFindings(first: 1) { totalCount } }`, {}, as);
      expect(r.data, audience).toMatchObject({ accessLog: null, auditFindings: null });
      expect(r.errors?.map((e) => [e.path?.[0], e.extensions?.code]), audience).toEqual([
        ["accessLog", "FORBIDDEN"],
        ["auditFindings", "FORBIDDEN"],
      ]);
    }
    const bad = await gw.gql(LOG, { filter: { household: "not-an-id" }, first: 1 }, AUDITOR);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_ID", field: "filter.household" });
    const page = await gw.gql(LOG, { first: 101 }, AUDITOR);
    expect(page.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "PAGE_SIZE" });
    const cursor = await gw.gql(LOG, { first: 1, after: "nope" }, AUDITOR);
    expect(cursor.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_CURSOR" });
  });
});

describe("the sensitive classes a record disclosed (issue 12)", () => {
  const CLASSES = `query C($c: SensitiveClass!, $after: String) { accessLog(first: 100, after: $after, filter: { class: $c }) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { requestId classes } } } }`;
  const AUDITOR = { audience: "auditor" as const, city: "500000", purpose: "class test" };

  test("each record carries the classes of the fields it read or masked (the class table), and a class filter finds exactly those records", async () => {
    const h = households[20];
    await gw.gql(`query { household(id: "${h.id}") { id members { idNumber } } }`, {}, { audience: "health", city: "500000" }, { "x-request-id": "cls-health-id" });
    await gw.gql(`query { household(id: "${h.id}") { id phone address } }`, {}, undefined, { "x-request-id": "cls-civil-contact" });
    await gw.gql(`query { household(id: "${h.id}") { id members { medicalInsurance { seriousDisease outOfPocketFen } } } }`, {}, undefined, { "x-request-id": "cls-civil-diag" });
    await gw.gql(`query { household(id: "${h.id}") { id streetCode } }`, {}, undefined, { "x-request-id": "cls-civil-none" });
    const byId = new Map((await all()).filter((r) => r.requestId.startsWith("cls-")).map((r) => [r.requestId, r]));
    // oracle: the coordinates each query names, classed by hand from the class table's meaning
    expect(byId.get("cls-health-id")!.classes).toEqual(["ID_NUMBER"]); // masked for health, still a (partial) disclosure
    expect(byId.get("cls-civil-contact")!.classes).toEqual(["CONTACT", "ADDRESS"]);
    expect(byId.get("cls-civil-diag")!.classes).toEqual(["DIAGNOSIS", "MEDICAL"]);
    expect(byId.get("cls-civil-none")!.classes).toEqual([]);

    for (const [cls, expected] of [
      ["ID_NUMBER", ["cls-health-id"]],
      ["CONTACT", ["cls-civil-contact"]],
      ["DIAGNOSIS", ["cls-civil-diag"]],
    ] as const) {
      const nodes: any[] = [];
      let after: string | null = null;
      let totalCount = 0;
      do {
        const res = await gw.gql(CLASSES, { c: cls, after }, AUDITOR);
        expect(res.errors).toBeUndefined();
        nodes.push(...res.data.accessLog.edges.map((e: any) => e.node));
        totalCount = res.data.accessLog.totalCount;
        after = res.data.accessLog.pageInfo.hasNextPage ? res.data.accessLog.pageInfo.endCursor : null;
      } while (after);
      expect(nodes.map((n) => n.requestId).filter((id: string) => id.startsWith("cls-")), cls).toEqual(expected);
      // every record the filter returns lists the class, and every record in the log that lists it is returned
      expect(nodes.every((n) => n.classes.includes(cls))).toBe(true);
      const truth = (await all()).filter((r) => r.classes?.includes(cls)).map((r) => r.requestId);
      expect(nodes.map((n) => n.requestId).filter((id) => truth.includes(id))).toHaveLength(nodes.length);
      expect(totalCount).toBeGreaterThanOrEqual(nodes.length);
    }
    const bad = await gw.gql(`query { accessLog(filter: { class: NOT_A_CLASS }) { totalCount } }`, {}, AUDITOR);
    expect(bad.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    // the classes are hashed into the chain: altering them breaks verification is proven by the chain tests; here the whole log still verifies
    expect(await verify()).toMatchObject({ ok: true, firstBreak: null });
  });
});


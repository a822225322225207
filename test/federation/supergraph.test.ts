/**
 * Issue 17 point 4: the gateway in a supergraph. The real gateway (test assembly: real database, the five real
 * department sandboxes over HTTP, real JWTs, the access log on) and, started here, a small emergency-management
 * subgraph (disaster relief, seeds 002 #15–17) that extends `Household` by its key. The supergraph is composed
 * with `@apollo/composition` from the SDL the gateway itself serves at `{ _service { sdl } }`, and run by a real
 * router from npm (`@apollo/gateway`, static supergraph) that forwards each caller's Authorization header to
 * both subgraphs.
 *
 * Expected values come from raw database rows and the policy table (src/policy/rules.ts): a read field is the
 * row's value, a masked address is the row's address cut after its street (街道), a field the audience may not
 * read is null with FORBIDDEN at its path — and a query through the router answers exactly as the same query
 * sent to the gateway directly.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse, GraphQLError } from "graphql";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { composeServices } from "@apollo/composition";
import { ApolloGateway, RemoteGraphQLDataSource } from "@apollo/gateway";
import { runSeed } from "../../dev/seed/run.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import type { MintOptions } from "../../dev/keys/dev-keys.js";
import { POLICY } from "../../src/policy/rules.js";

const POPULATION = { seed: 20190101, asOf: "2026-11-01", persons: 400 } as const;
const NOW = new Date(`${POPULATION.asOf}T12:00:00Z`);

interface HouseholdRow {
  id: string;
  registry_no: string;
  street_code: string;
  address: string;
  version: number;
}
interface PersonRow {
  id: string;
  household_id: string;
  name: string;
  id_number: string;
}

// ---------------------------------------------------------------------------------------------------
// The emergency-management subgraph: disaster relief per household (区应急局, 002 #15–17)

const RELIEF_SDL = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  enum ReliefKind { EMERGENCY_LIVING TRANSITIONAL_LIVING WINTER_SPRING HOUSING_REBUILD }
  type DisasterRelief { kind: ReliefKind! amountFen: Int! grantedOn: String! }
  type Household @key(fields: "id") {
    id: ID!
    "Disaster relief granted to the household by the district emergency-management bureau."
    disasterRelief: [DisasterRelief!]!
  }
  type ReliefCase { caseNo: String! kind: ReliefKind! household: Household }
  type Query { reliefCases: [ReliefCase!]! }
`);

interface Relief {
  kind: string;
  amountFen: number;
  grantedOn: string;
}

async function startReliefSubgraph(relief: Map<string, Relief[]>, cases: { caseNo: string; kind: string; householdId: string }[]) {
  const seen: (string | undefined)[] = [];
  const server = new ApolloServer<{ authorization?: string }>({
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    schema: buildSubgraphSchema({
      typeDefs: RELIEF_SDL,
      resolvers: {
        Household: {
          __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
          disasterRelief: (h: { id: string }) => relief.get(h.id) ?? [],
        },
        Query: {
          reliefCases: (_: unknown, __: unknown, ctx: { authorization?: string }) => {
            if (!ctx.authorization) throw new GraphQLError("no token", { extensions: { code: "UNAUTHENTICATED" } });
            return cases.map((c) => ({ caseNo: c.caseNo, kind: c.kind, household: { __typename: "Household", id: c.householdId } }));
          },
        },
      } as never,
    }),
  });
  const { url } = await startStandaloneServer(server, {
    listen: { host: "127.0.0.1", port: 0 },
    context: async ({ req }) => {
      seen.push(req.headers.authorization);
      return { authorization: req.headers.authorization };
    },
  });
  return { url, seen, stop: () => server.stop() };
}

// ---------------------------------------------------------------------------------------------------

let gw: TestGateway;
let relief: Awaited<ReturnType<typeof startReliefSubgraph>>;
let router: ApolloServer<{ authorization?: string; requestId?: string }>;
let routerUrl: string;
let inside: HouseholdRow; // on the education token's street, with members
let outside: HouseholdRow; // on another street
let members: Map<string, PersonRow[]>;
const RELIEF = new Map<string, Relief[]>();

const civil: MintOptions = { audience: "civil_affairs", city: "500000" };
/** an education office for the street of `inside` (set once the rows are read) */
let education: MintOptions;

async function viaRouter(query: string, variables: Record<string, unknown>, as: MintOptions) {
  const token = await gw.token(as);
  const requestId = `fed-${randomUUID()}`;
  const res = await fetch(routerUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": requestId },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[] };
  return { ...body, requestId, token, text: JSON.stringify(body) };
}

async function accessRecords(requestId: string) {
  return gw.db.sql.query<{ audience: string; fields: Record<string, string>; household_ids: string[]; error_codes: string[]; outcome: string }>(
    `SELECT audience, fields, household_ids, error_codes, outcome FROM audit_log WHERE request_id = $1 ORDER BY seq`,
    [requestId],
  );
}

/** The row's address cut after its street (the policy's `address` mask: to the street). */
const toStreet = (address: string) => {
  const at = address.indexOf("街道");
  expect(at, `the seeded address ${address} names a street`).toBeGreaterThan(0);
  return address.slice(0, at + 2);
};

/** What the policy table says `audience` gets for Household.<field> of `row`, and whether it is an error. */
function expectedHouseholdField(field: "id" | "registryNo" | "address" | "version", row: HouseholdRow, audience: "civil_affairs" | "education") {
  const access = POLICY.Household[field][audience];
  const raw = { id: row.id, registryNo: row.registry_no, address: row.address, version: row.version }[field];
  if (access === undefined) return { value: null, forbidden: true };
  if (access === "read") return { value: raw, forbidden: false };
  if (typeof access === "object" && access.mask === "address") return { value: toStreet(String(raw)), forbidden: false };
  throw new Error(`the test does not know ${JSON.stringify(access)} for Household.${field}`);
}

const HOUSEHOLD_FIELDS = ["id", "registryNo", "address", "version"] as const;
const SELECTION = `id registryNo address version members { id name idNumber }`;

beforeAll(async () => {
  gw = await startGateway({
    now: NOW,
    audit: true,
    seed: (db) => runSeed({ sql: db.sql, ...POPULATION, progress: "none" }).then(() => undefined),
    sandboxes: { ...POPULATION, employment: { rateLimitPerSecond: 1_000_000, burst: 100_000 } },
  });
  const households = await gw.db.sql.query<HouseholdRow>(
    `SELECT h.id, h.registry_no, h.street_code, h.address, h.version FROM household h
      WHERE EXISTS (SELECT 1 FROM person p WHERE p.household_id = h.id) AND h.address LIKE '%街道%' ORDER BY h.id`,
  );
  // the small population lives on one street: the registry moves one household to a neighbouring street
  [inside, outside] = households;
  expect(outside, "two households with members").toBeDefined();
  const [other] = await gw.db.sql.query<{ code: string }>(
    `SELECT code FROM street WHERE code <> $1 AND district_code = (SELECT district_code FROM street WHERE code = $1) ORDER BY code LIMIT 1`,
    [inside.street_code],
  );
  await gw.db.sql.query(`UPDATE household SET street_code = $1 WHERE id = $2`, [other.code, outside.id]);
  outside = { ...outside, street_code: other.code };
  education = { audience: "education", street: inside.street_code };
  const persons = await gw.db.sql.query<PersonRow>(`SELECT id, household_id, name, id_number FROM person WHERE household_id = ANY($1::uuid[])`, [
    [inside.id, outside.id],
  ]);
  members = new Map([inside.id, outside.id].map((id) => [id, persons.filter((p) => p.household_id === id)]));

  RELIEF.set(inside.id, [
    { kind: "EMERGENCY_LIVING", amountFen: 150_000, grantedOn: "2026-07-12" },
    { kind: "WINTER_SPRING", amountFen: 80_000, grantedOn: "2026-10-20" },
  ]);
  RELIEF.set(outside.id, [{ kind: "HOUSING_REBUILD", amountFen: 2_000_000, grantedOn: "2026-08-03" }]);
  relief = await startReliefSubgraph(RELIEF, [
    { caseNo: "YJ-2026-001", kind: "EMERGENCY_LIVING", householdId: inside.id },
    { caseNo: "YJ-2026-002", kind: "HOUSING_REBUILD", householdId: outside.id },
  ]);

  // compose from what the gateway serves (as `rover subgraph introspect` would read it)
  const sdl = await gw.gql(`{ _service { sdl } }`, {}, civil);
  expect(sdl.errors).toBeUndefined();
  const composed = composeServices([
    { name: "registry", url: `${gw.url}/graphql`, typeDefs: parse(sdl.data._service.sdl) },
    { name: "emergency", url: relief.url, typeDefs: RELIEF_SDL },
  ]);
  expect(composed.errors?.map((e) => e.message) ?? []).toEqual([]);
  if (composed.errors) throw new Error("composition failed");

  router = new ApolloServer({
    gateway: new ApolloGateway({
      supergraphSdl: composed.supergraphSdl,
      buildService: ({ url }) =>
        new RemoteGraphQLDataSource({
          url,
          willSendRequest({ request, context }) {
            const ctx = context as { authorization?: string; requestId?: string };
            if (ctx.authorization) request.http!.headers.set("authorization", ctx.authorization);
            if (ctx.requestId) request.http!.headers.set("x-request-id", ctx.requestId);
          },
        }),
    }),
  });
  routerUrl = (
    await startStandaloneServer(router, {
      listen: { host: "127.0.0.1", port: 0 },
      context: async ({ req }) => ({ authorization: req.headers.authorization, requestId: req.headers["x-request-id"] as string | undefined }),
    })
  ).url;
});

afterAll(async () => {
  await router?.stop();
  await relief?.stop();
  await gw?.close();
});

const BY_ID = `query ById($id: ID!) { household(id: $id) { ${SELECTION} disasterRelief { kind amountFen grantedOn } } }`;
const CASES = `query Cases { reliefCases { caseNo kind household { ${SELECTION} } } }`;

const sortById = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
const rawMembers = (householdId: string) =>
  sortById(members.get(householdId)!.map((p) => ({ id: p.id, name: p.name, idNumber: p.id_number })));

describe("the subgraph", () => {
  test("_service returns the subgraph SDL: Federation v2 @link, @key on Household and Person by id", async () => {
    const { data, errors } = await gw.gql(`{ _service { sdl } }`, {}, education);
    expect(errors).toBeUndefined();
    expect(data._service.sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+"/);
    expect(data._service.sdl).toMatch(/type Household\s+@key\(fields: "id"\)/);
    expect(data._service.sdl).toMatch(/type Person\s+@key\(fields: "id"\)/);
  });

  test("_entities sent directly: the same field policy as household/person, entity type checked per audience", async () => {
    const query = `query E($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Household { address version } ... on Person { name idNumber } } }`;
    const person = members.get(inside.id)![0];
    const reps = [
      { __typename: "Household", id: inside.id },
      { __typename: "Person", id: person.id },
    ];
    const asEducation = await gw.gql(query, { r: reps }, education);
    expect(asEducation.data._entities).toEqual([
      { __typename: "Household", address: toStreet(inside.address), version: null },
      { __typename: "Person", name: person.name, idNumber: person.id_number },
    ]);
    expect(asEducation.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[["_entities", 0, "version"], "FORBIDDEN"]]);

    const charityId = (await gw.db.sql.query<{ id: string }>(`SELECT id FROM charity ORDER BY id LIMIT 1`))[0].id;
    const asCharity = await gw.gql(query, { r: reps }, { audience: "charity", charityId });
    expect(asCharity.data._entities[1]).toBeNull(); // a charity looks no person up
    expect(asCharity.errors?.find((e) => e.path?.join(".") === "_entities.1")?.extensions).toMatchObject({ code: "FORBIDDEN", reason: "ENTITY_NOT_ALLOWED" });
    expect(JSON.stringify(asCharity.body)).not.toContain(person.name);

    // an unknown household: null with NOT_FOUND at its entry, and an access record that discloses nothing
    const requestId = `fed-${randomUUID()}`;
    const unknown = await gw.gql(query, { r: [{ __typename: "Household", id: randomUUID() }] }, civil, { "x-request-id": requestId });
    expect(unknown.data._entities).toEqual([null]);
    expect(unknown.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[["_entities", 0], "NOT_FOUND"]]);
    const [record] = await accessRecords(requestId);
    expect(record).toMatchObject({ audience: "civil_affairs", household_ids: [], error_codes: ["NOT_FOUND"] });
    expect(record.fields["Query._entities"]).toBe("read");

    const bad = await gw.gql(query, { r: [{ __typename: "AssistanceCase", id: inside.id }] }, civil);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "INVALID_REPRESENTATION" });
  });
});

describe("through the router", () => {
  test("civil affairs: one query crossing both subgraphs gets the registry's fields and the relief fields", async () => {
    const res = await viaRouter(BY_ID, { id: inside.id }, civil);
    expect(res.errors).toBeUndefined();
    const h = res.data.household;
    for (const f of HOUSEHOLD_FIELDS) expect(h[f]).toEqual(expectedHouseholdField(f, inside, "civil_affairs").value);
    expect(sortById(h.members)).toEqual(rawMembers(inside.id));
    expect(h.disasterRelief).toEqual(RELIEF.get(inside.id));
    // the router forwarded the caller's token to the relief subgraph too
    expect(relief.seen.at(-1)).toBe(`Bearer ${res.token}`);

    // starting at the relief subgraph: the registry's part comes through _entities
    const cases = await viaRouter(CASES, {}, civil);
    expect(cases.errors).toBeUndefined();
    expect(cases.data.reliefCases.map((c: any) => [c.caseNo, c.household.registryNo, c.household.address])).toEqual([
      ["YJ-2026-001", inside.registry_no, inside.address],
      ["YJ-2026-002", outside.registry_no, outside.address],
    ]);
    const [record] = await accessRecords(cases.requestId);
    expect(record.fields["Query._entities"]).toBe("read");
    expect([...record.household_ids].sort()).toEqual([inside.id, outside.id].sort());
  });

  test("education: the field policy exactly as a direct query — masked address, FORBIDDEN per path, nothing through _entities", async () => {
    const res = await viaRouter(BY_ID, { id: inside.id }, education);
    const direct = await gw.gql(`query ById($id: ID!) { household(id: $id) { ${SELECTION} } }`, { id: inside.id }, education);
    const h = res.data.household;
    for (const f of HOUSEHOLD_FIELDS) expect(h[f], f).toEqual(expectedHouseholdField(f, inside, "education").value);
    const forbiddenPaths = HOUSEHOLD_FIELDS.filter((f) => expectedHouseholdField(f, inside, "education").forbidden).map((f) => `household.${f}`);
    expect(forbiddenPaths.length).toBeGreaterThan(0); // the policy table denies education some household field (version)
    const errs = (r: { errors?: { path?: (string | number)[]; extensions?: Record<string, any> }[] }) =>
      (r.errors ?? []).map((e) => `${e.path?.join(".")}:${e.extensions?.code}`).sort();
    expect(errs(res)).toEqual(forbiddenPaths.map((p) => `${p}:FORBIDDEN`).sort());
    expect(errs(res)).toEqual(errs(direct));
    // member fields as the policy table says (education reads a member's name and ID number)
    const memberAccess = ["id", "name", "idNumber"].map((f) => POLICY.Person[f].education);
    expect(memberAccess).toEqual(["read", "read", "read"]);
    expect(sortById(h.members)).toEqual(rawMembers(inside.id));
    const { disasterRelief, ...registryPart } = h;
    expect(registryPart).toEqual(direct.data.household);
    expect(disasterRelief).toEqual(RELIEF.get(inside.id));
    expect(res.text).not.toContain(inside.address);

    // through _entities (starting at the relief subgraph): the same masks and denials; the other street's
    // household is null with NOT_FOUND, and nothing of it leaks
    const cases = await viaRouter(CASES, {}, education);
    const [inCase, outCase] = cases.data.reliefCases;
    expect(inCase.household).toEqual(registryPart);
    expect(outCase.caseNo).toBe("YJ-2026-002");
    // the router keeps the relief subgraph's own part of the case (the key it holds); every registry field is null
    expect(outCase.household).toEqual({ id: outside.id, registryNo: null, address: null, version: null, members: null });
    expect(errs(cases)).toEqual(["reliefCases.0.household.version:FORBIDDEN", "reliefCases.1.household:NOT_FOUND"]);
    for (const secret of [outside.address, outside.registry_no, inside.address, ...members.get(outside.id)!.flatMap((p) => [p.name, p.id_number])])
      expect(cases.text).not.toContain(secret);

    // the access record of the _entities call: education, the inside household disclosed, the outside one not, NOT_FOUND
    const [record] = await accessRecords(cases.requestId);
    expect(record.audience).toBe("education");
    expect(record.fields).toMatchObject({ "Query._entities": "read", "Household.address": "masked", "Household.version": "denied" });
    expect(record.household_ids).toEqual([inside.id]);
    expect(record.error_codes).toEqual(expect.arrayContaining(["FORBIDDEN", "NOT_FOUND"]));
  });

  test("an out-of-jurisdiction household (another street) asked by id through the router: null, NOT_FOUND, recorded", async () => {
    const res = await viaRouter(BY_ID, { id: outside.id }, education);
    expect(res.data?.household ?? null).toBeNull();
    expect(res.errors?.map((e) => e.extensions?.code)).toContain("NOT_FOUND");
    for (const secret of [outside.address, outside.registry_no, ...members.get(outside.id)!.map((p) => p.name)]) expect(res.text).not.toContain(secret);
    const records = await accessRecords(res.requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ audience: "education", household_ids: [], outcome: "ERROR" });
    expect(records[0].error_codes).toContain("NOT_FOUND");
  });

  test("a charity gets no identities through the router", async () => {
    const charityId = (await gw.db.sql.query<{ id: string }>(`SELECT id FROM charity ORDER BY id LIMIT 1`))[0].id;
    const as: MintOptions = { audience: "charity", charityId };
    // a household this charity may open (behind an open need its resources match), named by its own reference
    const needs = await gw.gql(`{ needs(first: 100) { edges { node { householdRef } } } }`, {}, as);
    expect(needs.errors).toBeUndefined();
    let ref: string | undefined;
    for (const { node } of needs.data.needs.edges as { node: { householdRef: string } }[]) {
      const opened = await gw.gql(`query ($id: ID!) { household(id: $id) { id } }`, { id: node.householdRef }, as);
      if (opened.data?.household) {
        ref = node.householdRef;
        break;
      }
    }
    expect(ref, "a household the charity may open").toBeDefined();
    const opened = await viaRouter(BY_ID, { id: ref }, as);
    expect(opened.data.household).toEqual({ id: ref, registryNo: null, address: null, version: null, members: null, disasterRelief: [] });
    const denied = HOUSEHOLD_FIELDS.filter((f) => POLICY.Household[f].charity === undefined).concat(POLICY.Household.members.charity ? [] : ["members" as never]);
    expect(denied.sort()).toEqual(["address", "members", "registryNo", "version"]);
    expect((opened.errors ?? []).map((e) => `${e.path?.join(".")}:${e.extensions?.code}`).sort()).toEqual(denied.map((f) => `household.${f}:FORBIDDEN`).sort());

    // the relief subgraph's keys are registry ids, which are not this charity's references: the registry resolves
    // none of them (BAD_USER_INPUT at each), and the router keeps only the relief subgraph's own part
    const cases = await viaRouter(CASES, {}, as);
    expect(cases.data.reliefCases.map((c: any) => c.household)).toEqual(
      [inside, outside].map((h) => ({ id: h.id, registryNo: null, address: null, version: null, members: null })),
    );
    expect(cases.errors?.map((e) => `${e.path?.join(".")}:${e.extensions?.code}`).sort()).toEqual([
      "reliefCases.0.household:BAD_USER_INPUT",
      "reliefCases.1.household:BAD_USER_INPUT",
    ]);
    const byId = await viaRouter(BY_ID, { id: inside.id }, as);
    expect(byId.data?.household ?? null).toBeNull();
    for (const r of [opened, cases, byId]) {
      for (const h of [inside, outside]) {
        for (const secret of [h.address, h.registry_no, ...members.get(h.id)!.flatMap((p) => [p.id, p.name, p.id_number])])
          expect(r.text).not.toContain(secret);
      }
    }
    for (const r of [cases, byId]) for (const record of await accessRecords(r.requestId)) expect(record.household_ids).toEqual([]);
  });
});

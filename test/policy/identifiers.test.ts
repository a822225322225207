/**
 * Privacy by construction, identifiers (issue 12): no id the API returns embeds what its audience may not
 * read. A generated population in the registry and the five department sandboxes; every identifying value
 * is gathered from the raw database rows and the department systems' records (ID numbers, names, phones,
 * addresses, registry numbers, disability certificate numbers). For each audience the values it may not
 * read in clear — per the policy table (src/policy/rules.ts: anything but "read"; a consented phone aside)
 * — are searched for in every string of full responses: the unified view of a page of households with
 * every field the schema has (eligibility, aid chain, alerts, needs, matches), the alert sweep, the needs
 * page, the charity's own views, and the access log. None may appear. The same search over civil affairs'
 * responses does find them (the search can fail).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getNamedType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { runSeed } from "../../dev/seed/run.js";
import { POLICY } from "../../src/policy/rules.js";
import { accessFor } from "../../src/policy/plan.js";
import { AUDIENCES, type Audience } from "../../src/policy/audiences.js";
import { gatewaySchema } from "../../src/graphql/schema.js";
import type { MintOptions } from "../../dev/keys/dev-keys.js";
import { createResource, registerCharity } from "../charity/fixture.js";

const SEED = 11;
const AS_OF = "2026-11-01";
const PERSONS = 400;
const NOW = new Date("2026-11-22T08:00:00Z");
const CITY = "500000";
const CHARITY = "ident-charity";
const SOURCE_NAMES = ["education", "employment", "housing", "medicalInsurance", "disability"] as const;

let gw: TestGateway;
/** identifying values by the coordinate that discloses them */
const identifying = new Map<string, Set<string>>();
/** phones a charity may see: households that consented to it */
let consentedPhones = new Set<string>();
let busiestStreet = "";

const add = (coordinate: string, v: string | null | undefined) => {
  if (!v) return;
  if (!identifying.has(coordinate)) identifying.set(coordinate, new Set());
  identifying.get(coordinate)!.add(v);
};

/** Every `certificateNo` (and other identifying keys) anywhere in a department record. */
function collectFromRecord(x: unknown) {
  if (x === null || typeof x !== "object") return;
  if (Array.isArray(x)) return x.forEach(collectFromRecord);
  for (const [k, v] of Object.entries(x)) {
    if (k === "certificateNo" && typeof v === "string") add("Disability.certificateNo", v);
    else if (k === "idNumber" && typeof v === "string") add("Person.idNumber", v);
    else if (k === "registryNo" && typeof v === "string") add("Household.registryNo", v);
    else collectFromRecord(v);
  }
}

beforeAll(async () => {
  schema = await gatewaySchema();
  gw = await startGateway({
    now: NOW,
    seed: async (db) => runSeed({ sql: db.sql, seed: SEED, asOf: AS_OF, persons: PERSONS, progress: "none" }),
    sandboxes: { seed: SEED, asOf: AS_OF, persons: PERSONS, employment: { rateLimitPerSecond: 1_000_000, burst: 100_000 } },
    connectors: Object.fromEntries(SOURCE_NAMES.map((s) => [s, { timeoutMs: 30_000, breaker: { threshold: 1_000_000 } }])),
    // full responses: the whole schema below a household in one operation
    // the largest limits the configuration accepts (src/app/config.ts): the full-response queries are not what is tested here
    edge: { GRAPHQL_MAX_DEPTH: 40, GRAPHQL_MAX_TOKENS: 100_000, GRAPHQL_MAX_COST: 10_000_000, GRAPHQL_MAX_ALIASES: 1000 },
    audit: true,
  });
  const p = gw.db.prisma;
  const [persons, households] = await Promise.all([p.person.findMany(), p.household.findMany()]);
  for (const x of persons) (add("Person.idNumber", x.idNumber), add("Person.name", x.name));
  for (const h of households) (add("Household.phone", h.phone), add("Household.address", h.address), add("Household.registryNo", h.registryNo));
  const sources = gw.connectors.loaders();
  const ids = persons.map((x) => x.idNumber);
  const records = await Promise.all([
    sources.education.loadMany(ids),
    sources.employment.loadMany(ids),
    sources.medicalInsurance.loadMany(ids),
    sources.disability.loadMany(ids),
    sources.housing.loadMany(households.map((h) => h.registryNo)),
  ]);
  records.forEach(collectFromRecord);
  expect(identifying.get("Disability.certificateNo")?.size ?? 0).toBeGreaterThan(0);

  const counts = new Map<string, number>();
  for (const h of households) counts.set(h.streetCode, (counts.get(h.streetCode) ?? 0) + 1);
  busiestStreet = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const district = busiestStreet.slice(0, 6);

  // a charity with a resource in the busiest district, needs derived there, and an alert action stored
  await registerCharity(gw, CHARITY, "标识测试慈善会（合成数据）", "53500103MJP999999X", [district]);
  for (const category of ["CARE_VISITS", "WINTER_CLOTHING", "SCHOOL_COSTS", "MEDICAL_COSTS"])
    await createResource(gw, CHARITY, { category, title: `测试 ${category}`, quantity: 500, shared: true }).catch(() => undefined);
  const refreshed = await gw.gql(`mutation($s: String!) { refreshDerivedNeeds(street: $s) { id } }`, { s: busiestStreet }, { audience: "street_office", street: busiestStreet });
  expect(refreshed.errors).toBeUndefined();
  consentedPhones = new Set(
    (await p.contactConsent.findMany({ where: { charityId: CHARITY, revokedAt: null }, include: { household: true } })).map((c) => c.household.phone ?? ""),
  );
}, 240_000);
afterAll(async () => gw?.close());

// ---------------------------------------------------------------------------------------------------
// Full selections, generated from the schema (every field; arguments left to their defaults)

let schema: GraphQLSchema;
function selection(type: GraphQLObjectType, depth: number, path: Set<string>): string {
  const parts: string[] = [];
  for (const [name, field] of Object.entries(type.getFields())) {
    if (field.args.some((a) => a.type.toString().endsWith("!") && a.defaultValue === undefined)) continue;
    const named = getNamedType(field.type);
    if (isObjectType(named)) {
      if (depth <= 0 || path.has(named.name)) continue;
      const inner = selection(named, depth - 1, new Set([...path, named.name]));
      if (inner) parts.push(`${name} { ${inner} }`);
    } else parts.push(name);
  }
  return parts.join(" ");
}
const of = (name: string) => schema.getType(name) as GraphQLObjectType;
const full = (name: string, depth = 7) => selection(of(name), depth, new Set([name]));

function tokenFor(audience: Audience): MintOptions {
  switch (audience) {
    case "auditor":
      return { audience, city: CITY, purpose: "identifier test" };
    case "street_office":
      return { audience, street: busiestStreet };
    case "charity":
      return { audience, charityId: CHARITY };
    default:
      return { audience, city: CITY };
  }
}

/** Full responses for one audience: everything its token may ask (denied fields come back null with an error). */
async function responsesOf(audience: Audience): Promise<unknown[]> {
  const as = tokenFor(audience);
  const out: unknown[] = [];
  const q = async (query: string, variables: Record<string, unknown> = {}) => {
    const res = await gw.gql(query, variables, as);
    expect(res.status, `${audience}: ${JSON.stringify(res.body).slice(0, 300)}`).toBeLessThan(500);
    out.push(res.body);
    return res;
  };
  await q(`query($s: String) { households(first: 12, filter: { street: $s }) { edges { cursor node { ${full("Household")} } } pageInfo { hasNextPage endCursor } totalCount } }`, {
    s: busiestStreet,
  });
  await q(`query($s: String) { alerts(first: 12, filter: { street: $s }) { ${full("AlertPage")} } }`, { s: busiestStreet });
  const needs = await q(`query($s: String) { needs(first: 30, filter: { street: $s }) { ${full("NeedConnection")} } }`, { s: busiestStreet });
  await q(`query { resources { ${full("Resource")} } myClaims { ${full("Claim")} } }`);
  // the household behind each need, by the reference this audience got
  const refs = new Set<string>(((needs.data as any)?.needs?.edges ?? []).map((e: any) => e.node?.householdRef).filter(Boolean));
  for (const id of [...refs].slice(0, 6)) await q(`query($id: ID!) { household(id: $id) { ${full("Household")} } }`, { id });
  await q(`query { accessLog(first: 100) { ${full("AccessRecordConnection")} } }`);
  return out;
}

/** The identifying values this audience may not read in clear (anything but "read"; a phone the household consented to show it aside). */
function forbiddenFor(audience: Audience): string[] {
  const out: string[] = [];
  for (const [coordinate, values] of identifying) {
    const [type, field] = coordinate.split(".");
    const access = accessFor(POLICY, type, field, audience);
    if (access === "read") continue;
    for (const v of values) if (!(access === "consent" && consentedPhones.has(v))) out.push(v);
  }
  return out;
}

function leaks(bodies: unknown[], values: string[]): string[] {
  const text = bodies.map((b) => JSON.stringify(b)).join("\n");
  return values.filter((v) => text.includes(v));
}

describe("no response carries an identifying value its audience may not read in clear", () => {
  test("the search finds identifying values where the audience may read them (civil affairs)", async () => {
    const bodies = await responsesOf("civil_affairs");
    const text = bodies.map((b) => JSON.stringify(b)).join("\n");
    for (const coordinate of ["Person.idNumber", "Person.name", "Household.address", "Household.registryNo", "Disability.certificateNo"])
      expect([...identifying.get(coordinate)!].some((v) => text.includes(v)), coordinate).toBe(true);
  }, 240_000);

  for (const audience of AUDIENCES.filter((a) => a !== "civil_affairs")) {
    test(`${audience}`, async () => {
      const forbidden = forbiddenFor(audience);
      const bodies = await responsesOf(audience);
      expect(leaks(bodies, forbidden)).toEqual([]);
    }, 240_000);
  }

  test("the health audience gets aid-chain links and alerts, with opaque ids that are stable across requests", async () => {
    const query = `query($s: String) { households(first: 12, filter: { street: $s }) { edges { node { id aidChain { links { id source } gaps { key } duplicates { key } } alerts { key } } } } }`;
    const a = await gw.gql(query, { s: busiestStreet }, tokenFor("health"));
    const b = await gw.gql(query, { s: busiestStreet }, tokenFor("health"));
    expect(a.errors).toBeUndefined();
    expect(b.body).toEqual(a.body);
    const links = a.data.households.edges.flatMap((e: any) => e.node.aidChain.links);
    expect(links.length).toBeGreaterThan(0);
    for (const l of links) expect(l.id).toMatch(/^ln_[A-Za-z0-9_-]{22}$/);
    // links of different households never share an id (the key is scoped to the household)
    expect(new Set(links.map((l: any) => l.id)).size).toBe(links.length);
    const alertKeys = a.data.households.edges.flatMap((e: any) => e.node.alerts.map((x: any) => x.key));
    for (const k of alertKeys) expect(k).toMatch(/^al_[A-Za-z0-9_-]{43}$/);
  }, 240_000);
});

/**
 * The field policy, proven over real HTTP: every audience × every (type, field) of POLICY.
 *
 * A seeded registry (300 persons) and the five department sandboxes over the same population. For each
 * cell the test picks a household in the audience's jurisdiction where the field has a value, asks for
 * the field through the shortest path of fields the audience may read, and checks what POLICY says:
 *   read          the true value: the database row / the department system's record (through its
 *                 connector, not through GraphQL), serialised as the schema's scalar says
 *   masked(kind)  exactly src/policy/masks.ts applied to the true value (pseudonyms: the gateway's
 *                 per-charity reference), and never the true value
 *   consent       the phone where the household consented, null (no error) where it did not
 *   absent        null with exactly one FORBIDDEN error at each path, while a sibling field resolves
 * A type the audience cannot reach (an ancestor field is denied) is proven by the denial at that
 * ancestor. The cells are derived from POLICY and the schema, so they cannot drift from them.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getNamedType, isObjectType, isNonNullType, type GraphQLObjectType } from "graphql";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { runSeed } from "../../prisma/seed/run.js";
import { POLICY, type Access } from "../../src/policy/rules.js";
import { AUDIENCES, type Audience } from "../../src/policy/audiences.js";
import { applyMask, type MaskKind } from "../../src/policy/masks.js";
import { cell as cellLabel } from "../../src/policy/table.js";
import { gatewaySchema } from "../../src/graphql/schema.js";
import { formatDate } from "../../schema/scalars.js";
import { ageOn } from "../../src/domain/age.js";
import { encodeCursor } from "../../src/registry/cursor.js";
import { parametersInForce } from "../../src/registry/policy-parameters.js";
import { regionChain } from "../../src/registry/region.js";
import { makeIdNumber } from "../../src/domain/idnumber.js";
import type { MintOptions } from "../../src/auth/dev-keys.js";
import type { Household as HouseholdRow } from "../../src/db/generated/client.js";

const SEED = 7;
const AS_OF = "2026-11-01";
const PERSONS = 300;
const NOW = new Date("2026-11-22T08:00:00Z");
const CHARITY = "charity-matrix";
const PAGE = 5;

type Raw = Record<string, unknown>;
type Json = unknown;

// ------------------------------------------------------------------------------------------------
// The cells: derived from POLICY and the schema at collection time.

const schema = await gatewaySchema();
const objectType = (name: string) => schema.getType(name) as GraphQLObjectType;

/** The roots a household's data is reached from, with the arguments the test gives them. */
const ROOTS: Record<string, { type: string; args: string; vars: string }> = {
  household: { type: "Household", args: "(id: $id)", vars: "$id: ID!" },
  households: { type: "HouseholdConnection", args: `(first: ${PAGE}, filter: { street: $street })`, vars: "$street: String" },
  policyParameters: { type: "PolicyParameter", args: "(regionCode: $region)", vars: "$region: String!" },
};

const hasRequiredArgs = (t: GraphQLObjectType, f: string) =>
  t.getFields()[f].args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined);

/** Shortest path (field names from the Query root) to each object type; only through fields the audience may read when `readable`. */
function routes(audience: Audience, readable: boolean): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const queue: [string, string[]][] = Object.entries(ROOTS).map(([root, r]) => [r.type, [root]]);
  while (queue.length) {
    const [type, path] = queue.shift()!;
    if (found.has(type)) continue;
    found.set(type, path);
    const t = objectType(type);
    for (const [name, def] of Object.entries(t.getFields())) {
      const named = getNamedType(def.type);
      if (!isObjectType(named) || found.has(named.name) || hasRequiredArgs(t, name)) continue;
      if (readable && !POLICY[type]?.[name]?.[audience]) continue;
      queue.push([named.name, [...path, name]]);
    }
  }
  return found;
}

interface Cell {
  audience: Audience;
  type: string;
  field: string;
  access: Access | undefined;
  /** [root, ..., field] */
  template: string[];
  /** the leaf is an object (or a list of objects): selected as { __typename } */
  objectLeaf: boolean;
  /** when the type cannot be reached through readable fields: the length of the template prefix that is denied */
  deniedAt: number | null;
  /** a field of the same parent the audience may read (or __typename) */
  sibling: string;
}

function cellsFor(audience: Audience): Cell[] {
  const readable = routes(audience, true);
  const any = routes(audience, false);
  const cells: Cell[] = [];
  for (const [type, fields] of Object.entries(POLICY)) {
    if (type === "Query" || type === "Mutation") continue;
    const route = readable.get(type) ?? any.get(type);
    if (!route) throw new Error(`${type} cannot be reached from ${Object.keys(ROOTS).join(", ")}: give the matrix a root for it`);
    let deniedAt: number | null = null;
    if (!readable.has(type)) {
      let parent = "Query";
      for (let i = 0; i < route.length; i++) {
        if (!POLICY[parent]?.[route[i]]?.[audience]) {
          deniedAt = i + 1;
          break;
        }
        parent = getNamedType(objectType(parent).getFields()[route[i]].type).name;
      }
    }
    const t = objectType(type);
    for (const field of Object.keys(fields)) {
      const def = t.getFields()[field];
      const sibling =
        Object.keys(fields).find((f) => {
          const d = t.getFields()[f];
          return f !== field && fields[f][audience] === "read" && !isObjectType(getNamedType(d.type)) && d.args.length === 0;
        }) ?? "__typename";
      cells.push({
        audience,
        type,
        field,
        access: fields[field][audience],
        template: [...route, field],
        objectLeaf: isObjectType(getNamedType(def.type)),
        deniedAt,
        sibling,
      });
    }
  }
  return cells;
}

const CELLS = new Map(AUDIENCES.map((a) => [a, cellsFor(a)] as const));

// ------------------------------------------------------------------------------------------------
// The truth: database rows and department records, fetched without GraphQL.

let gw: TestGateway;
let households: HouseholdRow[];
const truths = new Map<string, Raw>();

const CITY = "500000";
function asFor(audience: Audience, h: { districtCode: string; streetCode: string }): MintOptions {
  switch (audience) {
    case "civil_affairs":
      return { audience, city: CITY };
    case "auditor":
      return { audience, city: CITY, purpose: "policy matrix test" };
    case "street_office":
      return { audience, street: h.streetCode };
    case "charity":
      return { audience, charityId: CHARITY };
    default:
      return { audience, district: h.districtCode };
  }
}

const householdRef = (audience: Audience, id: string) => (audience === "charity" ? gw.pseudonyms.encode(CHARITY, "household", id) : id);

async function buildTruths() {
  const p = gw.db.prisma;
  households = await p.household.findMany({ orderBy: { id: "asc" } });
  const [streets, persons, incomes, assets, cases, aidRecords] = await Promise.all([
    p.street.findMany(),
    p.person.findMany(),
    p.income.findMany(),
    p.asset.findMany(),
    p.assistanceCase.findMany(),
    p.aidRecord.findMany(),
  ]);
  const by = <T extends { householdId: string }>(rows: T[], id: string) => rows.filter((r) => r.householdId === id);
  const sources = gw.connectors.loaders();
  const [education, employment, medicalInsurance, disability, housing] = await Promise.all([
    sources.education.loadMany(persons.map((x) => x.idNumber)),
    sources.employment.loadMany(persons.map((x) => x.idNumber)),
    sources.medicalInsurance.loadMany(persons.map((x) => x.idNumber)),
    sources.disability.loadMany(persons.map((x) => x.idNumber)),
    sources.housing.loadMany(households.map((h) => h.registryNo)),
  ]);
  const fail = (v: unknown) => {
    if (v instanceof Error) throw new Error(`a department system failed while building the truth: ${v.message}`);
    return v as Raw | null;
  };
  const personIndex = new Map(persons.map((x, i) => [x.id, i]));
  households.forEach((h, hi) => {
    const hhCases = by(cases, h.id);
    const node: Raw = {
      ...h,
      street: streets.find((s) => s.code === h.streetCode) ?? null,
      incomes: by(incomes, h.id),
      assets: by(assets, h.id),
      cases: hhCases,
      currentCase: hhCases.find((c) => c.personId === null && (c.status === "ACTIVE" || c.status === "GRADUAL_EXIT")) ?? null,
      aidRecords: by(aidRecords, h.id),
      housing: fail(housing[hi]),
    };
    node.members = by(persons, h.id).map((m) => {
      const i = personIndex.get(m.id)!;
      return {
        ...m,
        age: ageOn(m.birthDate, NOW),
        household: node,
        education: fail(education[i]),
        employment: fail(employment[i]),
        medicalInsurance: fail(medicalInsurance[i]),
        disability: fail(disability[i]),
      };
    });
    truths.set(h.id, node);
  });
}

async function connectionTruth(audience: Audience, streetCode: string): Promise<Raw> {
  const ids = households.filter((h) => h.streetCode === streetCode).map((h) => h.id); // already ordered by id
  const page = ids.slice(0, PAGE);
  const cursorOf = (id: string) => encodeCursor(householdRef(audience, id));
  return {
    edges: page.map((id) => ({ cursor: cursorOf(id), node: truths.get(id) })),
    pageInfo: { hasNextPage: ids.length > PAGE, endCursor: page.length ? cursorOf(page[page.length - 1]) : null },
    totalCount: ids.length,
  };
}

async function parametersTruth(region: string): Promise<Raw[]> {
  const rows = await gw.db.prisma.policyParameter.findMany({ where: { regionCode: { in: regionChain(region) } } });
  return parametersInForce(rows.map((r) => ({ ...r, value: r.value.toString() })), regionChain(region), NOW);
}

/** A raw value as the schema's scalar serialises it. */
function serialize(typeName: string, v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => serialize(typeName, x));
  switch (typeName) {
    case "Date":
      return formatDate(v as Date);
    case "DateTime":
      return (v as Date).toISOString();
    case "Fen":
      return Number(v);
    case "ID":
      return String(v);
    case "String":
      return typeof v === "object" ? String(v) : v; // Decimal → its exact string
    default:
      return v;
  }
}

/** An object field compared by shape: null, "object", or a list of those. */
const shape = (v: unknown): Json => (v === null || v === undefined ? null : Array.isArray(v) ? v.map(shape) : "object");

interface Entry {
  path: (string | number)[];
  value: unknown;
}

/** Every value the template reaches (lists flattened, positions in the path); a null parent ends a branch. */
function reach(data: unknown, template: string[], strict: boolean): Entry[] {
  const out: Entry[] = [];
  const step = (node: unknown, i: number, path: (string | number)[]) => {
    if (i === template.length) {
      out.push({ path, value: node });
      return;
    }
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      node.forEach((n, j) => step(n, i, [...path, j]));
      return;
    }
    const obj = node as Raw;
    if (strict && !(template[i] in obj)) throw new Error(`the truth has no ${template[i]} at ${path.join(".")}`);
    step(obj[template[i]], i + 1, [...path, template[i]]);
  };
  step(data, 0, []);
  return out;
}

const hasValue = (v: unknown) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0);
const sorted = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort();

function leafType(template: string[]): string {
  let type = objectType("Query");
  for (let i = 0; i < template.length - 1; i++) type = getNamedType(type.getFields()[template[i]].type) as GraphQLObjectType;
  return getNamedType(type.getFields()[template[template.length - 1]].type).name;
}

const roots = new Map<string, Promise<Raw>>();
const parameters = new Map<string, Promise<Raw[]>>();
function truthRoot(audience: Audience, h: HouseholdRow): Promise<Raw> {
  const key = `${audience === "charity"}:${h.id}`; // only a charity's cursors differ
  if (!roots.has(key)) {
    if (!parameters.has(h.streetCode)) parameters.set(h.streetCode, parametersTruth(h.streetCode));
    roots.set(
      key,
      (async () => ({
        household: truths.get(h.id),
        households: await connectionTruth(audience, h.streetCode),
        policyParameters: await parameters.get(h.streetCode)!,
      }))(),
    );
  }
  return roots.get(key)!;
}

/** The true values at a template, serialised (objects by shape). */
function trueValues(root: Raw, template: string[], objectLeaf: boolean): Json[] {
  const t = leafType(template);
  return reach(root, template, true).map((e) => (objectLeaf ? shape(e.value) : serialize(t, e.value)));
}

function queryFor(template: string[], leaf: string, sibling: string): { query: string; root: string } {
  const root = template[0];
  let inner = `${sibling} ${leaf}`;
  for (let i = template.length - 2; i >= 0; i--) inner = `${template[i]}${i === 0 ? ROOTS[root].args : ""} { ${inner} }`;
  return { query: `query Cell(${ROOTS[root].vars}) { ${inner} }`, root };
}

function variablesFor(audience: Audience, root: string, h: HouseholdRow) {
  if (root === "household") return { id: householdRef(audience, h.id) };
  if (root === "households") return { street: h.streetCode };
  return { region: h.streetCode };
}

/** The first household (by id) whose truth at `template` has a value. */
async function householdWithValue(audience: Audience, template: string[], objectLeaf: boolean, extra: (h: HouseholdRow) => boolean = () => true) {
  for (const h of households) {
    if (!extra(h)) continue;
    const root = await truthRoot(audience, h);
    if (trueValues(root, template, objectLeaf).some(hasValue)) return { h, root };
  }
  return null;
}

function maskOf(kind: MaskKind, coordinate: string, v: Json): Json {
  if (v === null) return null;
  if (kind === "pseudonym") return gw.pseudonyms.encode(CHARITY, coordinate.startsWith("Person.") ? "person" : "household", String(v));
  return applyMask(kind, v);
}

beforeAll(async () => {
  gw = await startGateway({
    now: NOW,
    seed: async (db) => {
      await runSeed({ sql: db.sql, seed: SEED, asOf: AS_OF, persons: PERSONS, progress: "none" });
      // The generated set has no ended incomes and no parameter with an end date in force: give the
      // matrix a value to prove Income.validTo and PolicyParameter.effectiveTo with.
      const first = await db.prisma.income.findMany({ orderBy: { id: "asc" }, take: 3 });
      for (const i of first) await db.prisma.income.update({ where: { id: i.id }, data: { validTo: new Date("2027-06-30") } });
      const street = (await db.prisma.household.findFirstOrThrow({ orderBy: { id: "asc" } })).streetCode;
      await db.prisma.policyParameter.create({
        data: { regionCode: street, key: "MATRIX_TEMPORARY_SUPPLEMENT", value: "1234.5", unit: "FEN_PER_MONTH", effectiveFrom: new Date("2026-01-01"), effectiveTo: new Date("2027-01-01"), source: "policy matrix test" },
      });
    },
    sandboxes: { seed: SEED, asOf: AS_OF, persons: PERSONS },
  });
  await buildTruths();
}, 180_000);
afterAll(async () => gw?.close());

// ------------------------------------------------------------------------------------------------

test("the matrix covers every audience × every (type, field) of POLICY, the sensitive fields among them", () => {
  const fields = Object.entries(POLICY)
    .filter(([t]) => t !== "Query" && t !== "Mutation")
    .reduce((n, [, f]) => n + Object.keys(f).length, 0);
  for (const a of AUDIENCES) expect(CELLS.get(a)!.length).toBe(fields);
  const coordinates = new Set(CELLS.get("charity")!.map((c) => `${c.type}.${c.field}`));
  for (const c of [
    "Household.address", "Household.phone", "Household.registryNo", "Household.incomes", "Household.assets", "Household.aidRecords",
    "Household.housing", "Person.idNumber", "Person.name", "Person.birthDate", "Person.medicalInsurance", "Income.monthlyFen",
    "AssistanceCase.monthlyFen", "AssistanceCase.note", "Disability.certificateNo", "MedicalInsurance.seriousDisease",
  ])
    expect(coordinates, c).toContain(c);
  for (const f of Object.keys(objectType("Person").getFields())) expect(coordinates).toContain(`Person.${f}`);
});

test("every field an audience may read is reachable through fields it may read (no grant that can never be used)", () => {
  const useless = [...CELLS.values()].flat().filter((c) => c.access !== undefined && c.deniedAt !== null).map((c) => `${c.audience} ${c.type}.${c.field}`);
  expect(useless).toEqual([]);
});

for (const audience of AUDIENCES) {
  describe.concurrent(`${audience}`, () => {
    for (const c of CELLS.get(audience)!) {
      const label = c.access === "consent" ? "consent (see below)" : cellLabel(c.access);
      test(`${c.type}.${c.field} → ${c.deniedAt === null ? label : `— (${c.template.slice(0, c.deniedAt).join(".")} denied)`}`, async ({ expect }) => {
        const coordinate = `${c.type}.${c.field}`;
        // the part of the template that is executed: up to the denied ancestor when the type is unreachable
        const target = c.deniedAt === null ? c.template : c.template.slice(0, c.deniedAt);
        const targetIsObject = c.deniedAt === null ? c.objectLeaf : true;
        const found = await householdWithValue(audience, target, targetIsObject, c.access === "consent" ? (h) => h.phone !== null : undefined);
        expect(found, `no household of the data set has a value at ${target.join(".")}: the cell cannot be proven`).not.toBeNull();
        const { h, root } = found!;

        const sibling = c.deniedAt === null ? c.sibling : "__typename";
        const leaf = target[target.length - 1];
        const { query, root: rootField } = queryFor(target, targetIsObject ? `${leaf} { __typename }` : leaf, sibling);
        const res = await gw.gql(query, variablesFor(audience, rootField, h), asFor(audience, h));
        expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);

        const got = reach(res.data, target, false);
        const truth = trueValues(root, target, targetIsObject);
        expect(got.length, `${target.join(".")} instances`).toBe(truth.length);
        const values = got.map((e) => (targetIsObject ? shape(e.value) : e.value));

        if (c.deniedAt !== null || c.access === undefined) {
          // absent: null at every instance, one FORBIDDEN error at each path and no other error
          expect(values.every((v) => v === null)).toBe(true);
          const errors = res.errors ?? [];
          expect(errors.map((e) => e.extensions?.code)).toEqual(got.map(() => "FORBIDDEN"));
          expect(sorted(errors.map((e) => e.path))).toEqual(sorted(got.map((e) => e.path)));
          expect(errors.every((e) => e.extensions?.reason === "FIELD_NOT_ALLOWED")).toBe(true);
          for (const e of errors) expect(e.message).toContain(c.deniedAt === null ? coordinate : "Not authorized");
        } else {
          expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
          if (c.access === "read") {
            expect(sorted(values)).toEqual(sorted(truth));
          } else if (c.access === "consent") {
            const consent = (h as HouseholdRow).contactConsent;
            expect(sorted(values)).toEqual(sorted(truth.map((t) => (consent ? t : null))));
          } else {
            const kind = c.access.mask;
            expect(sorted(values)).toEqual(sorted(truth.map((t) => maskOf(kind, coordinate, t))));
            const revealing = truth.filter((t) => t !== null && JSON.stringify(maskOf(kind, coordinate, t)) !== JSON.stringify(t));
            expect(revealing.length, "a masked value that differs from the true one").toBeGreaterThan(0);
            for (const t of revealing) expect(sorted(values)).not.toContain(JSON.stringify(t));
          }
        }

        // a sibling field in the same query still resolves
        const siblingTemplate = [...target.slice(0, -1), sibling];
        const siblings = reach(res.data, siblingTemplate, false).map((e) => e.value);
        expect(siblings.length).toBe(got.length);
        if (sibling === "__typename") expect(siblings.every((v) => typeof v === "string")).toBe(true);
        else expect(sorted(siblings)).toEqual(sorted(trueValues(root, siblingTemplate, false)));
      });
    }
  });
}

describe("consent", () => {
  test("a charity sees the phone only where the household consented to contact (else null, no error); others see it regardless", async () => {
    expect(POLICY.Household.phone.charity).toBe("consent");
    const consenting = households.find((h) => h.phone !== null && h.contactConsent);
    const refusing = households.find((h) => h.phone !== null && !h.contactConsent);
    expect(consenting && refusing, "the data set has households with a phone, with and without consent").toBeTruthy();
    const q = `query($id: ID!) { household(id: $id) { phone contactConsent } }`;
    const a = await gw.gql(q, { id: householdRef("charity", consenting!.id) }, asFor("charity", consenting!));
    expect(a.errors).toBeUndefined();
    expect(a.data.household).toEqual({ phone: consenting!.phone, contactConsent: true });
    const b = await gw.gql(q, { id: householdRef("charity", refusing!.id) }, asFor("charity", refusing!));
    expect(b.errors).toBeUndefined();
    expect(b.data.household).toEqual({ phone: null, contactConsent: false });
    const c = await gw.gql(q, { id: refusing!.id }, asFor("housing", refusing!));
    expect(c.data.household).toEqual({ phone: refusing!.phone, contactConsent: false });
  });
});

// ------------------------------------------------------------------------------------------------
// Query fields: read → the field resolves; absent → null + FORBIDDEN at it while a sibling resolves.

describe("Query fields", () => {
  const SNIPPETS: Record<string, { select: string; vars: string; values: (h: HouseholdRow, audience: Audience) => Record<string, unknown> }> = {
    household: { select: "household(id: $id) { __typename }", vars: "$id: ID!", values: (h, a) => ({ id: householdRef(a, h.id) }) },
    households: { select: `households(first: 1, filter: { street: $street }) { totalCount }`, vars: "$street: String", values: (h) => ({ street: h.streetCode }) },
    person: { select: "person(idNumber: $idNumber) { __typename }", vars: "$idNumber: String!", values: () => ({}) },
    policyParameters: { select: "policyParameters(regionCode: $region) { key }", vars: "$region: String!", values: (h) => ({ region: h.streetCode }) },
  };

  test("every Query field of POLICY has a way to call it here", () => {
    expect(Object.keys(SNIPPETS).sort()).toEqual(Object.keys(POLICY.Query).sort());
  });

  for (const audience of AUDIENCES)
    for (const field of Object.keys(POLICY.Query)) {
      const access = POLICY.Query[field][audience];
      test(`${audience} × Query.${field} → ${cellLabel(access)}`, async () => {
        const h = households[0];
        const head = await gw.db.prisma.person.findFirstOrThrow({ where: { householdId: h.id, relation: "HEAD" } });
        const sibling = field === "policyParameters" ? "households" : "policyParameters";
        const query = `query Q(${SNIPPETS[field].vars}, ${SNIPPETS[sibling].vars}) { ${SNIPPETS[field].select} ${SNIPPETS[sibling].select} }`;
        const vars = { ...SNIPPETS[field].values(h, audience), ...SNIPPETS[sibling].values(h, audience), ...(field === "person" ? { idNumber: head.idNumber } : {}) };
        const res = await gw.gql(query, vars, asFor(audience, h));
        expect(res.status).toBe(200);
        expect(res.data[sibling]).toBeTruthy();
        if (access) {
          expect(res.errors).toBeUndefined();
          expect(hasValue(res.data[field])).toBe(true);
        } else {
          expect(res.data[field]).toBeNull();
          expect(res.errors).toHaveLength(1);
          expect(res.errors![0]).toMatchObject({ path: [field], extensions: { code: "FORBIDDEN", reason: "FIELD_NOT_ALLOWED" } });
          expect(JSON.stringify(res.body)).not.toContain(head.name);
        }
      });
    }
});

// ------------------------------------------------------------------------------------------------
// Mutations: allowed ones succeed in the audience's jurisdiction; the rest are refused whole, change nothing.

describe("mutations", () => {
  let seq = 100;
  const counts = async () => {
    const p = gw.db.prisma;
    return {
      household: await p.household.count(),
      person: await p.person.count(),
      income: await p.income.count(),
      asset: await p.asset.count(),
      case: await p.assistanceCase.count(),
      aid: await p.aidRecord.count(),
    };
  };
  const CALLS: Record<string, (audience: Audience, h: HouseholdRow) => Promise<{ query: string; variables: Record<string, unknown>; check: (data: any) => Promise<void> }>> = {
    async registerHousehold(_audience, h) {
      const idNumber = makeIdNumber(h.districtCode, "1980-05-06", seq++ % 1000);
      return {
        query: `mutation M($input: RegisterHouseholdInput!) { registerHousehold(input: $input) { streetCode members { idNumber } } }`,
        variables: {
          input: {
            districtCode: h.districtCode,
            streetCode: h.streetCode,
            address: "重庆市渝中区测试路1号",
            hukou: "URBAN",
            members: [{ idNumber, name: "测试人", relation: "HEAD", workAbility: "FULL", selfCare: "FULL" }],
          },
        },
        async check(data) {
          expect(data.registerHousehold).toEqual({ streetCode: h.streetCode, members: [{ idNumber }] });
          expect(await gw.db.prisma.person.count({ where: { idNumber } })).toBe(1);
        },
      };
    },
    async updateHousehold(audience, h) {
      const current = await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id } });
      const phone = `139${String(seq++).padStart(8, "0")}`;
      return {
        query: `mutation M($id: ID!, $version: Int!, $input: UpdateHouseholdInput!) { updateHousehold(id: $id, version: $version, input: $input) { phone version } }`,
        variables: { id: householdRef(audience, h.id), version: current.version, input: { phone } },
        async check(data) {
          expect(data.updateHousehold).toEqual({ phone, version: current.version + 1 });
          expect((await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id } })).phone).toBe(phone);
        },
      };
    },
  };

  test("every mutation of POLICY has a way to call it here", () => {
    expect(Object.keys(CALLS).sort()).toEqual(Object.keys(POLICY.Mutation).sort());
  });

  for (const audience of AUDIENCES)
    for (const mutation of Object.keys(POLICY.Mutation)) {
      const allowed = POLICY.Mutation[mutation][audience] !== undefined && audience !== "auditor";
      test(`${audience} × Mutation.${mutation} → ${allowed ? "succeeds" : audience === "auditor" ? "FORBIDDEN (read-only)" : "FORBIDDEN"}`, async () => {
        const h = households[households.length - 1];
        const call = await CALLS[mutation](audience, h);
        const before = await counts();
        const row = await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id } });
        const res = await gw.gql(call.query, call.variables, asFor(audience, h));
        if (allowed) {
          expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
          await call.check(res.data);
          return;
        }
        expect(res.status).toBe(403);
        expect(res.data ?? null).toBeNull();
        expect(res.errors).toHaveLength(1);
        const e = res.errors![0];
        expect(e.extensions).toMatchObject({ code: "FORBIDDEN", reason: audience === "auditor" ? "READ_ONLY_AUDIENCE" : "MUTATION_NOT_ALLOWED" });
        if (audience === "auditor") expect(e.message).toMatch(/read-only/);
        else expect(e.message).toContain(`Mutation.${mutation}`);
        expect(await counts()).toEqual(before);
        expect(await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id } })).toEqual(row);
      });
    }
});

// ------------------------------------------------------------------------------------------------

test("the upstream behind a denied field is never called: a charity asking for medicalInsurance makes no request to the medical system", async () => {
  const stats = async () => (await (await fetch(`${gw.sandboxes!.urls.medicalInsurance}/__sandbox/stats`)).json()) as { requests: number };
  const h = households.find((x) => (truths.get(x.id)!.members as Raw[]).some((m) => m.medicalInsurance !== null))!;
  const query = `query($id: ID!) { household(id: $id) { members { name medicalInsurance { tier seriousDisease } } } }`;

  const before = (await stats()).requests;
  const res = await gw.gql(query, { id: householdRef("charity", h.id) }, asFor("charity", h));
  expect((await stats()).requests).toBe(before);
  const members = res.data.household.members as Raw[];
  expect(members.length).toBeGreaterThan(0);
  for (const m of members) expect(m.medicalInsurance).toBeNull();
  expect(res.errors).toHaveLength(members.length);
  for (const [i, e] of res.errors!.entries())
    expect(e).toMatchObject({ path: ["household", "members", i, "medicalInsurance"], extensions: { code: "FORBIDDEN" } });

  // the control: an audience that may read it does reach the medical system with the same query
  const control = await gw.gql(query, { id: h.id }, asFor("civil_affairs", h));
  expect(control.errors).toBeUndefined();
  expect((await stats()).requests).toBeGreaterThan(before);
});

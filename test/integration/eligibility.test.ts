/**
 * Issue 5, "done when", over real HTTP: a real gateway (JWTs, field policy, Apollo, connectors) in front of
 * the five department sandboxes, registry and sandboxes holding the SAME default data set (Yuzhong,
 * seed 20190101, as of 2026-11-01). Every tier is reachable by a query; gradual exit ends on its day; a
 * department system down gives complete: false naming it; assessEligibility computes over typed-in facts,
 * refuses bad input with a field and reason, and stores nothing; values from records an audience may not
 * read are withheld inside reasons and entitlements.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runSeed } from "../../dev/seed/run.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { clearFaults, setFaults } from "./harness.js";
import { generatePopulation } from "../../dev/seed/generator.js";
import { evaluateEligibility } from "../../src/domain/eligibility.js";
import { deriveDepartments, factsOf, seededParameterSet } from "../helpers/population-facts.js";

const POPULATION = { seed: 20190101, asOf: "2026-11-01" } as const;
const NOW = new Date(`${POPULATION.asOf}T12:00:00Z`);
const CIVIL = { audience: "civil_affairs", city: "500000" } as const;

let gw: TestGateway;
/**
 * The oracle: each household's tier and completeness from the generator's own population (no database, no
 * HTTP, no gateway fact gathering) — department records derived as the sandboxes derive them, evaluated by the
 * domain rules on the request's day. The gateway must reach the same answer from its database and over HTTP.
 */
const expected = new Map<string, { tier: string; complete: boolean }>();

beforeAll(async () => {
  const households = [...generatePopulation(POPULATION)];
  const departments = deriveDepartments(households, POPULATION.seed, POPULATION.asOf);
  for (const h of households) {
    const e = evaluateEligibility(factsOf(h, departments, NOW), seededParameterSet(h.streetCode, NOW), NOW);
    expected.set(h.id, { tier: e.tier, complete: e.complete });
  }
  gw = await startGateway({
    now: NOW,
    seed: async (db) => {
      await runSeed({ sql: db.sql, ...POPULATION, progress: "none" });
    },
    sandboxes: { ...POPULATION, employment: { rateLimitPerSecond: 1_000_000, burst: 100_000 } },
  });
});
afterAll(async () => gw?.close());

const ok = <T = any>(res: { status: number; data?: T; errors?: unknown }): T => {
  expect(res.errors, JSON.stringify(res.errors)?.slice(0, 800)).toBeUndefined();
  expect(res.status).toBe(200);
  return res.data as T;
};

interface Node {
  id: string;
  currentCase: { status: string; endDate: string | null } | null;
  eligibility: {
    tier: string;
    complete: boolean;
    incomePerCapitaFen: number;
    standardFen: number;
    gradualExitEnds: string | null;
    persons: { personId: string; tier: string }[];
  };
}

const PAGE = `query Page($filter: HouseholdFilter, $after: String) {
  households(first: 40, filter: $filter, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id currentCase { status endDate }
      eligibility { tier complete incomePerCapitaFen standardFen gradualExitEnds persons { personId tier } }
    } }
  }
}`;

/** Households of a registry filter, page by page, until `enough` says stop (at most 4 pages). */
async function scan(filter: Record<string, string>, enough: (all: Node[]) => boolean): Promise<Node[]> {
  const all: Node[] = [];
  let after: string | null = null;
  for (let page = 0; page < 4; page++) {
    const data = ok<any>(await gw.gql(PAGE, { filter: { district: "500103", ...filter }, after }, CIVIL));
    all.push(...data.households.edges.map((e: { node: Node }) => e.node));
    if (enough(all) || !data.households.pageInfo.hasNextPage) break;
    after = data.households.pageInfo.endCursor;
  }
  return all;
}

/** Income per capita straight from the household's registry rows (all incomes valid on the day / members), and its member ids. */
async function registryFigures(id: string, day = POPULATION.asOf): Promise<{ perCapita: number; members: string[] }> {
  const h = ok<any>(await gw.gql(`query($id: ID!) { household(id: $id) { incomes { monthlyFen validFrom validTo } members { id } } }`, { id }, CIVIL)).household;
  const valid = h.incomes.filter((i: any) => i.validFrom <= day && (i.validTo === null || i.validTo >= day));
  return { perCapita: Math.round(valid.reduce((s: number, i: any) => s + i.monthlyFen, 0) / h.members.length), members: h.members.map((m: any) => m.id) };
}

describe("every tier of the default data set is reachable by a query (DOMAIN §1)", () => {
  const cases: [string, Record<string, string>, string][] = [
    ["DIBAO households (registry dibao cases)", { tier: "DIBAO" }, "DIBAO"],
    ["TEKUN persons (registry TEKUN cases)", { tier: "TEKUN" }, "TEKUN"],
    ["marginal households", { tier: "DIBAO_MARGINAL" }, "DIBAO_MARGINAL"],
    ["rigid-expenditure households", { tier: "RIGID_EXPENDITURE" }, "RIGID_EXPENDITURE"],
    ["return-to-poverty monitoring (registry flag only)", { tier: "MONITORED" }, "MONITORED"],
    ["registered special hardship (registry case only)", { tier: "OTHER" }, "OTHER"],
    ["rejected and left households in the monitoring database", { status: "MONITORED" }, "NOT_ELIGIBLE"],
  ];
  for (const [name, filter, tier] of cases) {
    test(`${tier}: ${name}`, async () => {
      // a household with a stale department record (the sandboxes make some 2–5 years old) is not complete (issue 13
      // point 5): the tier must be reachable with complete facts, and complete must say exactly whether every source
      // consulted answered with current records
      const nodes = await scan(filter, (all) => all.some((n) => n.eligibility.tier === tier && n.eligibility.complete));
      // every household scanned: exactly the oracle's tier and completeness, so the count of this tier is exact too
      expect(nodes.map((n) => [n.id, n.eligibility.tier, n.eligibility.complete])).toEqual(nodes.map((n) => [n.id, expected.get(n.id)?.tier, expected.get(n.id)?.complete]));
      const hit = nodes.filter((n) => n.eligibility.tier === tier);
      const want = nodes.filter((n) => expected.get(n.id)!.tier === tier);
      expect(hit.length).toBe(want.length);
      expect(hit.filter((n) => n.eligibility.complete).length).toBe(want.filter((n) => expected.get(n.id)!.complete).length);
      expect(want.filter((n) => expected.get(n.id)!.complete).length, `the data set holds a complete ${tier} among the ${nodes.length} households scanned`).toBeGreaterThanOrEqual(1);
      for (const n of hit.slice(0, 5)) {
        const { sources } = ok<any>(await gw.gql(`query($id: ID!) { household(id: $id) { eligibility { sources { source answered stale } } } }`, { id: n.id }, CIVIL)).household.eligibility;
        expect(n.eligibility.complete).toBe(sources.every((x: { answered: boolean; stale: boolean }) => x.answered && !x.stale));
        // the figure the tier was decided on is the registry's own: sum of valid incomes / members
        expect(n.eligibility.incomePerCapitaFen).toBe((await registryFigures(n.id)).perCapita);
        if (tier === "DIBAO" && !n.eligibility.gradualExitEnds) expect(n.eligibility.incomePerCapitaFen).toBeLessThan(n.eligibility.standardFen);
        if (tier === "DIBAO_MARGINAL") expect(n.eligibility.incomePerCapitaFen).toBeGreaterThanOrEqual(n.eligibility.standardFen);
      }
    });
  }

  test("single-person inclusion (单人户): a marginal household with one member on dibao alone", async () => {
    const nodes = await scan({ tier: "DIBAO_MARGINAL" }, (all) => all.some((n) => n.eligibility.persons.some((p) => p.tier === "DIBAO")));
    const h = nodes.find((n) => n.eligibility.tier === "DIBAO_MARGINAL" && n.eligibility.persons.some((p) => p.tier === "DIBAO"));
    expect(h).toBeDefined();
    const person = h!.eligibility.persons.find((p) => p.tier === "DIBAO")!;
    expect((await registryFigures(h!.id)).members).toContain(person.personId);
  });
});

describe("gradual exit (DOMAIN §1; 002 #3, 004 §1)", () => {
  test("a GRADUAL_EXIT case stays DIBAO through its end date inclusive and not a day longer", async () => {
    const nodes = await scan({ tier: "DIBAO" }, (all) => all.some((n) => n.currentCase?.status === "GRADUAL_EXIT"));
    const h = nodes.find((n) => n.currentCase?.status === "GRADUAL_EXIT");
    expect(h, "no gradual-exit household in the first pages").toBeDefined();
    expect(h!.eligibility.tier).toBe("DIBAO");
    const end = h!.currentCase!.endDate!;
    expect(h!.eligibility.gradualExitEnds).toBe(end);
    // income now between the standard and 1.5 × the standard
    expect(h!.eligibility.incomePerCapitaFen).toBeGreaterThanOrEqual(h!.eligibility.standardFen);

    const Q = `query G($id: ID!, $on: Date, $after: Date) {
      household(id: $id) {
        on: eligibility(asOf: $on) { tier gradualExitEnds reasons { rule outcome } }
        after: eligibility(asOf: $after) { tier gradualExitEnds reasons { rule outcome } }
      }
    }`;
    const next = new Date(new Date(`${end}T00:00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10);
    const data = ok<any>(await gw.gql(Q, { id: h!.id, on: end, after: next }, CIVIL));
    expect(data.household.on.tier).toBe("DIBAO");
    expect(data.household.on.gradualExitEnds).toBe(end);
    expect(data.household.on.reasons).toContainEqual({ rule: "GRADUAL_EXIT", outcome: "PASS" });
    expect(data.household.after.tier).not.toBe("DIBAO");
    expect(data.household.after.gradualExitEnds).toBeNull();
    expect(data.household.after.reasons).toContainEqual({ rule: "GRADUAL_EXIT", outcome: "FAIL" });
  });
});

// ---------------------------------------------------------------------------------------------------

const ASSESS = `query A($input: HouseholdFactsInput!, $asOf: Date) {
  assessEligibility(input: $input, asOf: $asOf) {
    asOf tier complete sources { source answered } incomePerCapitaFen standardFen nextRecertification
    entitlements { kind department personId amountFen ratio }
    reasons { rule outcome personId inputs { name value source } }
    parametersUsed { key value }
  }
}`;

function family(over: Record<string, unknown> = {}) {
  return {
    hukou: "URBAN",
    streetCode: "500103001",
    members: [
      { ref: "mum", sex: "FEMALE", birthDate: "1986-04-02", relation: "HEAD", workAbility: "FULL", selfCare: "FULL", employmentStatus: "UNEMPLOYED_REGISTERED" },
      { ref: "son", sex: "MALE", birthDate: "2016-09-10", relation: "CHILD", workAbility: "NONE", selfCare: "FULL", studentStage: "PRIMARY", educationExpenseFen: 120000 },
    ],
    incomes: [{ source: "TRANSFER", monthlyFen: 100000 }],
    assets: [{ kind: "DEPOSIT", valueFen: 1_000_000 }],
    ...over,
  };
}

async function rowCounts() {
  const p = gw.db.prisma;
  return Promise.all([p.household.count(), p.person.count(), p.income.count(), p.asset.count(), p.assistanceCase.count(), p.aidRecord.count()]);
}

describe("assessEligibility: a trial calculation over typed-in facts", () => {
  test("computes the tier, numbers and entitlements from the caseworker's facts and the street's parameters; stores nothing", async () => {
    const before = await rowCounts();
    const params = ok<any>(await gw.gql(`{ policyParameters(regionCode: "500103001", on: "2026-11-01") { key value } }`, {}, CIVIL)).policyParameters;
    const standard = Number(params.find((p: { key: string }) => p.key === "DIBAO_STANDARD_URBAN").value);
    const res = await gw.gql(ASSESS, { input: family(), asOf: "2026-11-01" }, CIVIL);
    const r = ok<any>(res).assessEligibility;
    expect(r.asOf).toBe("2026-11-01");
    expect(r.tier).toBe("DIBAO"); // 100000 / 2 = 50000 < standard
    expect(r.standardFen).toBe(standard);
    expect(r.incomePerCapitaFen).toBe(50000);
    expect(r.complete).toBe(true);
    expect(r.sources).toEqual([{ source: "caseworker", answered: true }, { source: "policy", answered: true }]);
    // every input is the caseworker's or a policy parameter
    for (const reason of r.reasons) for (const i of reason.inputs) expect(["caseworker", "policy"]).toContain(i.source);
    expect(r.entitlements).toContainEqual({ kind: "DIBAO_PAYMENT", department: "civil_affairs", personId: null, amountFen: standard * 2 - 100000, ratio: null });
    expect(r.entitlements).toContainEqual(expect.objectContaining({ kind: "EDUCATION_LIVING_SUBSIDY", department: "education", personId: "son" }));
    expect(r.entitlements).toContainEqual(expect.objectContaining({ kind: "DIBAO_CLASSIFIED_SUPPLEMENT", personId: "son" })); // a student
    expect(r.entitlements).toContainEqual(expect.objectContaining({ kind: "EMPLOYMENT_ASSISTANCE", department: "employment", personId: "mum" }));
    expect(r.entitlements).toContainEqual(expect.objectContaining({ kind: "MEDICAL_PREMIUM_SUBSIDY", personId: "mum", ratio: 0.9 }));
    // a working-age member able to work: unstable, re-certified every 6 months from today (no case yet)
    expect(r.nextRecertification).toBe("2027-05-01");
    expect(r.parametersUsed.map((p: { key: string }) => p.key)).toContain("DIBAO_STANDARD_URBAN");
    expect(await rowCounts()).toEqual(before);
  });

  test("the same family with income at exactly the standard is not DIBAO but marginal (DOMAIN §1 boundary)", async () => {
    const standard = ok<any>(await gw.gql(ASSESS, { input: family(), asOf: "2026-11-01" }, CIVIL)).assessEligibility.standardFen;
    const r = ok<any>(await gw.gql(ASSESS, { input: family({ incomes: [{ source: "WAGES", monthlyFen: standard * 2, memberRef: "mum" }] }), asOf: "2026-11-01" }, CIVIL)).assessEligibility;
    expect(r.incomePerCapitaFen).toBe(standard);
    expect(r.tier).toBe("DIBAO_MARGINAL");
  });

  test("street offices may run it for their own street; others are refused", async () => {
    const street = { audience: "street_office", street: "500103001" } as const;
    expect(ok<any>(await gw.gql(ASSESS, { input: family() }, street)).assessEligibility.tier).toBe("DIBAO");
    const elsewhere = await gw.gql(ASSESS, { input: family({ streetCode: "500103002" }) }, street);
    expect(elsewhere.errors?.[0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason: "UNKNOWN_STREET", field: "input.streetCode" });
    for (const audience of ["education", "medical_insurance", "charity", "auditor"] as const) {
      const as = audience === "charity" ? { audience, charityId: "c1" } : audience === "auditor" ? { audience, city: "500000", purpose: "test" } : { audience, district: "500103" };
      const res = await gw.gql(ASSESS, { input: family() }, as);
      expect(res.errors?.[0].extensions?.code, audience).toBe("FORBIDDEN");
      expect(res.data?.assessEligibility ?? null).toBeNull();
    }
  });

  const bad: [string, Record<string, unknown>, string | undefined, string, string][] = [
    ["an impossible asOf", {}, "2026-02-30", "INVALID_DATE", ""],
    ["a negative income", { incomes: [{ source: "WAGES", monthlyFen: -1 }] }, undefined, "NEGATIVE_AMOUNT", "input.incomes.0.monthlyFen"],
    ["a negative asset", { assets: [{ kind: "DEPOSIT", valueFen: -100 }] }, undefined, "NEGATIVE_AMOUNT", "input.assets.0.valueFen"],
    ["no members", { members: [] }, undefined, "REQUIRED", "input.members"],
    ["an unknown street", { streetCode: "500103999" }, undefined, "UNKNOWN_STREET", "input.streetCode"],
    ["an income of an unknown member", { incomes: [{ source: "WAGES", monthlyFen: 100, memberRef: "dad" }] }, undefined, "INVALID_ID", "input.incomes.0.memberRef"],
    ["a birth date after asOf", { members: [{ sex: "MALE", birthDate: "2027-01-01", relation: "HEAD", workAbility: "NONE", selfCare: "FULL" }] }, "2026-11-01", "DATE_IN_FUTURE", "input.members.0.birthDate"],
    ["two heads", { members: [{ sex: "MALE", birthDate: "1980-01-01", relation: "HEAD", workAbility: "FULL", selfCare: "FULL" }, { sex: "FEMALE", birthDate: "1981-01-01", relation: "HEAD", workAbility: "FULL", selfCare: "FULL" }] }, undefined, "HOUSEHOLD_HEAD", "input.members"],
    ["a disability grade 5", { members: [{ sex: "MALE", birthDate: "1980-01-01", relation: "HEAD", workAbility: "FULL", selfCare: "FULL", disabilityGrade: 5 }] }, undefined, "INVALID_FORMAT", "input.members.0.disabilityGrade"],
    ["a case ending before it starts", { currentCase: { tier: "DIBAO", status: "ACTIVE", startDate: "2026-01-01", endDate: "2025-01-01" } }, undefined, "DATE_RANGE", "input.currentCase.endDate"],
    ["an evaluation date before any policy parameter", { members: [{ sex: "MALE", birthDate: "1960-01-01", relation: "HEAD", workAbility: "NONE", selfCare: "FULL" }], incomes: [] }, "2001-01-01", "INVALID_DATE", "asOf"],
  ];
  for (const [name, over, asOf, reason, field] of bad) {
    test(`bad input — ${name}: BAD_USER_INPUT ${reason}, nothing stored`, async () => {
      const before = await rowCounts();
      const res = await gw.gql(ASSESS, { input: family(over), ...(asOf ? { asOf } : {}) }, CIVIL);
      expect(res.data?.assessEligibility ?? null).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect(res.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason });
      if (field) expect(res.errors![0].extensions!.field).toBe(field);
      expect(await rowCounts()).toEqual(before);
    });
  }
});

// ---------------------------------------------------------------------------------------------------

describe("withholding inside reasons and entitlements (DOMAIN §5)", () => {
  const Q = `query W($id: ID!) { household(id: $id) { eligibility {
    tier entitlements { kind personId amountFen withheld }
    reasons { rule outcome explanation withheld inputs { name value source withheld } }
  } } }`;

  /** a household whose eligibility used a medical out-of-pocket amount */
  async function medicalHousehold(): Promise<string> {
    const nodes = await scan({ tier: "RIGID_EXPENDITURE" }, (all) => all.some((n) => n.eligibility.tier === "RIGID_EXPENDITURE"));
    return nodes.find((n) => n.eligibility.tier === "RIGID_EXPENDITURE")!.id;
  }

  test("education never sees a medical value or an income through a reason; medical insurance sees its own, not incomes; civil affairs sees all", async () => {
    const id = await medicalHousehold();
    const civil = ok<any>(await gw.gql(Q, { id }, CIVIL)).household.eligibility;
    const education = ok<any>(await gw.gql(Q, { id }, { audience: "education", district: "500103" })).household.eligibility;
    const medical = ok<any>(await gw.gql(Q, { id }, { audience: "medical_insurance", district: "500103" })).household.eligibility;
    const inputs = (e: any, pred: (i: any) => boolean) => e.reasons.flatMap((r: any) => r.inputs).filter(pred);
    const isMedical = (i: any) => i.source === "medicalInsurance";
    const isIncome = (i: any) => /income/.test(i.name) && i.source === "registry";

    expect(inputs(civil, isMedical).length).toBeGreaterThan(0);
    expect(inputs(civil, (i) => i.withheld)).toEqual([]);
    expect(inputs(civil, isMedical).every((i: any) => i.value !== null)).toBe(true);

    // issue 12: a rule that needs a withheld fact is withheld as a whole (its outcome would tell the fact),
    // and the tier, a decision over all records, is withheld from an audience that may not read them all
    expect(inputs(education, isMedical)).toEqual([]);
    expect(inputs(education, isIncome).every((i: any) => i.value === null && i.withheld)).toBe(true);
    const medicalRules = civil.reasons.filter((r: any) => r.inputs.some(isMedical)).map((r: any) => `${r.rule}|${r.personId}`);
    expect(medicalRules.length).toBeGreaterThan(0);
    for (const r of education.reasons.filter((x: any) => medicalRules.includes(`${x.rule}|${x.personId}`)))
      expect(r).toMatchObject({ outcome: "WITHHELD", explanation: null, withheld: true, inputs: [] });
    const rigidEdu = education.reasons.find((r: any) => r.rule === "RIGID_EXPENDITURE");
    expect(rigidEdu).toMatchObject({ outcome: "WITHHELD", explanation: null, withheld: true });
    expect(education.tier).toBe("WITHHELD");
    expect(civil.tier).not.toBe("WITHHELD");
    expect(JSON.stringify(education)).not.toMatch(/medical \+ education spending/);
    expect(civil.reasons.find((r: any) => r.rule === "RIGID_EXPENDITURE").explanation).toMatch(/medical \+ education spending \d+ fen/);

    expect(inputs(medical, isMedical).every((i: any) => i.value !== null && !i.withheld)).toBe(true);
    expect(inputs(medical, isIncome).every((i: any) => i.value === null && i.withheld)).toBe(true);

    // an out-of-pocket aid amount is a medical figure: withheld from education, shown to medical insurance
    const oop = (e: any) => e.entitlements.filter((x: any) => x.kind === "MEDICAL_OUT_OF_POCKET_AID");
    expect(oop(civil).length).toBeGreaterThan(0);
    expect(oop(education).every((x: any) => x.amountFen === null)).toBe(true);
    // issue 12: what medical insurance gets is computed from the records it may read only. This household's
    // rigid-expenditure tier rests on education spending too, which medical insurance may not read: the aid is
    // not established for it (it acts on the recorded case tier and its own records), and a change in the
    // education record cannot show through (test/policy/noninterference.test.ts)
    expect(medical.tier).toBe("WITHHELD");
    expect(oop(medical)).toEqual([]);
  });

  test("a charity sees at most the tier of the eligibility — and the computed tier is withheld from it (it may not read the records it rests on)", async () => {
    const id = await medicalHousehold();
    const charity = { audience: "charity", charityId: "charity-elig" } as const;
    const ref = gw.pseudonyms.encode("charity-elig", "household", id);
    // a charity opens only a household behind a need matching one of its resources (issue 12)
    const h = await gw.db.prisma.household.findUniqueOrThrow({ where: { id } });
    await gw.db.prisma.charity.create({ data: { id: "charity-elig", name: "资格测试慈善会（合成数据）", registrationNo: "53500000MJE000001X", districts: [h.districtCode] } });
    await gw.db.prisma.charityResource.create({ data: { charityId: "charity-elig", category: "FOOD", title: "粮油", unit: "ITEMS", quantity: 10, remaining: 10, districts: [], streets: [], validFrom: new Date("2026-01-01") } });
    await gw.db.prisma.need.create({ data: { householdId: id, districtCode: h.districtCode, streetCode: h.streetCode, category: "FOOD", urgency: "HIGH", origin: "MANUAL", rule: "MANUAL", reason: "test", since: new Date("2026-11-01") } });
    const tier = await gw.gql(`query($id: ID!) { household(id: $id) { eligibility { tier } } }`, { id: ref }, charity);
    expect(ok<any>(tier).household.eligibility.tier).toBe("WITHHELD");
    const more = await gw.gql(`query($id: ID!) { household(id: $id) { eligibility { tier reasons { rule } } } }`, { id: ref }, charity);
    expect(more.data.household.eligibility).toEqual({ tier: "WITHHELD", reasons: null });
    expect(more.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
  });
});

// ---------------------------------------------------------------------------------------------------
// Last: a system down (its breaker may stay open for the rest of the file).

describe("a failed source (DOMAIN §3): never a confident tier from incomplete facts", () => {
  test("with the medical insurance system down, a rigid-expenditure household's eligibility is complete: false and names it", async () => {
    const complete = (n: Node) => n.eligibility.tier === "RIGID_EXPENDITURE" && n.eligibility.complete;
    const nodes = await scan({ tier: "RIGID_EXPENDITURE" }, (all) => all.some(complete));
    const h = nodes.find(complete)!;
    const Q = `query F($id: ID!) { household(id: $id) { eligibility { tier complete sources { source answered } reasons { rule outcome explanation } } } }`;
    const before = ok<any>(await gw.gql(Q, { id: h.id }, CIVIL)).household.eligibility;
    expect(before.complete).toBe(true);
    expect(before.sources).toContainEqual({ source: "medicalInsurance", answered: true });
    await setFaults(gw, "medicalInsurance", { down: true });
    try {
      const res = await gw.gql(Q, { id: h.id }, CIVIL);
      const e = ok<any>(res).household.eligibility; // the failure is in the result, not a GraphQL error
      expect(e.complete).toBe(false);
      expect(e.sources).toContainEqual({ source: "medicalInsurance", answered: false });
      expect(e.sources.filter((s: any) => !s.answered).map((s: any) => s.source)).toEqual(["medicalInsurance"]);
      expect(e.reasons).toContainEqual(expect.objectContaining({ rule: "RIGID_EXPENDITURE", outcome: "UNKNOWN" }));
      const completeness = e.reasons.find((r: any) => r.rule === "COMPLETENESS");
      expect(completeness.outcome).toBe("UNKNOWN");
      expect(completeness.explanation).toMatch(/medicalInsurance.*not final/);
      // without the medical facts the rigid-expenditure test cannot pass: the tier is the best the rest give
      expect(e.tier).not.toBe("RIGID_EXPENDITURE");
    } finally {
      await clearFaults(gw);
    }
  });
});

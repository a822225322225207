/**
 * Non-interference for withheld department records (issue 12, src/policy/noninterference.ts): for every
 * audience and every department system whose records it may not read (per the policy table), changing a
 * member's record in that system — through the sandbox's fixtures route, over real HTTP — changes nothing
 * the audience receives: its full view of the household (eligibility with reasons and entitlements, the aid
 * chain, alerts, needs; every field the schema has) is byte-identical before and after (request ids aside).
 * Several households of different recorded tiers; each record goes through three states (two contrasting
 * records and none). The same changes do change what civil affairs receives (the test can fail).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getNamedType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { runSeed } from "../../dev/seed/run.js";
import { POLICY } from "../../src/policy/rules.js";
import { AUDIENCES, type Audience } from "../../src/policy/audiences.js";
import { gatewaySchema } from "../../src/graphql/schema.js";
import type { MintOptions } from "../../dev/keys/dev-keys.js";
import type { Household, Person } from "../../src/db/generated/client.js";

const SEED = 13;
const AS_OF = "2026-11-01";
const PERSONS = 300;
const NOW = new Date("2026-11-22T08:00:00Z");
const CHARITY = "ni-charity";
type Source = "education" | "employment" | "housing" | "medicalInsurance" | "disability";
const SOURCES: Source[] = ["education", "employment", "housing", "medicalInsurance", "disability"];
/** the field each system's records are read through (src/domain/observed.ts SOURCE_BASIS) */
const BASIS: Record<Source, [string, string]> = {
  education: ["Person", "education"],
  employment: ["Person", "employment"],
  housing: ["Household", "housing"],
  medicalInsurance: ["Person", "medicalInsurance"],
  disability: ["Person", "disability"],
};
const KEY: Record<Source, string> = { education: "idNumber", employment: "idNumber", housing: "registryNo", medicalInsurance: "id_no", disability: "idNumber" };

/** Two contrasting wire records for a member (or household, for housing). */
function variants(source: Source, p: Person, h: Household): [Record<string, unknown>, Record<string, unknown>] {
  switch (source) {
    case "medicalInsurance": {
      const base = { id_no: p.idNumber, insured_tier: "1", assist_type_code: "00", premium_subsidy_fen: 0, chronic_disease_code: null, settle_year: 2026, updated_time: "20261102093000" };
      return [
        { ...base, in_policy_expense_fen: 0, out_of_pocket_fen: 0, medical_aid_paid_fen: 0, special_disease_code: null },
        { ...base, in_policy_expense_fen: 3_500_000, out_of_pocket_fen: 3_000_000, medical_aid_paid_fen: 0, special_disease_code: "M05" },
      ];
    }
    case "disability": {
      const base = { idNumber: p.idNumber, category: "4", livingSubsidy: 0, nursingSubsidy: 0, rehab: [], certStatus: "VALID", lastModified: "2026-11-10" };
      return [
        { ...base, certNo: `${p.idNumber}44`, grade: "4" },
        { ...base, certNo: `${p.idNumber}41`, grade: "1" },
      ];
    }
    case "employment": {
      const base = { idNumber: p.idNumber, publicWelfarePost: false, trainings: [], dibaoEmploymentSubsidy: null, lastUpdated: "2026-10-01" };
      return [
        { ...base, status: "EMPLOYED", unemploymentRegisteredOn: null },
        { ...base, status: "UNEMPLOYED_REGISTERED", unemploymentRegisteredOn: "2026-09-01" },
      ];
    }
    case "education": {
      const base = { idNumber: p.idNumber, term: "2026-AUTUMN", stage: "SENIOR", schoolCode: "5001030012", schoolName: "测试中学", aid: [], updatedAt: "2026-09-03T10:12:00+08:00" };
      return [
        { ...base, hardship: false, necessaryExpenseYuan: "0.00" },
        { ...base, hardship: true, necessaryExpenseYuan: "30000.00" },
      ];
    }
    case "housing": {
      const benefit = { benefitType: "RENTAL_SUBSIDY", monthlySubsidyFen: 42000, grantFen: null, startDate: "2026-01-01", endDate: null, modified: "2026-05-12T08:00:00Z" };
      return [
        { registryNo: h.registryNo, items: [{ ...benefit, state: "ENDED", monthlyRentFen: 10000, endDate: "2026-02-28" }] },
        { registryNo: h.registryNo, items: [{ ...benefit, state: "ACTIVE", monthlyRentFen: 90000 }] },
      ];
    }
  }
}

let gw: TestGateway;
let schema: GraphQLSchema;
let picked: { h: Household; p: Person }[] = [];

beforeAll(async () => {
  schema = await gatewaySchema();
  gw = await startGateway({
    now: NOW,
    seed: async (db) => runSeed({ sql: db.sql, seed: SEED, asOf: AS_OF, persons: PERSONS, progress: "none" }),
    sandboxes: { seed: SEED, asOf: AS_OF, persons: PERSONS, employment: { rateLimitPerSecond: 1_000_000, burst: 100_000 } },
    connectors: Object.fromEntries(SOURCES.map((s) => [s, { timeoutMs: 30_000, breaker: { threshold: 1_000_000 } }])),
    // the largest limits the configuration accepts (src/app/config.ts): the full-response queries are not what is tested here
    edge: { GRAPHQL_MAX_DEPTH: 40, GRAPHQL_MAX_TOKENS: 100_000, GRAPHQL_MAX_COST: 10_000_000, GRAPHQL_MAX_ALIASES: 1000 },
  });
  const p = gw.db.prisma;
  // households of different recorded tiers (and one without a case), each with a working-age member
  const households = await p.household.findMany({ include: { cases: true, members: true }, orderBy: { id: "asc" } });
  const seen = new Set<string>();
  for (const h of households) {
    const tier = h.cases.find((c) => c.personId === null && c.status === "ACTIVE")?.tier ?? "NONE";
    if (seen.has(tier) || h.members.length === 0) continue;
    seen.add(tier);
    const member = [...h.members].sort((a, b) => a.birthDate.getTime() - b.birthDate.getTime())[Math.floor(h.members.length / 2)];
    picked.push({ h, p: member });
    if (picked.length === 4) break;
  }
  expect(picked.length).toBeGreaterThanOrEqual(3);
  // a charity whose resources match whatever the street office derives, so the charity can open these households
  const districts = [...new Set(picked.map((x) => x.h.districtCode))];
  await p.charity.create({ data: { id: CHARITY, name: "不干扰测试慈善会（合成数据）", registrationNo: "53500000MJN000001X", districts } });
  for (const category of ["CARE_VISITS", "WINTER_CLOTHING", "SCHOOL_COSTS", "MEDICAL_COSTS", "FOOD", "ASSISTIVE_DEVICES", "JOB_TRAINING", "RENT_HELP", "OTHER"] as const)
    await p.charityResource.create({ data: { charityId: CHARITY, category, title: category, unit: "ITEMS", quantity: 100, remaining: 100, districts: [], streets: [], validFrom: new Date("2026-01-01") } });
  for (const { h } of picked)
    await p.need.create({ data: { householdId: h.id, districtCode: h.districtCode, streetCode: h.streetCode, category: "FOOD", urgency: "HIGH", origin: "MANUAL", rule: "MANUAL", reason: "test", since: new Date("2026-11-01") } });
}, 240_000);
afterAll(async () => gw?.close());

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

function tokenFor(audience: Audience, h: Household): MintOptions {
  if (audience === "charity") return { audience, charityId: CHARITY };
  if (audience === "auditor") return { audience, city: "500000", purpose: "non-interference test" };
  if (audience === "street_office") return { audience, street: h.streetCode };
  return { audience, city: "500000" };
}

/** Everything the audience gets about the household, request ids stripped. */
async function view(audience: Audience, h: Household): Promise<string> {
  const id = audience === "charity" ? gw.pseudonyms.encode(CHARITY, "household", h.id) : h.id;
  const full = selection(schema.getType("Household") as GraphQLObjectType, 7, new Set(["Household"]));
  const res = await gw.gql(`query($id: ID!, $s: String) { household(id: $id) { ${full} } needs(first: 50, filter: { street: $s }) { edges { node { id householdRef category urgency tier ageBand disability reason } } } }`,
    { id, s: h.streetCode }, tokenFor(audience, h));
  expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
  if (audience !== "charity") expect(res.data?.household, `${audience}: ${JSON.stringify(res.errors?.slice(0, 2))}`).toBeTruthy();
  return JSON.stringify(res.body, (k, v) => (k === "requestId" ? undefined : v));
}

async function setState(source: Source, record: Record<string, unknown> | null, key: string) {
  const url = gw.sandboxes!.urls[source];
  if (record) {
    const res = await fetch(`${url}/__sandbox/fixtures`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ records: [record] }) });
    expect(res.status, await res.clone().text()).toBe(200);
  } else await fetch(`${url}/__sandbox/fixtures/${encodeURIComponent(key)}`, { method: "DELETE" });
}

const hiddenFrom = (source: Source) => AUDIENCES.filter((a) => POLICY[BASIS[source][0]][BASIS[source][1]][a] !== "read");

describe("a record an audience may not read changes nothing it receives", () => {
  for (const source of SOURCES) {
    test(`${source}: every audience that may not read it (${hiddenFrom(source).join(", ")}), over households of different tiers`, async () => {
      const audiences = hiddenFrom(source);
      expect(audiences.length).toBeGreaterThan(0);
      let civilChanged = 0;
      for (const { h, p } of picked) {
        const [a, b] = variants(source, p, h);
        const key = String(a[KEY[source]]);
        const states: (Record<string, unknown> | null)[] = [a, b, null];
        const seen: Record<string, string[]> = {};
        for (const state of states) {
          await setState(source, state, key);
          for (const audience of [...audiences, "civil_affairs" as Audience]) (seen[audience] ??= []).push(await view(audience, h));
        }
        for (const audience of audiences) {
          const [first, ...rest] = seen[audience];
          for (const [i, other] of rest.entries()) expect(other, `${audience}, household ${h.id}, state ${i + 1} vs 0`).toBe(first);
        }
        if (new Set(seen.civil_affairs).size > 1) civilChanged++;
      }
      // the changes are real: civil affairs, who reads everything, sees them
      expect(civilChanged).toBeGreaterThan(0);
    }, 600_000);
  }
});

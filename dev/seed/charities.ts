/**
 * Charity matching in the default data set (issue 7): a handful of partner charities with resources
 * across the seeded streets, and the needs a first start should show — so matching is visible at once.
 * Every name is made up and marked 合成数据 (synthetic). Deterministic: ids are derived from stable keys,
 * dates from the data set's as-of date.
 *
 * Needs: derived by the pure rules (src/domain/needs.ts) over the registry's facts alone — department
 * records are not reachable while seeding, so their facts are marked failed and the rules that need them
 * stay silent (the street offices' refreshDerivedNeeds adds those later) — plus a few needs "recorded by
 * the street office" by hand: school costs for 15–17-year-olds of marginal households, rent help for
 * some dibao tenants.
 */
import { createHash } from "node:crypto";
import type { SqlExecutor } from "../../src/db/sql.js";
import { deriveNeeds, derivationKey, householdTier, ageBand, type NeedCategory, type Urgency } from "../../src/domain/needs.js";
import { ageOn } from "../../src/domain/age.js";
import { addDays, isoDay as iso } from "../../src/domain/calendar.js";
import type { CaseFact, Fetched, HouseholdFacts, MemberFacts, Tier } from "../../src/domain/facts.js";

/** Above this many persons (the city-wide sweep), charities and needs are not seeded. */
export const MAX_PERSONS_FOR_CHARITIES = 200_000;

/** A v4-shaped uuid from a stable key (needs must be v4-shaped: pseudonymous references check it). */
export function stableUuid(key: string): string {
  const h = createHash("sha256").update(`safetynet-seed:${key}`).digest();
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** A PostgreSQL array literal: parameters are sent as text, the same way by PGlite and node-postgres. */
const pgArray = (list: readonly string[]) => `{${list.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

interface CharitySeed {
  id: string;
  name: string;
  registrationNo: string;
}

export const SEED_CHARITIES: CharitySeed[] = [
  { id: "yz-charity-federation", name: "重庆市渝中区慈善会（合成数据）", registrationNo: "53500103MJP000001A" },
  { id: "yz-sunshine-student-aid", name: "渝中区阳光助学服务中心（合成数据）", registrationNo: "52500103MJP000002B" },
  { id: "yz-sunset-elderly-care", name: "渝中区夕阳红助老协会（合成数据）", registrationNo: "51500103MJP000003C" },
  { id: "yz-disability-support", name: "渝中区助残服务社（合成数据）", registrationNo: "52500103MJP000004D" },
  { id: "yz-home-rent-mutual", name: "渝中区安居互助会（合成数据）", registrationNo: "51500103MJP000005E" },
];

interface ResourceSeed {
  charityId: string;
  key: string;
  category: NeedCategory;
  title: string;
  unit: "ITEMS" | "FEN";
  quantity: number;
  streets?: string[];
  tiers?: Tier[];
  minAge?: number;
  maxAge?: number;
  disabilityRequired?: boolean;
  shared?: boolean;
  validFrom: Date;
  validTo: Date | null;
}

function resources(streets: { code: string; name: string }[], asOf: Date): ResourceSeed[] {
  const yearStart = day(`${asOf.getUTCFullYear()}-01-01`);
  const yearEnd = day(`${asOf.getUTCFullYear()}-12-31`);
  const half = Math.ceil(streets.length / 2);
  const [north, south] = [streets.slice(0, half).map((s) => s.code), streets.slice(half).map((s) => s.code)];
  const list: ResourceSeed[] = [
    { charityId: "yz-charity-federation", key: "winter-coats", category: "WINTER_CLOTHING", title: "冬衣暖心包", unit: "ITEMS", quantity: 400, tiers: ["DIBAO", "TEKUN", "DIBAO_MARGINAL"], shared: true, validFrom: addDays(asOf, -30), validTo: addDays(asOf, 120) },
    { charityId: "yz-charity-federation", key: "emergency-fund", category: "FOOD", title: "困难群众应急救助金", unit: "FEN", quantity: 5_000_000, tiers: ["DIBAO", "TEKUN"], shared: true, validFrom: yearStart, validTo: yearEnd },
    { charityId: "yz-charity-federation", key: "serious-illness-fund", category: "MEDICAL_COSTS", title: "大病医疗互助金", unit: "FEN", quantity: 3_000_000, validFrom: yearStart, validTo: null },
    { charityId: "yz-sunshine-student-aid", key: "senior-high-grant", category: "SCHOOL_COSTS", title: "高中阶段助学金", unit: "FEN", quantity: 2_000_000, minAge: 15, maxAge: 18, tiers: ["DIBAO", "DIBAO_MARGINAL", "RIGID_EXPENDITURE"], validFrom: yearStart, validTo: null },
    { charityId: "yz-sunshine-student-aid", key: "school-supplies", category: "SCHOOL_COSTS", title: "学习用品包", unit: "ITEMS", quantity: 150, minAge: 6, maxAge: 17, validFrom: yearStart, validTo: null },
    { charityId: "yz-sunshine-student-aid", key: "skills-training", category: "JOB_TRAINING", title: "职业技能培训名额", unit: "ITEMS", quantity: 60, minAge: 18, maxAge: 59, validFrom: yearStart, validTo: null },
    { charityId: "yz-sunset-elderly-care", key: "home-visits-north", category: "CARE_VISITS", title: "居家探访（上半城）", unit: "ITEMS", quantity: 300, minAge: 60, streets: north, validFrom: yearStart, validTo: null },
    { charityId: "yz-sunset-elderly-care", key: "home-visits-south", category: "CARE_VISITS", title: "居家探访（下半城）", unit: "ITEMS", quantity: 200, minAge: 60, streets: south, validFrom: yearStart, validTo: null },
    { charityId: "yz-disability-support", key: "assistive-devices", category: "ASSISTIVE_DEVICES", title: "轮椅、助听器等辅具适配", unit: "ITEMS", quantity: 80, disabilityRequired: true, validFrom: yearStart, validTo: null },
    { charityId: "yz-disability-support", key: "disability-care", category: "CARE_VISITS", title: "重度残疾人上门照护", unit: "ITEMS", quantity: 100, disabilityRequired: true, validFrom: yearStart, validTo: null },
    { charityId: "yz-home-rent-mutual", key: "rent-help", category: "RENT_HELP", title: "房租临时援助", unit: "FEN", quantity: 1_500_000, tiers: ["DIBAO", "TEKUN", "DIBAO_MARGINAL"], validFrom: yearStart, validTo: null },
  ];
  // one community food bank per street, run by the federation
  for (const s of streets)
    list.push({ charityId: "yz-charity-federation", key: `food-bank-${s.code}`, category: "FOOD", title: `社区爱心食物银行（${s.name}）`, unit: "ITEMS", quantity: 50, streets: [s.code], validFrom: yearStart, validTo: null });
  return list;
}

const UNKNOWN: Fetched<never> = { ok: false, source: "education", code: "UPSTREAM_UNAVAILABLE" };
const unknown = <T>(source: "education" | "employment" | "medicalInsurance" | "disability" | "housing"): Fetched<T> => ({ ...UNKNOWN, source }) as Fetched<T>;

interface NeedRow {
  id: string;
  householdId: string;
  personId: string | null;
  districtCode: string;
  streetCode: string;
  category: NeedCategory;
  urgency: Urgency;
  origin: "DERIVED" | "MANUAL";
  derivationKey: string | null;
  rule: string;
  reason: string;
  tier: Tier | null;
  ageBand: string | null;
  since: Date;
  recordedBy: string;
}

export interface CharitySeedStats {
  charities: number;
  resources: number;
  needs: number;
}

/** The tables seedCharities empties and fills. */
export const CHARITY_TABLES = ["claim", "contact_consent", "need", "charity_resource", "charity"] as const;

/** Seeds charities, resources and needs over the households already written. Empties those tables first. */
export async function seedCharities(sql: SqlExecutor, asOfIso: string): Promise<CharitySeedStats> {
  const asOf = day(asOfIso);
  await sql.exec(`TRUNCATE ${CHARITY_TABLES.map((t) => `"${t}"`).join(", ")} CASCADE`);
  const districts = (await sql.query<{ district_code: string }>(`SELECT DISTINCT district_code FROM household ORDER BY district_code`)).map((r) => r.district_code);
  if (districts.length === 0) return { charities: 0, resources: 0, needs: 0 };
  const streets = await sql.query<{ code: string; name: string }>(
    `SELECT code, name FROM street WHERE code IN (SELECT DISTINCT street_code FROM household) ORDER BY code`,
  );

  for (const c of SEED_CHARITIES)
    await sql.query(`INSERT INTO charity (id, name, registration_no, districts) VALUES ($1, $2, $3, $4::varchar[])`, [c.id, c.name, c.registrationNo, pgArray(districts)]);
  const rs = resources(streets, asOf);
  for (const r of rs)
    await sql.query(
      `INSERT INTO charity_resource (id, charity_id, category, title, unit, quantity, remaining, districts, streets, tiers, min_age, max_age, disability_required, shared, valid_from, valid_to, updated_at)
       VALUES ($1, $2, $3::"NeedCategory", $4, $5::"ResourceUnit", $6, $6, $7::varchar[], $8::varchar[], $9::"Tier"[], $10, $11, $12, $13, $14, $15, now())`,
      [stableUuid(`resource:${r.key}`), r.charityId, r.category, r.title, r.unit, r.quantity, pgArray([]), pgArray(r.streets ?? []), pgArray(r.tiers ?? []), r.minAge ?? null, r.maxAge ?? null, r.disabilityRequired ?? false, r.shared ?? false, iso(r.validFrom), r.validTo ? iso(r.validTo) : null],
    );

  const needs = await registryNeeds(sql, asOf);
  for (let i = 0; i < needs.length; i += 500) {
    const batch = needs.slice(i, i + 500);
    const cols = 15;
    const values = batch.map((_, j) => `(${Array.from({ length: cols }, (_, k) => `$${j * cols + k + 1}`).join(", ")})`).join(", ");
    await sql.query(
      `INSERT INTO need (id, household_id, person_id, district_code, street_code, category, urgency, origin, derivation_key, rule, reason, tier, age_band, since, recorded_by)
       SELECT v.id::uuid, v.hid::uuid, v.pid::uuid, v.dc, v.sc, v.cat::"NeedCategory", v.urg::"Urgency", v.origin::"NeedOrigin", v.dk, v.rule, v.reason, v.tier::"Tier", v.band, v.since::date, v.by
       FROM (VALUES ${values}) AS v(id, hid, pid, dc, sc, cat, urg, origin, dk, rule, reason, tier, band, since, by)`,
      batch.flatMap((n) => [n.id, n.householdId, n.personId, n.districtCode, n.streetCode, n.category, n.urgency, n.origin, n.derivationKey, n.rule, n.reason, n.tier, n.ageBand, iso(n.since), n.recordedBy]),
    );
  }
  return { charities: SEED_CHARITIES.length, resources: rs.length, needs: needs.length };
}

/** Needs from the registry alone (see the module comment), ordered by household. */
async function registryNeeds(sql: SqlExecutor, asOf: Date): Promise<NeedRow[]> {
  const households = await sql.query<{ id: string; district_code: string; street_code: string; registry_no: string; hukou: "URBAN" | "RURAL"; status: "ACTIVE" | "MONITORED" | "CLOSED" }>(
    `SELECT id, district_code, street_code, registry_no, hukou, status FROM household WHERE status <> 'CLOSED' ORDER BY registry_no`,
  );
  const persons = await sql.query<{ id: string; household_id: string; sex: "MALE" | "FEMALE"; birth_date: Date | string; relation: MemberFacts["relation"]; work_ability: MemberFacts["workAbility"]; self_care: MemberFacts["selfCare"] }>(
    `SELECT id, household_id, sex, birth_date, relation, work_ability, self_care FROM person ORDER BY id`,
  );
  const cases = await sql.query<{ id: string; household_id: string; person_id: string | null; tier: Tier; tier_class: CaseFact["tierClass"]; status: CaseFact["status"]; start_date: Date | string; end_date: Date | string | null }>(
    `SELECT id, household_id, person_id, tier, tier_class, status, start_date, end_date FROM assistance_case`,
  );
  const asDate = (v: Date | string) => (v instanceof Date ? v : day(String(v).slice(0, 10)));
  const membersOf = new Map<string, MemberFacts[]>();
  for (const p of persons) {
    const list = membersOf.get(p.household_id) ?? [];
    list.push({
      personId: p.id,
      idNumber: null,
      sex: p.sex,
      birthDate: asDate(p.birth_date),
      relation: p.relation,
      workAbility: p.work_ability,
      selfCare: p.self_care,
      education: unknown("education"),
      employment: unknown("employment"),
      medicalInsurance: unknown("medicalInsurance"),
      disability: unknown("disability"),
    });
    membersOf.set(p.household_id, list);
  }
  const casesOf = new Map<string, CaseFact[]>();
  for (const c of cases) {
    const list = casesOf.get(c.household_id) ?? [];
    list.push({ id: c.id, personId: c.person_id, tier: c.tier, tierClass: c.tier_class, status: c.status, startDate: asDate(c.start_date), endDate: c.end_date ? asDate(c.end_date) : null, nextReviewDate: null, monthlyFen: null });
    casesOf.set(c.household_id, list);
  }

  const out: NeedRow[] = [];
  households.forEach((h, index) => {
    const facts: HouseholdFacts = {
      householdId: h.id,
      registryNo: h.registry_no,
      districtCode: h.district_code,
      streetCode: h.street_code,
      hukou: h.hukou,
      status: h.status,
      registry: { source: "registry", asOf },
      members: membersOf.get(h.id) ?? [],
      incomes: [],
      assets: [],
      cases: casesOf.get(h.id) ?? [],
      aidRecords: [],
      housing: unknown("housing"),
    };
    const base = { householdId: h.id, districtCode: h.district_code, streetCode: h.street_code };
    for (const d of deriveNeeds(facts, asOf)) {
      const key = derivationKey(h.id, d);
      out.push({ ...base, id: stableUuid(`need:${key}`), personId: d.personId, category: d.category, urgency: d.urgency, origin: "DERIVED", derivationKey: key, rule: d.rules.join("+"), reason: d.reasons.join("; "), tier: d.tier, ageBand: d.ageBand, since: asOf, recordedBy: "derivation" });
    }
    // by hand: school costs for a 15–17-year-old of a marginal household; rent help for every 7th dibao household
    const tier = householdTier(facts, asOf);
    const teen = facts.members.find((m) => {
      const age = ageOn(m.birthDate, asOf);
      return age >= 15 && age <= 17;
    });
    const manual = (category: NeedCategory, urgency: Urgency, personId: string | null, band: string | null, daysAgo: number) =>
      out.push({ ...base, id: stableUuid(`need:manual:${h.id}:${category}`), personId, category, urgency, origin: "MANUAL", derivationKey: null, rule: "MANUAL", reason: `recorded by the street office: ${category}`, tier, ageBand: band, since: addDays(asOf, -daysAgo), recordedBy: `street-office:${h.street_code}` });
    if (teen && (tier === "DIBAO_MARGINAL" || tier === "RIGID_EXPENDITURE")) manual("SCHOOL_COSTS", "HIGH", teen.personId, ageBand(ageOn(teen.birthDate, asOf)), 10 + (index % 50));
    if (tier === "DIBAO" && index % 7 === 3) manual("RENT_HELP", index % 2 ? "MEDIUM" : "HIGH", null, null, 5 + (index % 90));
  });
  return out;
}

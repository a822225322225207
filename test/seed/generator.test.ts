import v8 from "node:v8";
import vm from "node:vm";
import { beforeAll, test, expect } from "vitest";
import { isValidIdNumber } from "../../src/domain/idnumber.js";
import {
  PolicyTable,
  YUZHONG_STREETS,
  addMonths,
  ageOn,
  assistedTier,
  generatePopulation,
  isPriorityMember,
  isWorkingAge,
  policyParameters,
  streets,
} from "../../dev/seed/generator.js";
import type { SynthHousehold } from "../../dev/seed/model.js";
import { Rng } from "../../dev/seed/rng.js";

const AS_OF = "2026-11-22";
const SEED = 20190101;
const policy = new PolicyTable(policyParameters());
let all: SynthHousehold[] = [];

beforeAll(() => {
  all = [...generatePopulation({ seed: SEED, asOf: AS_OF })];
});

function first<T>(it: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  for (const x of it) {
    out.push(x);
    if (out.length >= n) break;
  }
  return out;
}

const standard = (h: SynthHousehold) => policy.value(h.hukou === "URBAN" ? "DIBAO_STANDARD_URBAN" : "DIBAO_STANDARD_RURAL", AS_OF, h.districtCode);
const incomeAt = (h: SynthHousehold, on = AS_OF) =>
  h.incomes.filter((i) => i.validFrom <= on && (i.validTo === null || i.validTo >= on)).reduce((s, i) => s + i.monthlyFen, 0);
const householdCase = (h: SynthHousehold, tier: string) => h.cases.find((c) => c.tier === tier && c.personIndex === null);

test("rng: same seed, same sequence; uuids are v4-shaped", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xs = Array.from({ length: 50 }, () => a.u32());
  expect(Array.from({ length: 50 }, () => b.u32())).toEqual(xs);
  expect(Array.from({ length: 50 }, () => c.u32())).not.toEqual(xs);
  const r = new Rng(7);
  for (let i = 0; i < 1000; i++) {
    const v = r.int(3, 9);
    expect(v).toBeGreaterThanOrEqual(3);
    expect(v).toBeLessThanOrEqual(9);
    expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
  expect(r.weighted(["a", "b"], [0, 1])).toBe("b");
});

test("determinism: same seed -> identical households; another seed differs", () => {
  const a = first(generatePopulation({ seed: 7, asOf: AS_OF }), 300);
  const b = first(generatePopulation({ seed: 7, asOf: AS_OF }), 300);
  const c = first(generatePopulation({ seed: 8, asOf: AS_OF }), 300);
  expect(b).toEqual(a);
  expect(c).not.toEqual(a);
  expect(c[0].members[0].idNumber).not.toBe(a[0].members[0].idNumber);
});

test("default set: per-street dibao / TEKUN / registered persons equal DOMAIN.md §6 exactly", () => {
  const counts = new Map<string, { DIBAO: number; TEKUN: number; OTHER: number }>();
  for (const h of all) {
    let c = counts.get(h.streetCode);
    if (!c) counts.set(h.streetCode, (c = { DIBAO: 0, TEKUN: 0, OTHER: 0 }));
    h.members.forEach((p, i) => {
      const t = assistedTier(h, i);
      expect(p.facts.assisted).toBe(t !== null);
      if (t) c![t]++;
    });
  }
  const expected: Record<string, [number, number, number]> = {
    七星岗: [1508, 51, 99], 解放碑: [1276, 41, 135], 南纪门: [1320, 46, 37], 上清寺: [686, 13, 109],
    朝天门: [1143, 27, 65], 化龙桥: [579, 15, 33], 大溪沟: [713, 13, 80], 两路口: [1273, 20, 76],
    菜园坝: [1157, 23, 57], 石油路: [411, 4, 88], 大坪: [801, 23, 24], 福利院: [8, 64, 0],
  };
  const streetList = streets();
  expect(streetList).toHaveLength(12);
  expect(new Set(streetList.map((s) => s.districtCode))).toEqual(new Set(["500103"]));
  for (const s of streetList) {
    const c = counts.get(s.code)!;
    expect([c.DIBAO, c.TEKUN, c.OTHER], s.name).toEqual(expected[s.name]);
  }
  expect(streetList.map((s) => s.code)).toEqual([
    "500103001", "500103002", "500103003", "500103004", "500103005", "500103006",
    "500103007", "500103008", "500103009", "500103010", "500103011", "500103400",
  ]);
  const totals = [...counts.values()].reduce((t, c) => ({ DIBAO: t.DIBAO + c.DIBAO, TEKUN: t.TEKUN + c.TEKUN, OTHER: t.OTHER + c.OTHER }));
  expect(totals).toEqual({ DIBAO: 10_875, TEKUN: 340, OTHER: 803 });
  expect(totals.DIBAO + totals.TEKUN + totals.OTHER).toBe(12_018);
  expect(YUZHONG_STREETS.reduce((s, r) => s + r.dibao, 0)).toBe(10_875);
  // non-assisted persons exist too, and the set is of a realistic size
  const persons = all.reduce((s, h) => s + h.members.length, 0);
  expect(persons).toBeGreaterThan(15_000);
  expect(persons).toBeLessThan(20_000);
  expect(all.reduce((s, h) => s + h.aid.length, 0)).toBeLessThan(150_000);
});

test("every tier, class, status, program, relation and hukou occurs", () => {
  const seen = (f: (h: SynthHousehold) => Iterable<string | null>) => new Set(all.flatMap((h) => [...f(h)]));
  expect(seen((h) => h.cases.map((c) => c.tier))).toEqual(new Set(["DIBAO", "TEKUN", "DIBAO_MARGINAL", "RIGID_EXPENDITURE", "MONITORED", "OTHER"]));
  expect(seen((h) => h.cases.map((c) => c.tierClass))).toEqual(new Set(["DIBAO_A", "DIBAO_B", "TEKUN_CENTRALISED", "TEKUN_DISPERSED", null]));
  expect(seen((h) => h.cases.map((c) => c.status))).toEqual(new Set(["APPLIED", "ACTIVE", "GRADUAL_EXIT", "SUSPENDED", "TERMINATED", "REJECTED"]));
  expect(seen((h) => [h.status])).toEqual(new Set(["ACTIVE", "MONITORED", "CLOSED"]));
  expect(seen((h) => [h.hukou])).toEqual(new Set(["URBAN", "RURAL"]));
  expect(seen((h) => h.aid.map((a) => a.program))).toEqual(
    new Set(["DIBAO_PAYMENT", "TEKUN_SUPPORT", "TEKUN_CARE_SUBSIDY", "TEMPORARY_AID_EMERGENCY", "TEMPORARY_AID_EXPENDITURE", "ONE_TIME_SUBSIDY", "FUNERAL_AID"]),
  );
  expect(seen((h) => h.members.map((m) => m.relation))).toEqual(new Set(["HEAD", "SPOUSE", "CHILD", "PARENT", "GRANDCHILD", "SIBLING", "CHILD_IN_LAW"]));
  expect(seen((h) => h.members.map((m) => m.selfCare))).toEqual(new Set(["FULL", "PARTIAL", "NONE"]));
  expect(seen((h) => h.members.map((m) => m.workAbility))).toEqual(new Set(["FULL", "PARTIAL", "NONE"]));
  expect(seen((h) => h.incomes.map((i) => i.source))).toEqual(new Set(["WAGES", "BUSINESS", "PROPERTY", "PENSION", "TRANSFER", "AGRICULTURE", "OTHER"]));
  expect(seen((h) => h.assets.map((a) => a.kind))).toEqual(new Set(["DEPOSIT", "SECURITIES", "VEHICLE", "HOUSE", "BUSINESS"]));
  expect(seen((h) => h.members.map((m) => m.facts.school?.stage ?? null))).toEqual(new Set(["PRESCHOOL", "PRIMARY", "JUNIOR", "SENIOR", "VOCATIONAL", "HIGHER", null]));
  expect(seen((h) => h.members.map((m) => m.facts.employment?.status ?? null))).toEqual(
    new Set(["EMPLOYED", "FLEXIBLE", "UNEMPLOYED_REGISTERED", "UNEMPLOYED_UNREGISTERED", "RETIRED", "NOT_IN_LABOUR_FORCE", null]),
  );
  expect(seen((h) => h.members.map((m) => m.facts.disability?.category ?? null)).size).toBe(8);
  // households are of size 1-6, mostly 2-4
  const sizes = all.map((h) => h.members.length);
  expect(Math.min(...sizes)).toBe(1);
  expect(Math.max(...sizes)).toBe(6);
  const nonTekun = all.filter((h) => !h.cases.some((c) => c.tier === "TEKUN"));
  expect(nonTekun.filter((h) => h.members.length >= 2 && h.members.length <= 4).length / nonTekun.length).toBeGreaterThan(0.6);
});

test("ID numbers are valid, unique and agree with birth date and sex; mostly Yuzhong, some other Chongqing regions", () => {
  const ids = new Set<string>();
  const regions = new Map<string, number>();
  let n = 0;
  for (const h of all) {
    for (const p of h.members) {
      n++;
      expect(isValidIdNumber(p.idNumber, AS_OF), p.idNumber).toBe(true);
      expect(p.idNumber.slice(6, 14)).toBe(p.birthDate.replace(/-/g, ""));
      expect(Number(p.idNumber[16]) % 2 === 1 ? "MALE" : "FEMALE").toBe(p.sex);
      ids.add(p.idNumber);
      regions.set(p.idNumber.slice(0, 6), (regions.get(p.idNumber.slice(0, 6)) ?? 0) + 1);
      expect(p.idNumber.slice(0, 2)).toBe("50");
      expect(p.name).toMatch(/^[\u4e00-\u9fff]{2,3}$/);
      if (p.facts.disability) {
        const d = p.facts.disability;
        expect(d.certificateNo).toHaveLength(20);
        expect(d.certificateNo.slice(0, 18)).toBe(p.idNumber);
        expect(d.certificateNo[19]).toBe(String(d.grade));
      }
    }
  }
  expect(ids.size).toBe(n);
  expect(regions.get("500103")! / n).toBeGreaterThan(0.7);
  expect(regions.size).toBeGreaterThan(10);
  const uuids = new Set(all.flatMap((h) => [h.id, ...h.members.map((m) => m.id), ...h.cases.map((c) => c.id), ...h.aid.map((a) => a.id)]));
  expect(uuids.size).toBe(all.reduce((s, h) => s + 1 + h.members.length + h.cases.length + h.aid.length, 0));
  expect(new Set(all.map((h) => h.registryNo)).size).toBe(all.length);
  const keys = new Set(all.flatMap((h) => h.aid.map((a) => a.idempotencyKey)));
  expect(keys.size).toBe(all.reduce((s, h) => s + h.aid.length, 0));
  for (const h of all) {
    if (h.phone !== null) expect(h.phone).toMatch(/^1(3\d|5[0-35-9]|8\d|9[19])\d{8}$/);
    if (h.contactConsent) expect(h.phone).not.toBeNull();
  }
  expect(all.filter((h) => h.contactConsent).length).toBeGreaterThan(100);
});

test("ages are consistent with relations (parents older than children)", () => {
  const yearsBetween = (older: string, younger: string) => ageOn(older, younger);
  for (const h of all) {
    const head = h.members.find((m) => m.relation === "HEAD")!;
    expect(h.members.filter((m) => m.relation === "HEAD")).toHaveLength(1);
    expect(h.members[0].relation).toBe("HEAD");
    const spouse = h.members.find((m) => m.relation === "SPOUSE");
    for (const m of h.members) {
      expect(m.birthDate <= AS_OF).toBe(true);
      if (m.relation === "CHILD") {
        expect(yearsBetween(head.birthDate, m.birthDate)).toBeGreaterThanOrEqual(15);
        if (spouse) expect(yearsBetween(spouse.birthDate, m.birthDate)).toBeGreaterThanOrEqual(15);
      }
      if (m.relation === "PARENT") expect(yearsBetween(m.birthDate, head.birthDate)).toBeGreaterThanOrEqual(15);
      if (m.relation === "GRANDCHILD") {
        expect(yearsBetween(head.birthDate, m.birthDate)).toBeGreaterThanOrEqual(30);
        for (const c of h.members.filter((x) => x.relation === "CHILD" || x.relation === "CHILD_IN_LAW")) {
          expect(yearsBetween(c.birthDate, m.birthDate)).toBeGreaterThanOrEqual(15);
        }
      }
      if (m.relation === "SPOUSE" || m.relation === "CHILD_IN_LAW") expect(ageOn(m.birthDate, AS_OF)).toBeGreaterThanOrEqual(18);
      // school stage fits the age
      const age = ageOn(m.birthDate, AS_OF);
      const stage = m.facts.school?.stage;
      if (stage === "PRESCHOOL") expect(age).toBeLessThan(6);
      if (stage === "PRIMARY") expect(age >= 6 && age <= 11).toBe(true);
      if (stage === "HIGHER") expect(age).toBeGreaterThanOrEqual(18);
      if (age < 16) expect(m.facts.employment).toBeNull();
    }
  }
});

test("dibao: income per capita below the standard; amount = gap × size + classified supplements; review cycles", () => {
  let n = 0;
  let sixMonthly = 0;
  let yearly = 0;
  for (const h of all) {
    const c = h.cases.find((x) => x.tier === "DIBAO" && x.status === "ACTIVE" && x.personIndex === null);
    if (!c) continue;
    n++;
    const s = standard(h);
    const income = incomeAt(h);
    expect(income / h.members.length).toBeLessThan(s);
    const priority = h.members.filter((m) => isPriorityMember(m, AS_OF)).length;
    const supplement = Math.round(s * policy.value("DIBAO_CLASSIFIED_SUPPLEMENT_RATIO", AS_OF, h.districtCode));
    expect(c.monthlyFen).toBe(s * h.members.length - income + priority * supplement);
    const ableToWork = h.members.some((m) => m.workAbility !== "NONE" && isWorkingAge(m.sex, ageOn(m.birthDate, AS_OF)) && !m.facts.school);
    const months = ableToWork ? 6 : 12;
    ableToWork ? sixMonthly++ : yearly++;
    let k = 1;
    while (addMonths(c.startDate, k * months) < c.nextReviewDate!) k++;
    expect(addMonths(c.startDate, k * months)).toBe(c.nextReviewDate);
    expect(c.nextReviewDate! <= addMonths(AS_OF, months)).toBe(true);
    // classes: A when nobody covered of working age can work fully
    const fully = h.members.some((m) => m.workAbility === "FULL" && isWorkingAge(m.sex, ageOn(m.birthDate, AS_OF)) && !m.facts.school);
    expect(c.tierClass).toBe(fully ? "DIBAO_B" : "DIBAO_A");
    // 12 monthly payments (or fewer for recent cases), none in the future
    const pays = h.aid.filter((a) => a.program === "DIBAO_PAYMENT");
    expect(pays.length).toBeLessThanOrEqual(12);
    for (const a of pays) expect(a.paidAt! < AS_OF).toBe(true);
    if (c.startDate < addMonths(AS_OF, -14)) expect(pays).toHaveLength(12);
    expect(pays.at(-1)?.amountFen ?? c.monthlyFen).toBe(c.monthlyFen);
  }
  expect(n).toBeGreaterThan(3000);
  expect(sixMonthly).toBeGreaterThan(100);
  expect(yearly).toBeGreaterThan(100);
  // zero-employment households: working-age members able to work, none employed
  const zero = all.filter(
    (h) =>
      householdCase(h, "DIBAO")?.status === "ACTIVE" &&
      h.members.some((m) => m.workAbility === "FULL" && isWorkingAge(m.sex, ageOn(m.birthDate, AS_OF)) && !m.facts.school) &&
      !h.members.some((m) => m.facts.employment?.status === "EMPLOYED" || m.facts.employment?.status === "FLEXIBLE"),
  );
  expect(zero.length).toBeGreaterThan(100);
  // priority groups occur inside dibao
  const dibaoMembers = all.filter((h) => householdCase(h, "DIBAO")?.status === "ACTIVE").flatMap((h) => h.members);
  expect(dibaoMembers.some((m) => m.facts.disability)).toBe(true);
  expect(dibaoMembers.some((m) => m.facts.seriousIllness)).toBe(true);
  expect(dibaoMembers.some((m) => ageOn(m.birthDate, AS_OF) >= 70)).toBe(true);
  expect(dibaoMembers.some((m) => ageOn(m.birthDate, AS_OF) < 6)).toBe(true);
  expect(dibaoMembers.some((m) => m.facts.school && m.facts.school.stage !== "PRESCHOOL" && m.facts.school.hardship)).toBe(true);
  expect(dibaoMembers.some((m) => m.facts.employment?.status === "UNEMPLOYED_REGISTERED" && m.facts.employment.unemployedSince)).toBe(true);
  expect(all.some((h) => h.members.some((m) => m.facts.employment?.publicWelfarePost))).toBe(true);
  // rural dibao households are measured against the rural standard
  expect(all.some((h) => h.hukou === "RURAL" && householdCase(h, "DIBAO")?.status === "ACTIVE")).toBe(true);
});

test("gradual exit: income rose above the standard but below 1.5×, 6-month grace period", () => {
  const gradual = all.filter((h) => h.cases.some((c) => c.status === "GRADUAL_EXIT"));
  expect(gradual.length).toBeGreaterThan(20);
  for (const h of gradual) {
    const c = h.cases.find((x) => x.status === "GRADUAL_EXIT")!;
    const s = standard(h);
    const pci = incomeAt(h) / h.members.length;
    expect(pci).toBeGreaterThan(s);
    expect(pci).toBeLessThan(1.5 * s);
    const rose = h.incomes.reduce((d, i) => (i.validFrom > d ? i.validFrom : d), "0000");
    expect(c.endDate).toBe(addMonths(rose, 6));
    expect(c.endDate! > AS_OF).toBe(true);
    expect(incomeAt(h, addMonths(rose, -1)) / h.members.length).toBeLessThan(s);
    expect(h.members.every((m) => m.facts.assisted)).toBe(true);
  }
});

test("single-person inclusion in marginal households; marginal, rigid-expenditure, rejected and left households", () => {
  const inclusion = all.filter((h) => h.cases.some((c) => c.tier === "DIBAO" && c.personIndex !== null));
  expect(inclusion.length).toBeGreaterThan(50);
  for (const h of inclusion) {
    const c = h.cases.find((x) => x.tier === "DIBAO" && x.personIndex !== null)!;
    const p = h.members[c.personIndex!];
    expect(householdCase(h, "DIBAO_MARGINAL")?.status).toBe("ACTIVE");
    expect((p.facts.disability !== null && p.facts.disability.grade <= 2) || p.facts.seriousIllness !== null).toBe(true);
    expect(h.members.filter((m) => m.facts.assisted)).toEqual([p]);
    expect(h.aid.filter((a) => a.program === "DIBAO_PAYMENT").every((a) => a.personIndex === c.personIndex)).toBe(true);
  }
  for (const h of all) {
    const s = standard(h);
    const pci = incomeAt(h) / h.members.length;
    const marginal = householdCase(h, "DIBAO_MARGINAL");
    if (marginal) {
      expect(pci).toBeGreaterThanOrEqual(s);
      expect(pci).toBeLessThan(1.5 * s);
      expect(h.members.some((m) => m.facts.assisted)).toBe(h.cases.length > 1);
    }
    const rigid = householdCase(h, "RIGID_EXPENDITURE");
    if (rigid) {
      const key = h.hukou === "URBAN" ? "PER_CAPITA_DISPOSABLE_INCOME_URBAN" : "PER_CAPITA_DISPOSABLE_INCOME_RURAL";
      expect(pci).toBeLessThan(policy.value(key, AS_OF, h.districtCode) / 12);
      const spend = h.members.reduce((t, m) => t + m.facts.outOfPocketFen + (m.facts.educationExpenseFen ?? 0), 0);
      expect(spend / (incomeAt(h) * 12)).toBeGreaterThan(policy.value("RIGID_EXPENDITURE_RATIO", AS_OF, h.districtCode));
    }
    const rejected = h.cases.find((c) => c.status === "REJECTED");
    if (rejected) {
      expect(h.status).toBe("MONITORED");
      expect(rejected.endDate! >= addMonths(AS_OF, -24)).toBe(true);
      const deposits = h.assets.filter((a) => a.kind === "DEPOSIT").reduce((t, a) => t + Number(a.valueFen), 0);
      const limit = policy.value("ASSET_LIMIT_DEPOSIT_PER_CAPITA", AS_OF, h.districtCode);
      expect(pci >= s || deposits / h.members.length > limit).toBe(true);
    }
    if (h.status === "MONITORED") expect(h.members.some((m) => m.facts.assisted)).toBe(false);
  }
  expect(all.some((h) => h.cases.some((c) => c.status === "REJECTED") && h.assets.some((a) => a.kind === "DEPOSIT" && Number(a.valueFen) / h.members.length > 2_400_000))).toBe(true);
  expect(all.some((h) => h.status === "MONITORED" && h.cases.some((c) => c.tier === "DIBAO" && c.status === "TERMINATED"))).toBe(true);
});

test("TEKUN: one-person households, no work ability, no income; welfare home centralised; orphans until 18", () => {
  const tekun = all.filter((h) => householdCase(h, "TEKUN")?.status === "ACTIVE");
  expect(tekun).toHaveLength(340);
  for (const h of tekun) {
    const c = householdCase(h, "TEKUN")!;
    expect(h.members).toHaveLength(1);
    expect(h.members[0].workAbility).toBe("NONE");
    expect(h.incomes).toHaveLength(0);
    if (h.streetCode === "500103400") expect(c.tierClass).toBe("TEKUN_CENTRALISED");
    expect(c.nextReviewDate! > addMonths(AS_OF, -12) && c.nextReviewDate! <= addMonths(AS_OF, 12)).toBe(true);
    const care = h.aid.filter((a) => a.program === "TEKUN_CARE_SUBSIDY").at(-1);
    if (care) expect(care.amountFen).toBe(policy.value(`TEKUN_CARE_SUBSIDY_${h.members[0].selfCare}`, care.periodStart, h.districtCode));
    if (h.members[0].facts.orphan) {
      const age = ageOn(h.members[0].birthDate, AS_OF);
      expect(age).toBeLessThan(18);
      expect(c.endDate).toBe(addMonths(h.members[0].birthDate, 12 * 18));
    }
  }
  // a few re-certifications are overdue
  expect(tekun.filter((h) => householdCase(h, "TEKUN")!.nextReviewDate! <= AS_OF).length / tekun.length).toBeLessThan(0.1);
  const streetTekun = tekun.filter((h) => h.streetCode !== "500103400");
  expect(streetTekun.filter((h) => householdCase(h, "TEKUN")!.tierClass === "TEKUN_DISPERSED").length / streetTekun.length).toBeGreaterThan(0.6);
  expect(tekun.some((h) => h.members[0].facts.orphan && ageOn(h.members[0].birthDate, AS_OF) >= 16)).toBe(true);
  // orphans aged 18+ who were TEKUN
  const aged = all.filter((h) => h.members[0].facts.orphan && ageOn(h.members[0].birthDate, AS_OF) >= 18);
  expect(aged.length).toBeGreaterThan(5);
  for (const h of aged) {
    const t = h.cases.find((c) => c.tier === "TEKUN")!;
    expect(t.status).toBe("TERMINATED");
    expect(t.endDate).toBe(addMonths(h.members[0].birthDate, 12 * 18));
  }
  // deceased: closed household, funeral aid
  const closed = all.filter((h) => h.status === "CLOSED");
  expect(closed.length).toBeGreaterThan(0);
  expect(closed.some((h) => h.aid.some((a) => a.program === "FUNERAL_AID"))).toBe(true);
  for (const h of closed) expect(h.members[0].facts.deceasedOn).toBeTruthy();
});

test("aid: monthly payments in the 12 months before asOf; the 2022 one-time subsidy at 127 / 100 / 165 yuan", () => {
  const firstMonth = addMonths("2026-11-01", -11);
  const oneTime = new Map<number, number>();
  for (const h of all) {
    for (const a of h.aid) {
      expect(a.amountFen).toBeGreaterThan(0);
      expect(a.idempotencyKey.startsWith(h.registryNo + ":" + a.program + ":")).toBe(true);
      if (a.program === "ONE_TIME_SUBSIDY") {
        expect(a.periodStart.startsWith("2022-")).toBe(true);
        expect(a.personIndex).not.toBeNull();
        oneTime.set(a.amountFen, (oneTime.get(a.amountFen) ?? 0) + 1);
        const c = h.cases[a.caseIndex!];
        if (c.tier === "TEKUN") expect(a.amountFen).toBe(16500);
        else expect(a.amountFen).toBe(h.hukou === "URBAN" ? 12700 : 10000);
      } else {
        expect(a.periodStart >= firstMonth && a.periodStart <= "2026-11-01").toBe(true);
        expect(a.paidAt! < AS_OF).toBe(true);
      }
    }
  }
  expect(new Set(oneTime.keys())).toEqual(new Set([12700, 10000, 16500]));
});

test("policy parameters: required keys, sources, Yuzhong overrides and the 16 -> 18 TEKUN age limit", () => {
  const params = policyParameters();
  const keys = new Set(params.map((p) => p.key));
  for (const k of [
    "DIBAO_STANDARD_URBAN", "DIBAO_STANDARD_RURAL", "MARGINAL_MULTIPLIER", "PER_CAPITA_DISPOSABLE_INCOME_URBAN",
    "PER_CAPITA_DISPOSABLE_INCOME_RURAL", "RIGID_EXPENDITURE_RATIO", "GRADUAL_EXIT_MONTHS", "TEKUN_MINOR_AGE_LIMIT",
    "ONE_TIME_SUBSIDY_URBAN_DIBAO", "ONE_TIME_SUBSIDY_RURAL_DIBAO", "ONE_TIME_SUBSIDY_TEKUN", "ASSET_LIMIT_DEPOSIT_PER_CAPITA",
    "REVIEW_MONTHS_STABLE", "REVIEW_MONTHS_UNSTABLE", "MEDICAL_PREMIUM_SUBSIDY_TEKUN", "MEDICAL_PREMIUM_SUBSIDY_DIBAO",
    "MEDICAL_PREMIUM_SUBSIDY_MARGINAL", "MEDICAL_OOP_AID_RATIO_DIBAO_TEKUN", "MEDICAL_OOP_AID_RATIO_MARGINAL",
    "FRESHNESS_MEDICAL_SETTLEMENT_YEARS", "FRESHNESS_EDUCATION_TERM_MONTHS", "FRESHNESS_DISABILITY_MONTHS",
    "FRESHNESS_EMPLOYMENT_MONTHS", "FRESHNESS_HOUSING_MONTHS", "FRESHNESS_EMPLOYMENT_TRAINING_MONTHS",
    "TEKUN_PRESUMED_UNABLE_TO_WORK_AGE", "TEKUN_NO_INCOME_SOURCE_RATIO", "POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE",
  ]) expect(keys.has(k), k).toBe(true);
  for (const p of params) {
    expect(p.source.length).toBeGreaterThan(10);
    // a seed document (000–004), an illustrative value said as such, or — where the seeds are silent — a
    // national rule cited by its document number (e.g. 民发〔2021〕43号) and article
    const national = /^National rule where the seeds are silent: .+〔\d{4}〕\d+号.*第.+条/.test(p.source);
    expect(/illustrative|00[0-4]/.test(p.source) || national, `${p.key}: ${p.source}`).toBe(true);
    if (p.effectiveTo) expect(p.effectiveTo >= p.effectiveFrom).toBe(true);
  }
  expect(new Set(params.map((p) => `${p.regionCode}|${p.key}|${p.effectiveFrom}`)).size).toBe(params.length);
  expect(policy.value("MARGINAL_MULTIPLIER", AS_OF, "500103")).toBe(1.5);
  expect(policy.value("GRADUAL_EXIT_MONTHS", AS_OF, "500103")).toBe(6);
  expect(policy.value("TEKUN_MINOR_AGE_LIMIT", "2019-06-01", "500103")).toBe(16);
  expect(policy.value("TEKUN_MINOR_AGE_LIMIT", "2021-06-01", "500103")).toBe(18);
  expect(policy.value("ONE_TIME_SUBSIDY_URBAN_DIBAO", "2022-09-01", "500000")).toBe(12700);
  expect(policy.value("ONE_TIME_SUBSIDY_RURAL_DIBAO", "2022-09-01", "500000")).toBe(10000);
  expect(policy.value("ONE_TIME_SUBSIDY_TEKUN", "2022-09-01", "500000")).toBe(16500);
  expect(() => policy.value("ONE_TIME_SUBSIDY_TEKUN", "2023-09-01", "500000")).toThrow();
  expect(policy.value("MEDICAL_PREMIUM_SUBSIDY_DIBAO", AS_OF, "500120")).toBe(0.9);
  expect(policy.value("MEDICAL_OOP_AID_RATIO_MARGINAL", AS_OF, "500120")).toBe(0.6);
  expect(policy.value("REVIEW_MONTHS_UNSTABLE", AS_OF, "500120")).toBe(6);
  // 特困人员认定办法 第六条 (60+ without ability to work), 第七条 (income below the dibao standard: no income source)
  expect(policy.value("TEKUN_PRESUMED_UNABLE_TO_WORK_AGE", AS_OF, "500103")).toBe(60);
  expect(policy.value("TEKUN_NO_INCOME_SOURCE_RATIO", AS_OF, "500103")).toBe(1);
  // local decision (illustrative): the possible-TEKUN alert for persons living alone
  expect(policy.value("POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE", AS_OF, "500103")).toBe(1);
  // district override wins over the city value
  expect(policy.value("ASSET_LIMIT_DEPOSIT_PER_CAPITA", AS_OF, "500103")).toBe(3_000_000);
  expect(policy.value("ASSET_LIMIT_DEPOSIT_PER_CAPITA", AS_OF, "500120")).toBe(2_400_000);
  expect(policy.value("PER_CAPITA_DISPOSABLE_INCOME_URBAN", AS_OF, "500103")).toBeGreaterThan(policy.value("PER_CAPITA_DISPOSABLE_INCOME_URBAN", AS_OF, "500120"));
});

test("streaming: persons 50,000 gives about 50,000 persons across several districts in bounded memory", () => {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  let persons = 0;
  let households = 0;
  const districts = new Set<string>();
  const streetCodes = new Set(streets({ persons: 50_000 }).map((s) => s.code));
  let heapAt10k = 0;
  let maxHeapAfter = 0;
  gc();
  for (const h of generatePopulation({ seed: 3, asOf: AS_OF, persons: 50_000 })) {
    persons += h.members.length;
    households++;
    districts.add(h.districtCode);
    expect(streetCodes.has(h.streetCode)).toBe(true);
    if (heapAt10k === 0 && persons >= 10_000) {
      gc();
      heapAt10k = process.memoryUsage().heapUsed;
    } else if (heapAt10k > 0 && households % 4000 === 0) {
      gc();
      maxHeapAfter = Math.max(maxHeapAfter, process.memoryUsage().heapUsed);
    }
  }
  gc();
  maxHeapAfter = Math.max(maxHeapAfter, process.memoryUsage().heapUsed);
  expect(Math.abs(persons - 50_000) / 50_000).toBeLessThan(0.05);
  expect(districts.size).toBeGreaterThanOrEqual(3);
  expect(districts.has("500103")).toBe(true);
  // 40,000 more persons streamed through; retaining them would take well over 50 MB
  expect(maxHeapAfter - heapAt10k).toBeLessThan(16 * 1024 * 1024);
});

/**
 * Issue 13 point 9 — the alerts the seeds ask for (003 §7: (b) possibly eligible but not covered, (c) possibly no
 * longer eligible), the possible-TEKUN alert with the national presumptions (特困人员认定办法 2021 第六条, 第七条),
 * the home owner on a rental benefit, and whether an alert list is complete. Table-driven, at the boundaries.
 */
import { describe, expect, test } from "vitest";
import { alertCompleteness, deriveAlerts } from "../../src/domain/alerts.js";
import { buildAidChain } from "../../src/domain/aid-chain.js";
import type { EligibilityResult, HouseholdFacts } from "../../src/domain/facts.js";
import { ASOF, benefit, d, eligibility, facts, failed, housing, kase, medical, member, ok, param } from "./chain-fixtures.js";

const STD = 78_000;
const TEKUN_PARAMS = [param("TEKUN_PRESUMED_UNABLE_TO_WORK_AGE", 60), param("TEKUN_NO_INCOME_SOURCE_RATIO", 1)];
const elig = (over: Partial<EligibilityResult> = {}) => eligibility({ standardFen: STD, marginalLimitFen: 1.5 * STD, incomePerCapitaFen: 0, parametersUsed: TEKUN_PARAMS, ...over });
const kinds = (f: HouseholdFacts, e: EligibilityResult, kind: string) => deriveAlerts(f, e, ASOF).filter((a) => a.kind === kind);
/** born `years` years before ASOF (2026-11-01), `days` later */
const born = (years: number, days = 0) => new Date(Date.UTC(2026 - years, 10, 1 + days));

describe("POSSIBLY_ELIGIBLE_NOT_COVERED (003 §7 (b)) and VERIFY_EXIT (003 §7 (c)): the case's tier against the computed one", () => {
  type Row = [string, Parameters<typeof kase>[0], Partial<EligibilityResult>, [string, string, string] | null];
  const rows: Row[] = [
    ["an OTHER case whose facts give DIBAO: inform and push, HIGH", { tier: "OTHER", tierClass: null }, { tier: "DIBAO" }, ["POSSIBLY_ELIGIBLE_NOT_COVERED", "INFORM_AND_PUSH", "HIGH"]],
    ["a MONITORED case whose facts give DIBAO", { tier: "MONITORED", tierClass: null }, { tier: "DIBAO" }, ["POSSIBLY_ELIGIBLE_NOT_COVERED", "INFORM_AND_PUSH", "HIGH"]],
    ["a MONITORED case whose facts give DIBAO_MARGINAL: MEDIUM", { tier: "MONITORED", tierClass: null }, { tier: "DIBAO_MARGINAL" }, ["POSSIBLY_ELIGIBLE_NOT_COVERED", "INFORM_AND_PUSH", "MEDIUM"]],
    ["a marginal case whose facts give DIBAO", { tier: "DIBAO_MARGINAL", tierClass: null }, { tier: "DIBAO" }, ["POSSIBLY_ELIGIBLE_NOT_COVERED", "INFORM_AND_PUSH", "HIGH"]],
    ["a case whose facts give the same tier: nothing", { tier: "DIBAO_MARGINAL", tierClass: null }, { tier: "DIBAO_MARGINAL" }, null],
    ["a marginal case now NOT_ELIGIBLE: verify exit, HIGH", { tier: "DIBAO_MARGINAL", tierClass: null }, { tier: "NOT_ELIGIBLE" }, ["VERIFY_EXIT", "VERIFY_EXIT", "HIGH"]],
    ["a rigid-expenditure case now NOT_ELIGIBLE", { tier: "RIGID_EXPENDITURE", tierClass: null }, { tier: "NOT_ELIGIBLE" }, ["VERIFY_EXIT", "VERIFY_EXIT", "HIGH"]],
    ["a TEKUN case now NOT_ELIGIBLE", { tier: "TEKUN", tierClass: "TEKUN_DISPERSED" }, { tier: "NOT_ELIGIBLE" }, ["VERIFY_EXIT", "VERIFY_EXIT", "HIGH"]],
    ["a TEKUN case whose facts give DIBAO: verify (move), MEDIUM", { tier: "TEKUN", tierClass: "TEKUN_DISPERSED" }, { tier: "DIBAO" }, ["VERIFY_EXIT", "VERIFY_EXIT", "MEDIUM"]],
    ["a marginal case NOT_ELIGIBLE on an incomplete evaluation: no exit on unknown facts", { tier: "DIBAO_MARGINAL", tierClass: null }, { tier: "NOT_ELIGIBLE", complete: false }, null],
    ["a terminated marginal case: nothing to verify", { tier: "DIBAO_MARGINAL", tierClass: null, status: "TERMINATED", endDate: d("2026-01-01") }, { tier: "NOT_ELIGIBLE" }, null],
  ];
  test.each(rows)("%s", (_n, c, e, want) => {
    // an adult able to work: never a possible TEKUN, so only the tier comparison can raise an alert here
    const f = facts({ cases: [kase(c)], members: [member("p1", { birthDate: born(40), workAbility: "FULL" })] });
    const got = deriveAlerts(f, elig(e), ASOF).filter((a) => a.kind === "POSSIBLY_ELIGIBLE_NOT_COVERED" || a.kind === "VERIFY_EXIT");
    if (!want) return expect(got).toEqual([]);
    expect(got).toHaveLength(1);
    expect([got[0].kind, got[0].class, got[0].severity]).toEqual(want);
    expect(got[0].department).toBe("civil_affairs");
    expect(got[0].reference).toMatch(/003 §7/);
  });

  test("a dibao case whose income rose above the marginal limit: INCOME_ABOVE_STANDARD asks to verify, no second VERIFY_EXIT", () => {
    const f = facts({ cases: [kase()], members: [member("p1", { birthDate: born(40) })] });
    const got = deriveAlerts(f, elig({ tier: "NOT_ELIGIBLE", incomePerCapitaFen: 1.5 * STD }), ASOF).map((a) => a.kind);
    expect(got).toContain("INCOME_ABOVE_STANDARD");
    expect(got).not.toContain("VERIFY_EXIT");
  });

  test("a person-level (单人户) case is compared with the member's own computed tier", () => {
    const f = facts({ cases: [kase({ personId: "p2", tier: "DIBAO" })], members: [member("p1", { birthDate: born(40) }), member("p2", { birthDate: born(40), relation: "SPOUSE" })] });
    expect(kinds(f, elig({ tier: "DIBAO_MARGINAL", persons: [{ personId: "p2", tier: "DIBAO", reason: "inclusion" }] }), "VERIFY_EXIT")).toEqual([]);
    expect(kinds(f, elig({ tier: "DIBAO_MARGINAL" }), "VERIFY_EXIT").map((a) => a.personId)).toEqual(["p2"]);
  });
});

describe("POSSIBLE_TEKUN: unable to work (60+, 第六条), no income source (below the standard, 第七条), nobody able to support", () => {
  type Row = [string, Partial<HouseholdFacts>, Partial<EligibilityResult>, boolean];
  const alone = (over: Parameters<typeof member>[1]) => [member("p1", { birthDate: born(70), workAbility: "PARTIAL", ...over })];
  const rows: Row[] = [
    ["aged exactly 60, alone, no income", { members: alone({ birthDate: born(60) }) }, {}, true],
    ["aged 60 tomorrow (59), able to work partly: not presumed unable", { members: alone({ birthDate: born(60, 1) }) }, {}, false],
    ["aged 59 with no work ability", { members: alone({ birthDate: born(60, 1), workAbility: "NONE" }) }, {}, true],
    ["own income 1 fen below the standard", { members: alone({}), incomes: [{ personId: null, source: "PENSION", monthlyFen: STD - 1, validFrom: d("2020-01-01"), validTo: null }] }, {}, true],
    ["own income exactly the standard: an income source", { members: alone({}), incomes: [{ personId: null, source: "PENSION", monthlyFen: STD, validFrom: d("2020-01-01"), validTo: null }] }, {}, false],
    ["a son of 35 able to work in the household: a supporter", { members: [...alone({}), member("p2", { birthDate: born(35), relation: "CHILD", workAbility: "FULL" })] }, {}, false],
    ["a spouse of 75 without income: no supporter, both possible", { members: [...alone({}), member("p2", { birthDate: born(75), relation: "SPOUSE", workAbility: "NONE" })] }, {}, true],
    ["already TEKUN by a case", { members: alone({}), cases: [kase({ tier: "TEKUN", tierClass: "TEKUN_DISPERSED" })] }, { tier: "TEKUN" }, false],
    ["computed TEKUN", { members: alone({}) }, { tier: "TEKUN" }, false],
    ["the presumption parameters not in force: no alert", { members: alone({}) }, { parametersUsed: [] }, false],
  ];
  test.each(rows)("%s", (_n, f, e, want) => {
    const got = kinds(facts(f), elig({ tier: "NOT_ELIGIBLE", ...e }), "POSSIBLE_TEKUN");
    expect(got.length > 0).toBe(want);
    for (const a of got) {
      expect([a.class, a.department]).toEqual(["INFORM_AND_PUSH", "civil_affairs"]);
      expect(a.reference).toMatch(/特困人员认定办法/);
      expect(a.evidence.map((x) => x.name)).toEqual(expect.arrayContaining(["TEKUN_PRESUMED_UNABLE_TO_WORK_AGE", "TEKUN_NO_INCOME_SOURCE_RATIO"]));
    }
  });
});

describe("POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE (local decision: supporters living elsewhere are invisible to the registry)", () => {
  const old = (id: string, relation: "HEAD" | "SPOUSE" = "HEAD") => member(id, { birthDate: born(75), relation, workAbility: "NONE" });
  type Row = [string, number | null, number, string[]];
  const rows: Row[] = [
    ["size 1: a person living alone is raised", 1, 1, ["p1"]],
    ["size 1: an elderly couple without income is not (exactly one over the bound)", 1, 2, []],
    ["size 2: the same couple is raised, both", 2, 2, ["p1", "p2"]],
    ["size 2: three elderly members are not", 2, 3, []],
    ["no size parameter in force: any household size (the national rule alone)", null, 3, ["p1", "p2", "p3"]],
  ];
  test.each(rows)("%s", (_n, bound, size, want) => {
    const members = [old("p1"), ...Array.from({ length: size - 1 }, (_, i) => old(`p${i + 2}`, "SPOUSE"))];
    const params = bound === null ? TEKUN_PARAMS : [...TEKUN_PARAMS, param("POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE", bound)];
    const got = kinds(facts({ members }), elig({ tier: "NOT_ELIGIBLE", parametersUsed: params }), "POSSIBLE_TEKUN");
    expect(got.map((a) => a.personId).sort()).toEqual(want);
    for (const a of got) {
      const sizeEvidence = a.evidence.find((x) => x.name === "case.householdSize");
      expect(sizeEvidence?.value).toBe(String(size));
      if (bound !== null) expect(a.evidence.find((x) => x.name === "POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE")?.value).toBe(String(bound));
    }
  });
});

describe("HOUSING_BENEFIT_HOME_OWNER (003 §11: housing security is for those without a home)", () => {
  const rows: [string, Partial<HouseholdFacts>, boolean][] = [
    ["a HOUSE asset and an active rental subsidy: verify", { assets: [{ kind: "HOUSE", valueFen: 1 }], housing: housing([benefit()]) }, true],
    ["a HOUSE asset and an ended subsidy: nothing", { assets: [{ kind: "HOUSE", valueFen: 1 }], housing: housing([benefit({ status: "ENDED", endDate: d("2026-01-31") })]) }, false],
    ["a rental subsidy without a home: nothing", { housing: housing([benefit()]) }, false],
    ["a HOUSE asset, the housing system down: nothing known", { assets: [{ kind: "HOUSE", valueFen: 1 }], housing: failed("housing") }, false],
  ];
  test.each(rows)("%s", (_n, f, want) => {
    const got = kinds(facts({ members: [member("p1", { birthDate: born(40) })], ...f }), elig({ tier: "NOT_ELIGIBLE" }), "HOUSING_BENEFIT_HOME_OWNER");
    expect(got.map((a) => [a.class, a.department])).toEqual(want ? [["VERIFY_EXIT", "housing"]] : []);
  });
});

describe("an alert list says whether it is complete", () => {
  test("the disability system down for one member: complete false, failedSources names it", () => {
    const f = facts({ members: [member("p1", { birthDate: born(40) }), member("p2", { birthDate: born(38), relation: "SPOUSE", disability: failed("disability") })] });
    const e = elig({ tier: "NOT_ELIGIBLE" });
    expect(alertCompleteness(buildAidChain(f, e, ASOF))).toEqual({ complete: false, failedSources: ["disability"], staleSources: [] });
  });
  test("every source answered with current records: complete", () => {
    const f = facts({ members: [member("p1", { birthDate: born(40) })] });
    expect(alertCompleteness(buildAidChain(f, elig({ tier: "NOT_ELIGIBLE" }), ASOF))).toEqual({ complete: true, failedSources: [], staleSources: [] });
  });
  test("a stale record: complete false, staleSources names it", () => {
    const f = facts({ members: [member("p1", { birthDate: born(40) })] });
    const e = elig({ tier: "NOT_ELIGIBLE", staleRecords: [{ source: "medicalInsurance", personId: "p1", asOf: d("2022-05-01"), period: "settlement year 2022", parameter: "FRESHNESS_MEDICAL_SETTLEMENT_YEARS", reason: "old" }] });
    expect(alertCompleteness(buildAidChain(f, e, ASOF))).toEqual({ complete: false, failedSources: [], staleSources: ["medicalInsurance"] });
  });
});

describe("RIGID_EXPENDITURE_CROSSED counts what the family bears after medical aid (003 §1, §9)", () => {
  // annual income 1,200,000 fen; ratio 0.5 → the line is 600,000 fen
  const rows: [string, number, number, boolean][] = [
    ["net 1 fen above the line", 700_001, 100_000, true],
    ["net exactly on the line: not crossed", 700_000, 100_000, false],
    ["gross far above, medical aid paid most of it: not crossed", 1_100_000, 900_000, false],
  ];
  test.each(rows)("%s", (_n, oop, aid, want) => {
    const f = facts({
      incomes: [{ personId: null, source: "WAGES", monthlyFen: 100_000, validFrom: d("2020-01-01"), validTo: null }],
      members: [member("p1", { birthDate: born(40), medicalInsurance: ok(medical({ outOfPocketFen: oop, medicalAidPaidFen: aid })) })],
    });
    const got = kinds(f, elig({ tier: "NOT_ELIGIBLE", parametersUsed: [param("RIGID_EXPENDITURE_RATIO", 0.5)] }), "RIGID_EXPENDITURE_CROSSED");
    expect(got.length > 0).toBe(want);
  });
});

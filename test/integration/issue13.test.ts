/**
 * Issue 13 over real HTTP (real gateway, JWTs, field policy, connectors, the five sandboxes over one population):
 * point 8 — a caseworker's codes outside their lists are BAD_USER_INPUT with the field, and nothing is stored;
 * point 4 — housing security is UNVERIFIED until the housing conditions are established; point 9 — with the
 * disability system down, the alert lists say they are incomplete (instead of silently losing the
 * NEW_SEVERE_DISABILITY alerts), the eligibility names the failed source and its entitlements are provisional.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TestGateway } from "../helpers/gateway.js";
import { clearFaults, setFaults, startUnifiedGateway } from "./harness.js";

const CIVIL = { audience: "civil_affairs", city: "500000" } as const;
let gw: TestGateway;

beforeAll(async () => {
  gw = await startUnifiedGateway();
}, 300_000);
afterAll(async () => gw?.close());

const ok = <T = any>(res: { status: number; data?: T; errors?: unknown }): T => {
  expect(res.errors, JSON.stringify(res.errors)?.slice(0, 800)).toBeUndefined();
  expect(res.status).toBe(200);
  return res.data as T;
};

const ASSESS = `query A($input: HouseholdFactsInput!, $asOf: Date) {
  assessEligibility(input: $input, asOf: $asOf) {
    tier complete sources { source answered stale }
    entitlements { kind personId ratio status missing provisional }
  }
}`;

const head = { ref: "gran", sex: "FEMALE", birthDate: "1950-03-01", relation: "HEAD", workAbility: "NONE", selfCare: "PARTIAL" };
const input = (member: Record<string, unknown> = {}, over: Record<string, unknown> = {}) => ({
  hukou: "URBAN",
  streetCode: "500103001",
  members: [{ ...head, ...member }],
  incomes: [{ source: "PENSION", monthlyFen: 10_000 }],
  ...over,
});

async function rowCounts() {
  const p = gw.db.prisma;
  return Promise.all([p.household.count(), p.person.count(), p.income.count(), p.asset.count(), p.assistanceCase.count()]);
}

describe("point 8 — caseworker codes are checked against their lists (assessEligibility)", () => {
  const bad: [string, Record<string, unknown>, string, string][] = [
    ["a serious disease not on the list (COMMON_COLD)", { seriousDisease: "COMMON_COLD" }, "UNKNOWN_CODE", "input.members.0.seriousDisease"],
    ["a lower-case disease code", { seriousDisease: "thalassemia" }, "UNKNOWN_CODE", "input.members.0.seriousDisease"],
    ["a disability category not on the list", { disabilityGrade: 1, disabilityCategory: "BLIND" }, "UNKNOWN_CODE", "input.members.0.disabilityCategory"],
    ["a category without a grade", { disabilityCategory: "VISUAL" }, "REQUIRED", "input.members.0.disabilityGrade"],
    ["a disability grade 0", { disabilityGrade: 0 }, "INVALID_FORMAT", "input.members.0.disabilityGrade"],
    ["an insurance tier 3", { insuranceTier: 3 }, "UNKNOWN_CODE", "input.members.0.insuranceTier"],
    ["medical aid above the out-of-pocket spending", { medicalOutOfPocketFen: 1000, medicalAidPaidFen: 1001 }, "RANGE", "input.members.0.medicalAidPaidFen"],
  ];
  test.each(bad)("%s: BAD_USER_INPUT with its field, nothing stored", async (_n, member, reason, field) => {
    const before = await rowCounts();
    const res = await gw.gql(ASSESS, { input: input(member), asOf: "2026-11-01" }, CIVIL);
    expect(res.data?.assessEligibility ?? null).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0].extensions).toMatchObject({ code: "BAD_USER_INPUT", reason, field });
    expect(await rowCounts()).toEqual(before);
  });

  test("a school stage outside the enum is refused before anything runs", async () => {
    const res = await gw.gql(ASSESS, { input: input({ studentStage: "COLLEGE" }), asOf: "2026-11-01" }, CIVIL);
    expect(res.data?.assessEligibility ?? null).toBeNull();
    expect(res.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
    expect(JSON.stringify(res.errors)).toMatch(/studentStage/);
  });

  test("listed codes are accepted: THALASSEMIA, VISUAL grade 1, tier 2 at 100 % of the tier-1 premium (003 §9)", async () => {
    const r = ok<any>(
      await gw.gql(ASSESS, { input: input({ seriousDisease: "THALASSEMIA", disabilityGrade: 1, disabilityCategory: "VISUAL", insuranceTier: 2 }), asOf: "2026-11-01" }, CIVIL),
    ).assessEligibility;
    const params = ok<any>(await gw.gql(`{ policyParameters(regionCode: "500103001", on: "2026-11-01") { key value } }`, {}, CIVIL)).policyParameters;
    const tier2 = Number(params.find((p: { key: string }) => p.key === "MEDICAL_PREMIUM_SUBSIDY_TIER2").value);
    expect(r.entitlements).toContainEqual(expect.objectContaining({ kind: "MEDICAL_PREMIUM_SUBSIDY", personId: "gran", ratio: tier2, status: "ESTABLISHED" }));
  });
});

describe("point 4 — housing security needs the housing conditions (003 §11)", () => {
  test("not recorded: UNVERIFIED with what is missing; NO_HOME: ESTABLISHED; OWNS_HOME: none", async () => {
    const q = async (over: Record<string, unknown>) => ok<any>(await gw.gql(ASSESS, { input: input({}, over), asOf: "2026-11-01" }, CIVIL)).assessEligibility;
    const unknown = await q({});
    expect(unknown.tier).toBe("DIBAO"); // 10,000 fen a month for one person: below any dibao standard
    const u = unknown.entitlements.find((e: any) => e.kind === "HOUSING_SECURITY");
    expect(u).toMatchObject({ status: "UNVERIFIED", provisional: false });
    expect(u.missing.join(" ")).toMatch(/housing conditions/);
    expect((await q({ housingCondition: "NO_HOME" })).entitlements.find((e: any) => e.kind === "HOUSING_SECURITY")).toMatchObject({ status: "ESTABLISHED", missing: [] });
    expect((await q({ housingCondition: "OWNS_HOME" })).entitlements.some((e: any) => e.kind === "HOUSING_SECURITY")).toBe(false);
  });
});

// Last: a system down (its breaker may stay open for the rest of the file).
describe("point 9 — with the disability system down, alert lists say they are incomplete", () => {
  const PAGE = `query P($after: String, $kind: AlertKind) {
    alerts(first: 50, after: $after, filter: { kind: $kind }) {
      complete failedSources incompleteHouseholds householdsScanned pageInfo { hasNextPage endCursor } alerts { key kind householdId }
    }
  }`;
  const ONE = `query H($id: ID!) { household(id: $id) {
    alerts { key kind }
    alertCompleteness { complete failedSources staleSources }
    eligibility { tier complete sources { source answered stale } entitlements { kind provisional } }
  } }`;

  test("Household.alerts, alertCompleteness, the alert sweep and eligibility", async () => {
    // a household with a NEW_SEVERE_DISABILITY alert while everything answers
    let after: string | null = null;
    let found: { key: string; householdId: string } | null = null;
    let scannedBefore = 0;
    // ... in a household whose own tier gives entitlements (one that has them only through a member's single-person
    // inclusion loses them while the federation is down: the inclusion rests on the disability grade, UNKNOWN then)
    let before: any = null;
    for (let i = 0; i < 30 && !found; i++) {
      const page: any = ok<any>(await gw.gql(PAGE, { after, kind: "NEW_SEVERE_DISABILITY" }, CIVIL)).alerts;
      scannedBefore += page.householdsScanned;
      for (const candidate of page.alerts) {
        const h = ok<any>(await gw.gql(ONE, { id: candidate.householdId }, CIVIL)).household;
        if (h.eligibility.tier === "NOT_ELIGIBLE" || h.eligibility.tier === "DIBAO_MARGINAL") continue;
        found = candidate;
        before = h;
        break;
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(found, `no NEW_SEVERE_DISABILITY alert in a household of its own tier in ${scannedBefore} households`).not.toBeNull();
    const id = found!.householdId;
    expect(before.alerts.map((a: any) => a.key)).toContain(found!.key);
    // (the sandboxes serve a few records malformed by design, so another source may have failed already)
    expect(before.alertCompleteness.failedSources).not.toContain("disability");
    expect(before.alertCompleteness.complete).toBe(before.alertCompleteness.failedSources.length === 0 && before.alertCompleteness.staleSources.length === 0);
    expect(before.eligibility.sources.find((s: any) => s.source === "disability")).toMatchObject({ answered: true });

    await setFaults(gw, "disability", { down: true });
    try {
      const during = ok<any>(await gw.gql(ONE, { id }, CIVIL)).household;
      // the alert resting on the disability record is gone — and the list says it is not complete, naming the source
      expect(during.alerts.map((a: any) => a.kind)).not.toContain("NEW_SEVERE_DISABILITY");
      expect(during.alertCompleteness.complete).toBe(false);
      expect(during.alertCompleteness.failedSources).toEqual([...new Set([...before.alertCompleteness.failedSources, "disability"])].sort());
      expect(during.eligibility.complete).toBe(false);
      expect(during.eligibility.sources.find((s: any) => s.source === "disability")).toMatchObject({ answered: false });
      expect(during.eligibility.entitlements.length).toBeGreaterThan(0);
      expect(during.eligibility.entitlements.every((e: any) => e.provisional === true)).toBe(true);

      // the sweep: the page holding the household is not complete and names the source and the household (every
      // household of that page with a member the disability system is asked about fails too: only inclusion is asserted)
      let a: string | null = null;
      let seen: any = null;
      for (let i = 0; i < 40 && !seen; i++) {
        const p: any = ok<any>(await gw.gql(PAGE, { after: a }, CIVIL)).alerts;
        if (p.incompleteHouseholds.includes(id)) seen = p;
        if (!p.pageInfo.hasNextPage) break;
        a = p.pageInfo.endCursor;
      }
      expect(seen, "the household's page lists it as incomplete").not.toBeNull();
      expect(seen.complete).toBe(false);
      expect(seen.failedSources).toContain("disability");
      expect(seen.alerts.filter((x: any) => x.householdId === id).map((x: any) => x.kind)).not.toContain("NEW_SEVERE_DISABILITY");
    } finally {
      await clearFaults(gw);
    }
  });
});

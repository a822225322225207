/**
 * HouseholdFacts from registry rows (as read with Prisma) and department records (as loaded through the
 * connectors), built without GraphQL and without src/features/facts/gather.ts — for tests that need the truth of
 * a computed field (eligibility, aid chain) to compare the gateway's answer with.
 */
import type { AidRecord, Asset, AssistanceCase, Household, Income, Person, PolicyParameter } from "../../src/db/generated/client.js";
import type { CharityDeliveryFact, Fetched, HouseholdFacts, ParameterSet, TemporaryAidApplicationFact } from "../../src/domain/facts.js";
import { isUpstreamError } from "../../connectors/kit/index.js";
import type { SourceName } from "../../src/domain/records.js";
import { parametersInForce } from "../../src/features/policy-parameters/in-force.js";
import { regionChain } from "../../src/features/policy-parameters/region.js";

export interface RegistryRows {
  persons: Person[];
  incomes: Income[];
  assets: Asset[];
  cases: AssistanceCase[];
  aidRecords: AidRecord[];
}

/** A department record (or null: no record) as the facts hold it; a department system's error as a failed fact (as src/features/facts/gather.ts fetchFact). */
const fetched = <T>(v: unknown, source: SourceName): Fetched<T> => {
  if (isUpstreamError(v)) return { ok: false, source: v.source ?? source, code: v.code };
  if (v instanceof Error) throw new Error(`a department system failed while building facts: ${v.message}`);
  return { ok: true, value: (v ?? null) as T | null };
};

export function factsFromRows(
  h: Household,
  rows: RegistryRows,
  records: {
    person: (p: Person) => { education: unknown; employment: unknown; medicalInsurance: unknown; disability: unknown };
    housing: unknown;
    /** the household's delivered charity claims (HouseholdFacts.charityDeliveries), when the caller has them */
    charityDeliveries?: CharityDeliveryFact[];
    /** the household's temporary-aid applications (HouseholdFacts.temporaryAidApplications), when the caller has them */
    temporaryAidApplications?: TemporaryAidApplicationFact[];
  },
): HouseholdFacts {
  const mine = <T extends { householdId: string }>(list: T[]) => list.filter((r) => r.householdId === h.id);
  return {
    householdId: h.id,
    registryNo: h.registryNo,
    districtCode: h.districtCode,
    streetCode: h.streetCode,
    hukou: h.hukou,
    status: h.status,
    registry: { source: "registry", asOf: h.updatedAt },
    members: mine(rows.persons).map((p) => {
      const r = records.person(p);
      return {
        personId: p.id,
        idNumber: p.idNumber,
        sex: p.sex,
        birthDate: p.birthDate,
        relation: p.relation,
        workAbility: p.workAbility,
        selfCare: p.selfCare,
        education: fetched(r.education, "education"),
        employment: fetched(r.employment, "employment"),
        medicalInsurance: fetched(r.medicalInsurance, "medicalInsurance"),
        disability: fetched(r.disability, "disability"),
      };
    }),
    incomes: mine(rows.incomes).map((i) => ({ personId: i.personId, source: i.source, monthlyFen: i.monthlyFen, validFrom: i.validFrom, validTo: i.validTo })),
    assets: mine(rows.assets).map((a) => ({ kind: a.kind, valueFen: Number(a.valueFen) })),
    cases: mine(rows.cases).map((c) => ({
      id: c.id,
      personId: c.personId,
      tier: c.tier,
      tierClass: c.tierClass,
      status: c.status,
      startDate: c.startDate,
      endDate: c.endDate,
      nextReviewDate: c.nextReviewDate,
      monthlyFen: c.monthlyFen,
    })),
    aidRecords: mine(rows.aidRecords).map((r) => ({
      id: r.id,
      personId: r.personId,
      caseId: r.caseId,
      program: r.program,
      amountFen: r.amountFen,
      periodStart: r.periodStart,
      periodEnd: r.periodEnd,
      paidAt: r.paidAt,
      districtCode: r.districtCode,
    })),
    housing: fetched(records.housing, "housing"),
    ...(records.charityDeliveries ? { charityDeliveries: records.charityDeliveries } : {}),
    ...(records.temporaryAidApplications ? { temporaryAidApplications: records.temporaryAidApplications } : {}),
  };
}

/** The parameters in force for a region on a day, from the registry's rows (as the gateway selects them). */
export function parameterSetFromRows(rows: PolicyParameter[], regionCode: string, on: Date): ParameterSet {
  const chain = regionChain(regionCode);
  const inForce = parametersInForce(
    rows.filter((r) => chain.includes(r.regionCode)).map((r) => ({ ...r, value: r.value.toString() })),
    chain,
    on,
  );
  return new Map(
    inForce.map((r) => [r.key, { key: r.key, value: Number(r.value), unit: r.unit, regionCode: r.regionCode, effectiveFrom: r.effectiveFrom, effectiveTo: r.effectiveTo, source: r.source }]),
  );
}

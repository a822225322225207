/**
 * Gathers a household's facts for the computed fields (eligibility, aid chain, alerts) from the
 * registry loaders and the request's department loaders — the same per-request DataLoaders the
 * unified view uses, so computed fields add no upstream calls and share batches with it.
 * A failed department source becomes a `failed` fact (never an exception): the domain code then says
 * `complete: false` and names the source.
 */
import type DataLoader from "dataloader";
import type { AidRecord, Asset, AssistanceCase, Household, Income, Person } from "../../db/generated/client.js";
import type { RequestDeps } from "../request.js";
import { isUpstreamError } from "../../../connectors/kit/index.js";
import type { HousingRecord, SourceName } from "../../domain/records.js";
import type { CharityDelivery } from "../households/loaders.js";
import type { Fetched, HouseholdFacts, MemberFacts, ParameterSet, ParameterValue } from "../../domain/facts.js";
import { memoSlot } from "../memo.js";
import { parametersInForce } from "../policy-parameters/in-force.js";
import { regionChain } from "../policy-parameters/region.js";

/** What gathering facts uses: the request's registry and department loaders, the database (policy parameters), the memo. */
export type FactsDeps = Pick<RequestDeps, "loaders" | "sources" | "prisma" | "memo">;
type Deps = FactsDeps;

/** Loads one department record as a fact: ok (record or null) or failed with the upstream code. */
export async function fetchFact<V>(loader: DataLoader<string, V | null>, key: string, source: SourceName): Promise<Fetched<V>> {
  try {
    return { ok: true, value: await loader.load(key) };
  } catch (err) {
    if (isUpstreamError(err)) return { ok: false, source: err.source ?? source, code: err.code };
    throw err;
  }
}

/** Per request and household: the gathered facts, so eligibility, aidChain and alerts share one gathering. */
const gathered = memoSlot<Promise<HouseholdFacts>>();

export function householdFacts(deps: Deps, household: Household): Promise<HouseholdFacts> {
  return gathered(deps.memo, household.id, () => gatherFacts(deps, household));
}

async function gatherFacts(deps: Deps, h: Household): Promise<HouseholdFacts> {
  const [members, incomes, assets, cases, aidRecords, housing, deliveries] = await Promise.all([
    deps.loaders.members.load(h.id),
    deps.loaders.incomes.load(h.id),
    deps.loaders.assets.load(h.id),
    deps.loaders.cases.load(h.id),
    deps.loaders.aidRecords.load(h.id),
    fetchFact(deps.sources.housing, h.registryNo, "housing"),
    deps.loaders.charityDeliveries.load(h.id),
  ]);
  const records = await Promise.all(
    members.map(async (p) => {
      const [education, employment, medicalInsurance, disability] = await Promise.all([
        fetchFact(deps.sources.education, p.idNumber, "education"),
        fetchFact(deps.sources.employment, p.idNumber, "employment"),
        fetchFact(deps.sources.medicalInsurance, p.idNumber, "medicalInsurance"),
        fetchFact(deps.sources.disability, p.idNumber, "disability"),
      ]);
      return { education, employment, medicalInsurance, disability };
    }),
  );
  return assembleFacts(h, { members, incomes, assets, cases, aidRecords, deliveries }, { members: records, housing });
}

/** A household's registry rows, in the loaders' order (src/registry/loaders.ts). */
export interface RegistryRows {
  members: Person[];
  incomes: Income[];
  assets: Asset[];
  cases: AssistanceCase[];
  aidRecords: AidRecord[];
  /** delivered charity claims with their need, charity and resource */
  deliveries: CharityDelivery[];
}

/** Each member's department records (same order as `rows.members`) and the household's housing record, as facts. */
export interface DepartmentFacts {
  members: Pick<MemberFacts, "education" | "employment" | "medicalInsurance" | "disability">[];
  housing: Fetched<HousingRecord>;
}

/** The facts from a household's registry rows and department records: pure (also the policy matrix's, over rows it reads itself). */
export function assembleFacts(h: Household, rows: RegistryRows, records: DepartmentFacts): HouseholdFacts {
  const { incomes, assets, cases, aidRecords: aid, deliveries } = rows;
  const members: MemberFacts[] = rows.members.map((p, i) => ({
    personId: p.id,
    idNumber: p.idNumber,
    sex: p.sex,
    birthDate: p.birthDate,
    relation: p.relation,
    workAbility: p.workAbility,
    selfCare: p.selfCare,
    ...records.members[i],
  }));
  const housing = records.housing;
  return {
    householdId: h.id,
    registryNo: h.registryNo,
    districtCode: h.districtCode,
    streetCode: h.streetCode,
    hukou: h.hukou,
    status: h.status,
    registry: { source: "registry", asOf: h.updatedAt },
    members,
    incomes: incomes.map((i) => ({ personId: i.personId, source: i.source, monthlyFen: i.monthlyFen, validFrom: i.validFrom, validTo: i.validTo })),
    assets: assets.map((a) => ({ kind: a.kind, valueFen: Number(a.valueFen) })),
    cases: cases.map((c) => ({
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
    aidRecords: aid.map((r) => ({
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
    housing,
    charityDeliveries: deliveries.map((c) => ({
      claimId: c.id,
      charityId: c.charityId,
      charityName: c.charity.name,
      resourceId: c.resourceId,
      category: c.need.category,
      benefit: c.resource.title,
      unit: c.resource.unit,
      units: c.units,
      personId: c.need.personId,
      deliveredAt: c.deliveredAt as Date,
    })),
  };
}

/** Per request: the policy-parameter rows of a region chain (one query per region per request). */
const parameterRows = memoSlot<Promise<ParameterValue[]>>();

function rowsFor(deps: Deps, regionCode: string): Promise<ParameterValue[]> {
  return parameterRows(deps.memo, regionCode, () =>
    deps.prisma.policyParameter
      .findMany({ where: { regionCode: { in: regionChain(regionCode) } } })
      .then((list) =>
        list.map((r) => ({
          key: r.key,
          value: Number(r.value.toString()),
          unit: r.unit,
          regionCode: r.regionCode,
          effectiveFrom: r.effectiveFrom,
          effectiveTo: r.effectiveTo,
          source: r.source,
        })),
      ),
  );
}

/** The parameters in force for a region (street, district or city code) on a date, most specific region first. */
export async function parameterSet(deps: Deps, regionCode: string, on: Date): Promise<ParameterSet> {
  return parameterSetOf(await rowsFor(deps, regionCode), regionCode, on);
}

/** The parameters in force for a region on a date among the given rows (pure; rows of other regions are ignored). */
export function parameterSetOf(rows: readonly ParameterValue[], regionCode: string, on: Date): ParameterSet {
  const chain = regionChain(regionCode);
  const inForce = parametersInForce(rows.filter((r) => chain.includes(r.regionCode)), chain, on);
  return new Map(inForce.map((r) => [r.key, r]));
}

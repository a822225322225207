/**
 * Gathers a household's facts for the computed fields (eligibility, aid chain, alerts) from the
 * registry loaders and the request's department loaders — the same per-request DataLoaders the
 * unified view uses, so computed fields add no upstream calls and share batches with it.
 * A failed department source becomes a `failed` fact (never an exception): the domain code then says
 * `complete: false` and names the source.
 */
import DataLoader from "dataloader";
import type { AidRecord, Asset, AssistanceCase, Household, Income, Person, TemporaryAidApplication } from "../../db/generated/client.js";
import type { RequestDeps } from "../request.js";
import { afterRequestsWritten, isUpstreamError } from "../../../connectors/kit/index.js";
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

/**
 * Resolves once the department requests asked for until it is first asked in a request are on the wire (one promise
 * per request, connectors/kit afterRequestsWritten): the moment the computed fields send their registry statements
 * (facts, policy parameters, alert actions). A live read costs at least the slowest system's latency; asked in the same
 * tick, these statements went out first and the upstream wave started milliseconds late. Shared by the request, so the
 * households of a page continue together and their loads still share each loader's batch.
 */
export function afterDepartmentRequests(deps: Pick<Deps, "memo">): Promise<void> {
  return nextTurns(deps.memo, "", afterRequestsWritten);
}
const nextTurns = memoSlot<Promise<void>>();

async function gatherFacts(deps: Deps, h: Household): Promise<HouseholdFacts> {
  // The members' department records are asked for the moment the members are known, not after the rest
  // (housing above all, an upstream call that answers at its own time): every household of a page gets its
  // members from the same registry batch, so all their loads land on one tick and share each source's batches.
  const people = deps.loaders.members.load(h.id);
  const membersWithRecords = people.then((ps) => Promise.all(ps.map((p) => memberFacts(deps, p))));
  const housing = fetchFact(deps.sources.housing, h.registryNo, "housing");
  // the registry rows once the members' department requests are on the wire (afterDepartmentRequests)
  await people;
  await afterDepartmentRequests(deps);
  const [members, rows] = await Promise.all([membersWithRecords, deps.loaders.facts.load(h.id)]);
  const { incomes, assets, cases, aidRecords, charityDeliveries: deliveries, temporaryAidApplications: temporaryAid } = rows;
  return householdFactsOf(h, { members, incomes, assets, cases, aidRecords, deliveries, temporaryAid }, await housing);
}

/** A household's registry rows (members already with their records), in the loaders' order (src/features/households/loaders.ts). */
export interface HouseholdRows {
  members: MemberFacts[];
  incomes: Income[];
  assets: Asset[];
  cases: AssistanceCase[];
  aidRecords: AidRecord[];
  /** delivered charity claims (the loader's rows) */
  deliveries: CharityDelivery[];
  /** temporary-aid applications */
  temporaryAid: TemporaryAidApplication[];
}

/** The facts from a household's registry rows and housing record: pure (also the policy matrix's, over rows it reads itself). */
export function householdFactsOf(h: Household, rows: HouseholdRows, housing: Fetched<HousingRecord>): HouseholdFacts {
  const { members, incomes, assets, cases, aidRecords: aid, deliveries, temporaryAid } = rows;
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
    charityDeliveries: deliveries.map(({ householdId: _, ...d }) => d),
    temporaryAidApplications: temporaryAid.map((a) => ({
      id: a.id,
      personId: a.personId,
      kind: a.kind,
      appliedOn: a.appliedOn,
      status: a.status,
      decidedOn: a.decidedOn,
      amountFen: a.amountFen,
    })),
  };
}

/** One member's registry facts and department records (the loads start synchronously: same tick for a whole page). */
async function memberFacts(deps: Deps, p: Person): Promise<MemberFacts> {
  const [education, employment, medicalInsurance, disability] = await Promise.all([
    fetchFact(deps.sources.education, p.idNumber, "education"),
    fetchFact(deps.sources.employment, p.idNumber, "employment"),
    fetchFact(deps.sources.medicalInsurance, p.idNumber, "medicalInsurance"),
    fetchFact(deps.sources.disability, p.idNumber, "disability"),
  ]);
  return memberFactsOf(p, { education, employment, medicalInsurance, disability });
}

/** A member's facts from the person's registry row and department records: pure (also the policy matrix's). */
export function memberFactsOf(p: Person, records: Pick<MemberFacts, "education" | "employment" | "medicalInsurance" | "disability">): MemberFacts {
  const { education, employment, medicalInsurance, disability } = records;
  return {
    personId: p.id,
    idNumber: p.idNumber,
    sex: p.sex,
    birthDate: p.birthDate,
    relation: p.relation,
    workAbility: p.workAbility,
    selfCare: p.selfCare,
    education,
    employment,
    medicalInsurance,
    disability,
  };
}

/**
 * Per request: the policy-parameter rows of each region chain asked for, all chains of a page (one per street
 * of its households) in one query.
 */
const parameterLoaders = memoSlot<DataLoader<string, ParameterValue[]>>();

async function rowsFor(deps: Deps, regionCode: string): Promise<ParameterValue[]> {
  await afterDepartmentRequests(deps);
  const loader = parameterLoaders(deps.memo, "", () =>
    new DataLoader<string, ParameterValue[]>(async (codes) => {
      const chains = codes.map((code) => new Set(regionChain(code)));
      const regions = [...new Set(chains.flatMap((c) => [...c]))];
      const rows = (await deps.prisma.policyParameter.findMany({ where: { regionCode: { in: regions } } })).map((r) => ({
        key: r.key,
        value: Number(r.value.toString()),
        unit: r.unit,
        regionCode: r.regionCode,
        effectiveFrom: r.effectiveFrom,
        effectiveTo: r.effectiveTo,
        source: r.source,
      }));
      return chains.map((chain) => rows.filter((r) => chain.has(r.regionCode)));
    }),
  );
  return loader.load(regionCode);
}

const parameterSets = memoSlot<Promise<ParameterSet>>();

/** The parameters in force for a region (street, district or city code) on a date, most specific region first. */
export function parameterSet(deps: Deps, regionCode: string, on: Date): Promise<ParameterSet> {
  // memoised per request, region and day: the households of a page share their street's set
  return parameterSets(deps.memo, `${regionCode}|${on.getTime()}`, async () => parameterSetOf(await rowsFor(deps, regionCode), regionCode, on));
}

/** The parameters in force for a region on a date among the given rows (pure; rows of other regions are ignored). */
export function parameterSetOf(rows: readonly ParameterValue[], regionCode: string, on: Date): ParameterSet {
  const chain = regionChain(regionCode);
  const inForce = parametersInForce(rows.filter((r) => chain.includes(r.regionCode)), chain, on);
  return new Map(inForce.map((r) => [r.key, r]));
}

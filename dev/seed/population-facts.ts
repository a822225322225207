/**
 * The default data set evaluated without a database (for dev/scripts/domain-report.ts and the pure domain
 * tests): HouseholdFacts and audit FindingsFacts straight from the generator's population, the
 * department records derived exactly as the sandboxes derive them and mapped through each connector's
 * own zod schema and mapping (test/helpers/population-facts.ts re-exports it for the tests), and the seeded
 * policy parameters in force selected as src/features/facts/gather.ts selects them.
 */
import type { SynthHousehold } from "./model.js";
import { policyParameters } from "./reference.js";
import { temporaryAidOf } from "./temporary-aid.js";
import { deriveAllSandboxData, type SandboxDataSet } from "../sandboxes/index.js";
import { mapStudentRecord, studentRecordSchema } from "../../connectors/education/connector.js";
import { employmentRecordSchema, mapEmploymentRecord } from "../../connectors/employment/connector.js";
import { benefitSchema, mapHousehold } from "../../connectors/housing/connector.js";
import { insuredRecordSchema, mapInsuredRecord } from "../../connectors/medical-insurance/connector.js";
import { certificateRecordSchema, mapCertificateRecord } from "../../connectors/disability/connector.js";
import type { Fetched, HouseholdFacts, ParameterSet } from "../../src/domain/facts.js";
import type { DibaoStandard, FindingsFacts, GraceParameters } from "../../src/domain/audit-findings.js";
import { parametersInForce } from "../../src/features/policy-parameters/in-force.js";
import { regionChain } from "../../src/features/policy-parameters/region.js";

const STALE_AFTER_DAYS = 365;
const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
const ok = <T>(value: T | null): Fetched<T> => ({ ok: true, value });

export function deriveDepartments(households: SynthHousehold[], seed: number, asOf: string): SandboxDataSet {
  return deriveAllSandboxData(households, { seed, asOf });
}

/** The facts of one generated household as the gateway would gather them on `now`. */
export function factsOf(h: SynthHousehold, data: SandboxDataSet, now: Date): HouseholdFacts {
  const personId = (i: number | null) => (i === null ? null : h.members[i].id);
  const record = <W, R>(raw: unknown, schema: { parse(x: unknown): W }, map: (w: W, now: Date, stale: number) => R): Fetched<R> =>
    ok(raw === undefined ? null : map(schema.parse(raw), now, STALE_AFTER_DAYS));
  const housingRaw = data.housing.households.get(h.registryNo);
  return {
    householdId: h.id,
    registryNo: h.registryNo,
    districtCode: h.districtCode,
    streetCode: h.streetCode,
    hukou: h.hukou,
    status: h.status,
    registry: { source: "registry", asOf: now },
    members: h.members.map((p) => ({
      personId: p.id,
      idNumber: p.idNumber,
      sex: p.sex,
      birthDate: day(p.birthDate),
      relation: p.relation,
      workAbility: p.workAbility,
      selfCare: p.selfCare,
      education: record(data.education.students.get(p.idNumber), studentRecordSchema, mapStudentRecord),
      employment: record(data.employment.persons.get(p.idNumber), employmentRecordSchema, mapEmploymentRecord),
      medicalInsurance: record(data.medicalInsurance.insured.get(p.idNumber), insuredRecordSchema, mapInsuredRecord),
      disability: record(data.disability.certificates.get(p.idNumber), certificateRecordSchema, mapCertificateRecord),
    })),
    incomes: h.incomes.map((i) => ({ personId: personId(i.personIndex), source: i.source, monthlyFen: i.monthlyFen, validFrom: day(i.validFrom), validTo: i.validTo ? day(i.validTo) : null })),
    assets: h.assets.map((a) => ({ kind: a.kind, valueFen: Number(a.valueFen) })),
    cases: h.cases.map((c) => ({
      id: c.id,
      personId: personId(c.personIndex),
      tier: c.tier,
      tierClass: c.tierClass,
      status: c.status,
      startDate: day(c.startDate),
      endDate: c.endDate ? day(c.endDate) : null,
      nextReviewDate: c.nextReviewDate ? day(c.nextReviewDate) : null,
      monthlyFen: c.monthlyFen,
    })),
    aidRecords: h.aid.map((a) => ({
      id: a.id,
      personId: personId(a.personIndex),
      caseId: a.caseIndex === null ? null : h.cases[a.caseIndex].id,
      program: a.program,
      amountFen: a.amountFen,
      periodStart: day(a.periodStart),
      periodEnd: day(a.periodEnd),
      paidAt: a.paidAt ? new Date(a.paidAt) : null,
      districtCode: a.districtCode ?? null,
    })),
    housing: ok(
      housingRaw === undefined
        ? null
        : mapHousehold(h.registryNo, [{ registryNo: h.registryNo, page: 1, pageSize: 50, totalPages: 1, items: housingRaw.items.map((b) => benefitSchema.parse(b)) }], now, STALE_AFTER_DAYS),
    ),
    // as the seed writes them (dev/seed/temporary-aid.ts), for a population generated as of `now`
    temporaryAidApplications: (h.temporaryAid ?? temporaryAidOf(h, now.toISOString().slice(0, 10))).map((t) => ({
      id: t.id,
      personId: t.personId,
      kind: t.kind,
      appliedOn: day(t.appliedOn),
      status: t.status,
      decidedOn: t.decidedOn ? day(t.decidedOn) : null,
      amountFen: t.amountFen,
    })),
  };
}

const parameterRows = () => policyParameters().map((p) => ({ ...p, effectiveFrom: day(p.effectiveFrom), effectiveTo: p.effectiveTo ? day(p.effectiveTo) : null }));

/** The seeded policy parameters in force for a region on a day (as src/features/facts/gather.ts parameterSet selects them). */
export function seededParameterSet(regionCode: string, on: Date): ParameterSet {
  const key = `${regionCode}|${on.toISOString().slice(0, 10)}`;
  let set = parameterSets.get(key);
  if (!set) {
    const inForce = parametersInForce(parameterRows(), regionChain(regionCode), on);
    set = new Map(inForce.map((r) => [r.key, { ...r, value: Number(r.value) }]));
    parameterSets.set(key, set);
  }
  return set;
}
const parameterSets = new Map<string, ParameterSet>();

/** The dibao standard as src/features/findings/audit-findings.ts reads it from the seeded parameters. */
export function seededDibaoStandard(): DibaoStandard {
  const rows = parameterRows().filter((r) => r.key === "DIBAO_STANDARD_URBAN" || r.key === "DIBAO_STANDARD_RURAL");
  const memo = new Map<string, number | null>();
  return (district, hukou, on) => {
    const key = `${district}|${hukou}|${on.toISOString().slice(0, 10)}`;
    if (!memo.has(key)) {
      const inForce = parametersInForce(rows, regionChain(district), on).find((r) => r.key === `DIBAO_STANDARD_${hukou}`);
      memo.set(key, inForce ? Math.round(Number(inForce.value)) : null);
    }
    return memo.get(key)!;
  };
}

/** The gradual-exit parameters as src/features/findings/audit-findings.ts reads them from the seeded parameters. */
export function seededGraceParameters(): GraceParameters {
  return (district, on) => {
    const set = seededParameterSet(district, on);
    const multiplier = set.get("MARGINAL_MULTIPLIER");
    const months = set.get("GRADUAL_EXIT_MONTHS");
    return multiplier && months ? { multiplier: multiplier.value, months: months.value } : null;
  };
}

/** The registry rows the audit findings read for one generated household (src/features/findings/audit-findings.ts). */
export function findingsFactsOf(h: SynthHousehold, facts: HouseholdFacts): FindingsFacts {
  return {
    householdId: h.id,
    districtCode: h.districtCode,
    streetCode: h.streetCode,
    hukou: h.hukou,
    members: h.members.map((p) => ({ id: p.id, deceasedOn: p.facts.deceasedOn ? day(p.facts.deceasedOn) : null })),
    cases: facts.cases.map((c) => ({ id: c.id, personId: c.personId, tier: c.tier, status: c.status, startDate: c.startDate, endDate: c.endDate, nextReviewDate: c.nextReviewDate })),
    payments: facts.aidRecords.map((a) => ({ ...a, districtCode: a.districtCode ?? null })),
    incomes: facts.incomes.map((i) => ({ monthlyFen: i.monthlyFen, validFrom: i.validFrom, validTo: i.validTo })),
    assets: facts.assets.map((a) => ({ kind: a.kind, valueFen: a.valueFen })),
    housingBenefits: facts.housing.ok && facts.housing.value ? facts.housing.value.benefits.map((b) => ({ type: b.type, status: b.status, monthlySubsidyFen: b.monthlySubsidyFen, startDate: b.startDate, endDate: b.endDate })) : [],
    asOf: facts.registry.asOf,
  };
}

/**
 * Gathers the registry facts the audit findings need (src/domain/audit-findings.ts) for the households in
 * the principal's scope matching a district/street filter, with the payments whose period overlaps
 * [from, to], and runs the pure rules. One query per table, filtered through the household relation.
 */
import { createHash } from "node:crypto";
import type { Prisma, PrismaClient } from "../../db/generated/client.js";
import { auditFindings, type Finding, type FindingKind, type FindingsFacts } from "../../domain/audit-findings.js";
import { parametersInForce, type ParameterRow } from "../policy-parameters/in-force.js";
import type { HouseholdFacts } from "../../domain/facts.js";
import { regionChain } from "../policy-parameters/region.js";

export interface FindingsFilter {
  district?: string;
  street?: string;
  kind?: FindingKind;
  from?: Date;
  to?: Date;
}

export interface IdentifiedFinding extends Finding {
  /** SHA-256 of the finding's key, 32 hex: stable across runs over the same facts */
  id: string;
}

/** The policy parameters the findings read: the dibao standards and the gradual-exit parameters. */
const FINDINGS_PARAMETER_KEYS: readonly string[] = ["DIBAO_STANDARD_URBAN", "DIBAO_STANDARD_RURAL", "MARGINAL_MULTIPLIER", "GRADUAL_EXIT_MONTHS"];

export async function findingsFor(prisma: PrismaClient, scope: Prisma.HouseholdWhereInput, filter: FindingsFilter): Promise<IdentifiedFinding[]> {
  const household: Prisma.HouseholdWhereInput = {
    AND: [scope, ...(filter.district ? [{ districtCode: filter.district }] : []), ...(filter.street ? [{ streetCode: filter.street }] : [])],
  };
  const period: Prisma.AidRecordWhereInput = {
    ...(filter.from && { periodEnd: { gte: filter.from } }),
    ...(filter.to && { periodStart: { lte: filter.to } }),
  };
  const [households, members, cases, payments, incomes, assets, standards] = await Promise.all([
    prisma.household.findMany({ where: household, select: { id: true, districtCode: true, streetCode: true, hukou: true } }),
    prisma.person.findMany({ where: { household }, select: { id: true, householdId: true, deceasedOn: true } }),
    prisma.assistanceCase.findMany({ where: { household } }),
    prisma.aidRecord.findMany({ where: { household, ...period } }),
    prisma.income.findMany({ where: { household }, select: { householdId: true, monthlyFen: true, validFrom: true, validTo: true } }),
    prisma.asset.findMany({ where: { household, kind: "HOUSE" }, select: { householdId: true, kind: true, valueFen: true } }),
    prisma.policyParameter.findMany({ where: { key: { in: [...FINDINGS_PARAMETER_KEYS] } } }),
  ]);
  const group = <T extends { householdId: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) (m.get(r.householdId) ?? m.set(r.householdId, []).get(r.householdId)!).push(r);
    return m;
  };
  const [m, c, p, i, a] = [group(members), group(cases), group(payments), group(incomes), group(assets)];
  const facts = households.map(
    (h): FindingsFacts => ({
      householdId: h.id,
      districtCode: h.districtCode,
      streetCode: h.streetCode,
      hukou: h.hukou,
      members: (m.get(h.id) ?? []).map((x) => ({ id: x.id, deceasedOn: x.deceasedOn })),
      cases: c.get(h.id) ?? [],
      payments: p.get(h.id) ?? [],
      incomes: i.get(h.id) ?? [],
      // the housing system's benefits are not in the registry: the rental-subsidy-to-owner finding needs them (see auditFindings)
      assets: (a.get(h.id) ?? []).map((x) => ({ kind: x.kind, valueFen: Number(x.valueFen) })),
    }),
  );
  return identifiedFindings(facts, standards, filter);
}

/** A policy-parameter row as the findings read it (the value as text, Decimal or number). */
export type FindingsParameter = ParameterRow & { value: { toString(): string } | number };

/**
 * The findings of households whose registry facts are at hand (pure): each household's auditFindings with the
 * dibao standard and gradual-exit parameters in force (among `parameters`, any rows of other keys ignored),
 * cut to the filter, identified, in id order. findingsFor reads the facts for it; a monitoring shard hands over
 * the facts its gathering already read (findingsFactsOf).
 */
export function identifiedFindings(households: FindingsFacts[], parameters: readonly FindingsParameter[], filter: FindingsFilter = {}): IdentifiedFinding[] {
  const rows = parameters.filter((r) => FINDINGS_PARAMETER_KEYS.includes(r.key));
  const memo = new Map<string, number | null>();
  const dibaoStandard = (district: string, hukou: "URBAN" | "RURAL", on: Date) => {
    const key = `${district}|${hukou}|${on.getTime()}`;
    if (!memo.has(key)) {
      const inForce = parametersInForce(rows, regionChain(district), on).find((r) => r.key === `DIBAO_STANDARD_${hukou}`);
      memo.set(key, inForce ? Math.round(Number(inForce.value.toString())) : null);
    }
    return memo.get(key)!;
  };
  const graceMemo = new Map<string, { multiplier: number; months: number } | null>();
  const grace = (district: string, on: Date) => {
    const key = `${district}|${on.getTime()}`;
    if (!graceMemo.has(key)) {
      const inForce = parametersInForce(rows, regionChain(district), on);
      const multiplier = inForce.find((r) => r.key === "MARGINAL_MULTIPLIER");
      const months = inForce.find((r) => r.key === "GRADUAL_EXIT_MONTHS");
      graceMemo.set(key, multiplier && months ? { multiplier: Number(multiplier.value.toString()), months: Math.round(Number(months.value.toString())) } : null);
    }
    return graceMemo.get(key)!;
  };
  const out: IdentifiedFinding[] = [];
  for (const facts of households) {
    for (const f of auditFindings(facts, dibaoStandard, grace)) {
      if (filter.kind && f.kind !== filter.kind) continue;
      if ((filter.from && f.periodEnd < filter.from) || (filter.to && f.periodStart > filter.to)) continue;
      out.push({ ...f, id: createHash("sha256").update(f.key).digest("hex").slice(0, 32) });
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * A household's findings facts from its gathered facts (src/features/facts/gather.ts: the same registry rows findingsFor
 * reads) and its members' registry rows (the facts leave out the date of death).
 */
export function findingsFactsOf(facts: HouseholdFacts, members: readonly { id: string; deceasedOn: Date | null }[]): FindingsFacts {
  return {
    householdId: facts.householdId!,
    districtCode: facts.districtCode,
    streetCode: facts.streetCode,
    hukou: facts.hukou,
    members: members.map((x) => ({ id: x.id, deceasedOn: x.deceasedOn })),
    cases: facts.cases,
    // the facts' records leave the paying district out when they do not know it; the registry's rows always carry it
    payments: facts.aidRecords.map((r) => ({ ...r, districtCode: r.districtCode ?? null })),
    incomes: facts.incomes,
    assets: facts.assets.filter((a) => a.kind === "HOUSE"),
  };
}

/**
 * Gathers the registry facts the audit findings need (src/domain/audit-findings.ts) for the households in
 * the principal's scope matching a district/street filter, with the payments whose period overlaps
 * [from, to], and runs the pure rules. One query per table, filtered through the household relation.
 */
import { createHash } from "node:crypto";
import type { Prisma, PrismaClient } from "../../db/generated/client.js";
import { auditFindings, type Finding, type FindingKind, type FindingsFacts } from "../../domain/audit-findings.js";
import { parametersInForce } from "../policy-parameters/in-force.js";
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
    prisma.policyParameter.findMany({ where: { key: { in: ["DIBAO_STANDARD_URBAN", "DIBAO_STANDARD_RURAL", "MARGINAL_MULTIPLIER", "GRADUAL_EXIT_MONTHS"] } } }),
  ]);
  const group = <T extends { householdId: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) (m.get(r.householdId) ?? m.set(r.householdId, []).get(r.householdId)!).push(r);
    return m;
  };
  const [m, c, p, i, a] = [group(members), group(cases), group(payments), group(incomes), group(assets)];
  const rows = standards.map((s) => ({ ...s, value: s.value.toString() }));
  const memo = new Map<string, number | null>();
  const dibaoStandard = (district: string, hukou: "URBAN" | "RURAL", on: Date) => {
    const key = `${district}|${hukou}|${on.toISOString().slice(0, 10)}`;
    if (!memo.has(key)) {
      const inForce = parametersInForce(rows, regionChain(district), on).find((r) => r.key === `DIBAO_STANDARD_${hukou}`);
      memo.set(key, inForce ? Math.round(Number(inForce.value)) : null);
    }
    return memo.get(key)!;
  };
  const graceMemo = new Map<string, { multiplier: number; months: number } | null>();
  const grace = (district: string, on: Date) => {
    const key = `${district}|${on.toISOString().slice(0, 10)}`;
    if (!graceMemo.has(key)) {
      const inForce = parametersInForce(rows, regionChain(district), on);
      const multiplier = inForce.find((r) => r.key === "MARGINAL_MULTIPLIER");
      const months = inForce.find((r) => r.key === "GRADUAL_EXIT_MONTHS");
      graceMemo.set(key, multiplier && months ? { multiplier: Number(multiplier.value), months: Math.round(Number(months.value)) } : null);
    }
    return graceMemo.get(key)!;
  };
  const out: IdentifiedFinding[] = [];
  for (const h of households) {
    const facts: FindingsFacts = {
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
    };
    for (const f of auditFindings(facts, dibaoStandard, grace)) {
      if (filter.kind && f.kind !== filter.kind) continue;
      if ((filter.from && f.periodEnd < filter.from) || (filter.to && f.periodStart > filter.to)) continue;
      out.push({ ...f, id: createHash("sha256").update(f.key).digest("hex").slice(0, 32) });
    }
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The civil-affairs registry's writes: register a household with its members, incomes and assets, and
 * change one (optimistic: `version` must be the one last read). Each validates its plain input first
 * (every problem, ./validate.ts; a street outside the principal's jurisdiction is reported exactly like
 * an unknown one), then writes in one transaction that also appends the access record of the change
 * (src/audit, when the log is on) — the record commits or rolls back with the change.
 */
import { randomBytes } from "node:crypto";
import type { Household, Prisma } from "../../db/generated/client.js";
import { isUniqueViolation } from "../../db/errors.js";
import { alreadyExists, badInput, notFound, staleVersion } from "../../errors.js";
import { prismaExecutor } from "../../audit/store.js";
import type { RequestAudit } from "../../audit/request.js";
import { streetInScope } from "../../policy/scope.js";
import type { RequestDeps } from "../request.js";
import { householdSnapshot, snapshotPersons } from "./audit-snapshot.js";
import { isUuid } from "./cursor.js";
import type { AssetFields, IncomeFields, RegisterHouseholdFields, UpdateHouseholdFields } from "./inputs.js";
import { decodeIdNumber, validateRegister, validateUpdate } from "./validate.js";

export type HouseholdWriteDeps = Pick<RequestDeps, "prisma" | "principal" | "scope" | "now"> & {
  /** this request's access record in the making (absent when AUDIT_LOG=off) */
  audit?: RequestAudit;
};

/** Records the change in the access log inside the mutation's transaction (it commits or rolls back with it). */
async function recordChange(deps: HouseholdWriteDeps, tx: Prisma.TransactionClient, id: string, before: Awaited<ReturnType<typeof householdSnapshot>>) {
  if (!deps.audit) return;
  const after = await householdSnapshot(tx, id);
  deps.audit.disclose({ households: [id], persons: snapshotPersons(after) });
  await deps.audit.recordChange(prismaExecutor(tx), deps.audit.diff(before, after));
}

function newRegistryNo(streetCode: string): string {
  return `${streetCode}-${randomBytes(5).toString("hex").toUpperCase()}`;
}

function incomeRows(incomes: IncomeFields[], personIdOf: (idNumber: string) => string | undefined) {
  return incomes.map((i) => ({
    source: i.source,
    monthlyFen: i.monthlyFen,
    validFrom: i.validFrom,
    validTo: i.validTo ?? null,
    personId: i.earnerIdNumber ? (personIdOf(i.earnerIdNumber) ?? null) : null,
  }));
}

function assetRows(assets: AssetFields[]) {
  return assets.map((a) => ({ kind: a.kind, valueFen: BigInt(a.valueFen), description: a.description ?? null }));
}

export async function registerHousehold(deps: HouseholdWriteDeps, input: RegisterHouseholdFields): Promise<Household> {
  const problems = validateRegister(input, deps.now);
  const street = await deps.prisma.street.findUnique({ where: { code: input.streetCode } });
  // A street outside the principal's jurisdiction is reported exactly like an unknown one.
  if (!street || street.districtCode !== input.districtCode || !streetInScope(deps.principal.jurisdiction, street))
    problems.push({ field: "input.streetCode", reason: "UNKNOWN_STREET", message: "input.streetCode is not a street of input.districtCode" });
  if (problems.length) throw badInput(problems);

  const idNumbers = input.members.map((m) => m.idNumber);
  const existing = await deps.prisma.person.findMany({ where: { idNumber: { in: idNumbers } }, select: { idNumber: true } });
  if (existing.length) {
    const i = idNumbers.indexOf(existing[0].idNumber);
    throw alreadyExists("A member is already registered in another household", `input.members.${i}.idNumber`);
  }
  try {
    return await deps.prisma.$transaction(async (tx) => {
      const household = await tx.household.create({
        data: {
          registryNo: input.registryNo ?? newRegistryNo(input.streetCode),
          districtCode: input.districtCode,
          streetCode: input.streetCode,
          address: input.address.trim(),
          hukou: input.hukou,
          phone: input.phone || null,
          contactConsent: input.contactConsent ?? false,
          members: {
            create: input.members.map((m) => {
              const decoded = decodeIdNumber(m.idNumber);
              return {
                idNumber: m.idNumber,
                name: m.name.trim(),
                sex: m.sex ?? decoded.sex,
                birthDate: m.birthDate ?? decoded.birthDate,
                relation: m.relation,
                workAbility: m.workAbility,
                selfCare: m.selfCare,
              };
            }),
          },
          assets: { create: assetRows(input.assets ?? []) },
        },
        include: { members: { select: { id: true, idNumber: true } } },
      });
      const personIds = new Map(household.members.map((m) => [m.idNumber, m.id]));
      if (input.incomes?.length)
        await tx.income.createMany({
          data: incomeRows(input.incomes, (n) => personIds.get(n)).map((r) => ({ ...r, householdId: household.id })),
        });
      const { members: _members, ...row } = household;
      await recordChange(deps, tx, household.id, null);
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyExists("The registry number or an ID number is already registered", "input");
    throw err;
  }
}

export async function updateHousehold(deps: HouseholdWriteDeps, id: string, version: number, input: UpdateHouseholdFields): Promise<Household> {
  if (!isUuid(id)) throw badInput([{ field: "id", reason: "INVALID_ID", message: "id is not a household id" }]);
  const current = await deps.prisma.household.findFirst({ where: { AND: [deps.scope, { id }] }, include: { members: { select: { id: true, idNumber: true } } } });
  if (!current) throw notFound("Household");
  const personIds = new Map(current.members.map((m) => [m.idNumber, m.id]));
  const problems = validateUpdate(input, new Set(personIds.keys()), deps.now);
  if (input.streetCode != null) {
    const street = await deps.prisma.street.findUnique({ where: { code: input.streetCode } });
    if (!street || street.districtCode !== current.districtCode || !streetInScope(deps.principal.jurisdiction, street))
      problems.push({ field: "input.streetCode", reason: "UNKNOWN_STREET", message: "input.streetCode is not a street of the household's district" });
  }
  if (problems.length) throw badInput(problems);

  return deps.prisma.$transaction(async (tx) => {
    const before = deps.audit ? await householdSnapshot(tx, id) : null;
    const { count } = await tx.household.updateMany({
      where: { id, version },
      data: {
        ...(input.streetCode != null && { streetCode: input.streetCode }),
        ...(input.address != null && { address: input.address.trim() }),
        ...(input.hukou != null && { hukou: input.hukou }),
        ...(input.status != null && { status: input.status }),
        ...(input.phone !== undefined && { phone: input.phone || null }),
        ...(input.contactConsent != null && { contactConsent: input.contactConsent }),
        version: { increment: 1 },
      },
    });
    if (count === 0) throw staleVersion(version);
    if (input.incomes) {
      await tx.income.deleteMany({ where: { householdId: id } });
      await tx.income.createMany({ data: incomeRows(input.incomes, (n) => personIds.get(n)).map((r) => ({ ...r, householdId: id })) });
    }
    if (input.assets) {
      await tx.asset.deleteMany({ where: { householdId: id } });
      await tx.asset.createMany({ data: assetRows(input.assets).map((r) => ({ ...r, householdId: id })) });
    }
    await recordChange(deps, tx, id, before);
    return tx.household.findUniqueOrThrow({ where: { id } });
  });
}

import { randomBytes } from "node:crypto";
import { Arg, Ctx, ID, Int, Mutation, Resolver } from "type-graphql";
import { Household } from "../schema/registry.js";
import { RegisterHouseholdInput, UpdateHouseholdInput, type IncomeInput, type AssetInput } from "../schema/inputs.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { alreadyExists, badInput, notFound, staleVersion } from "../src/errors.js";
import { decodeIdNumber, validateRegister, validateUpdate } from "../src/features/households/validate.js";
import { isUuid } from "../src/features/households/cursor.js";
import { streetInScope } from "../src/policy/scope.js";
import { Prisma } from "../src/db/generated/client.js";
import { householdSnapshot, snapshotPersons } from "../src/features/households/audit-snapshot.js";
import { prismaExecutor } from "../src/audit/store.js";

/** Records the change in the access log inside the mutation's transaction (it commits or rolls back with it). */
async function recordChange(ctx: GatewayContext, tx: Prisma.TransactionClient, id: string, before: Awaited<ReturnType<typeof householdSnapshot>>) {
  if (!ctx.audit) return;
  const after = await householdSnapshot(tx, id);
  ctx.audit.disclose({ households: [id], persons: snapshotPersons(after) });
  await ctx.audit.recordChange(prismaExecutor(tx), ctx.audit.diff(before, after));
}

function newRegistryNo(streetCode: string): string {
  return `${streetCode}-${randomBytes(5).toString("hex").toUpperCase()}`;
}

function incomeRows(incomes: IncomeInput[], personIdOf: (idNumber: string) => string | undefined) {
  return incomes.map((i) => ({
    source: i.source,
    monthlyFen: i.monthlyFen,
    validFrom: i.validFrom,
    validTo: i.validTo ?? null,
    personId: i.earnerIdNumber ? (personIdOf(i.earnerIdNumber) ?? null) : null,
  }));
}

function assetRows(assets: AssetInput[]) {
  return assets.map((a) => ({ kind: a.kind, valueFen: BigInt(a.valueFen), description: a.description ?? null }));
}

function isUniqueViolation(err: unknown): err is Prisma.PrismaClientKnownRequestError {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

@Resolver()
export class RegistryMutationResolver {
  @Mutation(() => Household, { description: "Registers a household with its members, incomes and assets (civil affairs)." })
  async registerHousehold(@Arg("input", () => RegisterHouseholdInput) input: RegisterHouseholdInput, @Ctx() ctx: GatewayContext) {
    const problems = validateRegister(input, ctx.now);
    const street = await ctx.prisma.street.findUnique({ where: { code: input.streetCode } });
    // A street outside the principal's jurisdiction is reported exactly like an unknown one.
    if (!street || street.districtCode !== input.districtCode || !streetInScope(ctx.principal.jurisdiction, street))
      problems.push({ field: "input.streetCode", reason: "UNKNOWN_STREET", message: "input.streetCode is not a street of input.districtCode" });
    if (problems.length) throw badInput(problems);

    const idNumbers = input.members.map((m) => m.idNumber);
    const existing = await ctx.prisma.person.findMany({ where: { idNumber: { in: idNumbers } }, select: { idNumber: true } });
    if (existing.length) {
      const i = idNumbers.indexOf(existing[0].idNumber);
      throw alreadyExists("A member is already registered in another household", `input.members.${i}.idNumber`);
    }
    try {
      return await ctx.prisma.$transaction(async (tx) => {
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
        await recordChange(ctx, tx, household.id, null);
        return row;
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw alreadyExists("The registry number or an ID number is already registered", "input");
      throw err;
    }
  }

  @Mutation(() => Household, {
    description: "Changes a household. `version` must be the one last read; a stale version is rejected with STALE_VERSION.",
  })
  async updateHousehold(
    @Arg("id", () => ID) id: string,
    @Arg("version", () => Int) version: number,
    @Arg("input", () => UpdateHouseholdInput) input: UpdateHouseholdInput,
    @Ctx() ctx: GatewayContext,
  ) {
    if (!isUuid(id)) throw badInput([{ field: "id", reason: "INVALID_ID", message: "id is not a household id" }]);
    const current = await ctx.prisma.household.findFirst({ where: { AND: [ctx.scope, { id }] }, include: { members: { select: { id: true, idNumber: true } } } });
    if (!current) throw notFound("Household");
    const personIds = new Map(current.members.map((m) => [m.idNumber, m.id]));
    const problems = validateUpdate(input, new Set(personIds.keys()), ctx.now);
    if (input.streetCode != null) {
      const street = await ctx.prisma.street.findUnique({ where: { code: input.streetCode } });
      if (!street || street.districtCode !== current.districtCode || !streetInScope(ctx.principal.jurisdiction, street))
        problems.push({ field: "input.streetCode", reason: "UNKNOWN_STREET", message: "input.streetCode is not a street of the household's district" });
    }
    if (problems.length) throw badInput(problems);

    return ctx.prisma.$transaction(async (tx) => {
      const before = ctx.audit ? await householdSnapshot(tx, id) : null;
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
      await recordChange(ctx, tx, id, before);
      return tx.household.findUniqueOrThrow({ where: { id } });
    });
  }
}

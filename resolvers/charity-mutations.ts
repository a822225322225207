/**
 * Charity matching, write side. Civil affairs registers and suspends charities; charities manage their
 * own resources and claims; street offices (and civil affairs) record needs by hand, close them, record
 * and revoke a household's consent to disclose its contact details to one charity, and refresh a
 * street's derived needs. Every bad input is BAD_USER_INPUT with field and reason, and changes nothing.
 */
import { Arg, Ctx, ID, Int, Mutation, Resolver } from "type-graphql";
import { Prisma } from "../src/db/generated/client.js";
import {
  Charity,
  Claim,
  ContactConsent,
  Need,
  RecordNeedInput,
  RegisterCharityInput,
  Resource,
  ResourceInput,
  UpdateResourceInput,
} from "../schema/charity.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { alreadyExists, badInput, notFound, type InputProblem } from "../src/errors.js";
import { isUuid } from "../src/features/households/cursor.js";
import { streetInScope } from "../src/policy/scope.js";
import { STREET_CODE } from "../src/auth/principal.js";
import { requireCharity, today } from "../src/features/charity/requests.js";
import { needIdFrom } from "../src/features/charity/refs.js";
import { cancelClaim, claimNeed, needInReach, recordDelivery } from "../src/features/charity/claims.js";
import { refreshDerivedNeeds } from "../src/features/charity/derive.js";
import { validateCharity, validateClaim, validateResource, validateResourceUpdate, validateText } from "../src/features/charity/validate.js";
import { ageOn } from "../src/domain/age.js";
import { ageBand, householdTier } from "../src/domain/needs.js";
import { fetchFact } from "../src/features/facts/gather.js";

function uuidArg(field: string, value: string, what: string) {
  if (!isUuid(value)) throw badInput([{ field, reason: "INVALID_ID", message: `${field} is not a ${what} id` }]);
}

function fail(problems: InputProblem[]) {
  if (problems.length) throw badInput(problems);
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

/** Street codes must name streets that exist (an unknown one is UNKNOWN_STREET). */
async function knownStreets(ctx: GatewayContext, streets: string[] | undefined): Promise<InputProblem[]> {
  if (!streets?.length) return [];
  const found = new Set((await ctx.prisma.street.findMany({ where: { code: { in: streets } }, select: { code: true } })).map((s) => s.code));
  return streets.flatMap((s, i) => (STREET_CODE.test(s) && !found.has(s) ? [{ field: `input.streets.${i}`, reason: "UNKNOWN_STREET" as const, message: `input.streets.${i} is not a known street` }] : []));
}

async function ownResource(ctx: GatewayContext, charityId: string, id: string) {
  uuidArg("id", id, "resource");
  const r = await ctx.prisma.charityResource.findFirst({ where: { id, charityId } });
  if (!r) throw notFound("Resource");
  return r;
}

/** A household in the principal's scope (out of scope = NOT_FOUND). */
async function householdInScope(ctx: GatewayContext, householdId: string, field = "householdId") {
  uuidArg(field, householdId, "household");
  const h = await ctx.loaders.household.load(householdId);
  if (!h) throw notFound("Household");
  return h;
}

@Resolver()
export class CharityMutationResolver {
  // ---- civil affairs -------------------------------------------------------------------------------

  @Mutation(() => Charity, { description: "Registers a partner charity (civil affairs)." })
  async registerCharity(@Arg("input", () => RegisterCharityInput) input: RegisterCharityInput, @Ctx() ctx: GatewayContext) {
    fail(validateCharity(input));
    try {
      return await ctx.prisma.charity.create({
        data: { id: input.id, name: input.name.trim(), registrationNo: input.registrationNo, districts: [...new Set(input.districts)] },
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw alreadyExists("A charity with this id or registration number is already registered", "input");
      throw err;
    }
  }

  @Mutation(() => Charity, { description: "Suspends a charity (civil affairs): from now on it reads nothing new and claims nothing." })
  async suspendCharity(@Arg("id", () => ID) id: string, @Arg("reason", () => String) reason: string, @Ctx() ctx: GatewayContext) {
    fail(validateText("reason", reason, true));
    const charity = await ctx.prisma.charity.findUnique({ where: { id } });
    if (!charity) throw notFound("Charity");
    if (charity.status === "SUSPENDED") return charity;
    return ctx.prisma.charity.update({ where: { id }, data: { status: "SUSPENDED", suspendedAt: ctx.now, suspendedReason: reason.trim() } });
  }

  // ---- charities: resources ------------------------------------------------------------------------

  @Mutation(() => Resource, { description: "Offers a resource (the calling charity's)." })
  async createResource(@Arg("input", () => ResourceInput) input: ResourceInput, @Ctx() ctx: GatewayContext) {
    const me = await requireCharity(ctx);
    fail([...validateResource(input, me.districts), ...(await knownStreets(ctx, input.streets))]);
    return ctx.prisma.charityResource.create({
      data: {
        charityId: me.id,
        category: input.category,
        title: input.title.trim(),
        unit: input.unit,
        quantity: input.quantity,
        remaining: input.quantity,
        districts: [...new Set(input.districts ?? [])],
        streets: [...new Set(input.streets ?? [])],
        tiers: [...new Set(input.tiers ?? [])],
        minAge: input.minAge ?? null,
        maxAge: input.maxAge ?? null,
        disabilityRequired: input.disabilityRequired ?? false,
        shared: input.shared ?? false,
        validFrom: input.validFrom,
        validTo: input.validTo ?? null,
      },
    });
  }

  @Mutation(() => Resource, { description: "Changes one of the calling charity's resources; a new quantity moves remaining by the same amount." })
  async updateResource(@Arg("id", () => ID) id: string, @Arg("input", () => UpdateResourceInput) input: UpdateResourceInput, @Ctx() ctx: GatewayContext) {
    const me = await requireCharity(ctx);
    const current = await ownResource(ctx, me.id, id);
    fail([...validateResourceUpdate(input, current, me.districts), ...(await knownStreets(ctx, input.streets))]);
    return ctx.prisma.$transaction(async (tx) => {
      if (input.quantity != null && input.quantity !== current.quantity) {
        // relative to the row as it is now (claims may have moved remaining since it was read)
        const delta = input.quantity - current.quantity;
        const changed = await tx.$executeRaw`UPDATE "charity_resource" SET "quantity" = "quantity" + ${delta}, "remaining" = "remaining" + ${delta}, "updated_at" = now()
          WHERE "id" = ${id}::uuid AND "quantity" = ${current.quantity} AND "remaining" + ${delta} >= 0`;
        if (changed !== 1) throw badInput([{ field: "input.quantity", reason: "RANGE", message: "input.quantity is below what is already claimed" }]);
      }
      return tx.charityResource.update({
        where: { id },
        data: {
          ...(input.title != null && { title: input.title.trim() }),
          ...(input.districts != null && { districts: [...new Set(input.districts)] }),
          ...(input.streets != null && { streets: [...new Set(input.streets)] }),
          ...(input.tiers != null && { tiers: [...new Set(input.tiers)] }),
          ...(input.minAge !== undefined && { minAge: input.minAge }),
          ...(input.maxAge !== undefined && { maxAge: input.maxAge }),
          ...(input.disabilityRequired != null && { disabilityRequired: input.disabilityRequired }),
          ...(input.validTo !== undefined && { validTo: input.validTo }),
        },
      });
    });
  }

  @Mutation(() => Resource, { description: "Closes one of the calling charity's resources: no new claims; existing claims stay." })
  async closeResource(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext) {
    const me = await requireCharity(ctx);
    const current = await ownResource(ctx, me.id, id);
    if (current.status === "CLOSED") return current;
    return ctx.prisma.charityResource.update({ where: { id }, data: { status: "CLOSED" } });
  }

  // ---- charities: claims ---------------------------------------------------------------------------

  @Mutation(() => Claim, {
    description:
      "Claims an open need against a resource, taking `units` (items or fen) of its capacity. The idempotency key is unique per charity: a retry returns the first claim.",
  })
  async claimNeed(
    @Arg("needRef", () => ID) needRef: string,
    @Arg("resourceId", () => ID) resourceId: string,
    @Arg("units", () => Int) units: number,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() ctx: GatewayContext,
  ) {
    const me = await requireCharity(ctx);
    const problems = validateClaim(units, idempotencyKey);
    const needId = needIdFrom(ctx, needRef);
    if (!needId) problems.unshift({ field: "needRef", reason: "INVALID_ID", message: "needRef is not one of your need references" });
    if (!isUuid(resourceId)) problems.push({ field: "resourceId", reason: "INVALID_ID", message: "resourceId is not a resource id" });
    fail(problems);
    return claimNeed(ctx, me, needId!, resourceId, units, idempotencyKey);
  }

  @Mutation(() => Claim, { description: "Records that the claimed help reached the household: the need is MET and the aid chain shows a charity link." })
  async recordDelivery(@Arg("claimId", () => ID) claimId: string, @Ctx() ctx: GatewayContext) {
    const me = await requireCharity(ctx);
    uuidArg("claimId", claimId, "claim");
    return recordDelivery(ctx, me, claimId);
  }

  @Mutation(() => Claim, { description: "Cancels a claim not yet delivered: its capacity returns to the resource and the need is OPEN again." })
  async cancelClaim(@Arg("claimId", () => ID) claimId: string, @Ctx() ctx: GatewayContext) {
    const me = await requireCharity(ctx, true);
    uuidArg("claimId", claimId, "claim");
    return cancelClaim(ctx, me, claimId);
  }

  // ---- street offices and civil affairs ------------------------------------------------------------

  @Mutation(() => Need, { description: "Records a need by hand (street office)." })
  async recordNeed(@Arg("input", () => RecordNeedInput) input: RecordNeedInput, @Ctx() ctx: GatewayContext) {
    const h = await householdInScope(ctx, input.householdId, "input.householdId");
    const problems: InputProblem[] = validateText("input.note", input.note, false);
    const members = await ctx.loaders.members.load(h.id);
    let person = null;
    if (input.personId != null) {
      person = members.find((m) => m.id === input.personId) ?? null;
      if (!person) problems.push({ field: "input.personId", reason: "INVALID_ID", message: "input.personId is not a member of the household" });
    }
    const asOf = today(ctx);
    if (input.since && input.since > asOf) problems.push({ field: "input.since", reason: "DATE_IN_FUTURE", message: "input.since is after today" });
    fail(problems);
    const cases = await ctx.loaders.cases.load(h.id);
    const disability = person ? await fetchFact(ctx.sources.disability, person.idNumber, "disability") : undefined;
    return ctx.prisma.need.create({
      data: {
        householdId: h.id,
        personId: person?.id ?? null,
        districtCode: h.districtCode,
        streetCode: h.streetCode,
        category: input.category,
        urgency: input.urgency,
        origin: "MANUAL",
        rule: "MANUAL",
        reason: `recorded by the street office: ${input.category}`,
        tier: householdTier({ cases }, asOf),
        ageBand: person ? ageBand(ageOn(person.birthDate, asOf)) : null,
        disability: disability?.ok === true && disability.value?.severe === true,
        since: input.since ?? asOf,
        note: input.note?.trim() || null,
        recordedBy: ctx.principal.subject,
      },
    });
  }

  @Mutation(() => Need, { description: "Closes a need that is no longer there (street office). A need with an active claim must have the claim cancelled first." })
  async closeNeed(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext) {
    uuidArg("id", id, "need");
    const need = await needInReach(ctx, id, null);
    if (need.status === "CLOSED" || need.status === "MET") return need;
    if (need.status === "CLAIMED") throw badInput([{ field: "id", reason: "NEED_CLAIMED", message: "the need has an active claim; it is closed by the delivery or after the claim is cancelled" }]);
    const { count } = await ctx.prisma.need.updateMany({ where: { id, status: "OPEN" }, data: { status: "CLOSED", closedAt: ctx.now } });
    if (count !== 1) throw badInput([{ field: "id", reason: "NEED_CLAIMED", message: "the need was claimed meanwhile" }]);
    return ctx.prisma.need.findUniqueOrThrow({ where: { id } });
  }

  @Mutation(() => ContactConsent, {
    description: "Records the household's consent to disclose its contact details to one charity (street office). Recording it again returns the consent in force.",
  })
  async recordContactConsent(@Arg("householdId", () => ID) householdId: string, @Arg("charityId", () => ID) charityId: string, @Ctx() ctx: GatewayContext) {
    const h = await householdInScope(ctx, householdId);
    const charity = await ctx.prisma.charity.findUnique({ where: { id: charityId } });
    if (!charity) throw notFound("Charity");
    return ctx.prisma.$transaction(async (tx) => {
      const current = await tx.contactConsent.findFirst({ where: { householdId: h.id, charityId, revokedAt: null } });
      if (current) return current;
      return tx.contactConsent.create({ data: { householdId: h.id, charityId, recordedBy: ctx.principal.subject, recordedAt: ctx.now } });
    });
  }

  @Mutation(() => ContactConsent, { description: "Revokes the household's consent for one charity (street office): the charity sees no contact from now on." })
  async revokeContactConsent(@Arg("householdId", () => ID) householdId: string, @Arg("charityId", () => ID) charityId: string, @Ctx() ctx: GatewayContext) {
    const h = await householdInScope(ctx, householdId);
    const current = await ctx.prisma.contactConsent.findFirst({ where: { householdId: h.id, charityId, revokedAt: null } });
    if (!current) throw notFound("Consent");
    return ctx.prisma.contactConsent.update({ where: { id: current.id }, data: { revokedAt: ctx.now, revokedBy: ctx.principal.subject } });
  }

  @Mutation(() => [Need], {
    description:
      "Derives the needs of one street's households from their situations and aid-chain gaps and stores them; returns the needs it created, changed or closed.",
  })
  async refreshDerivedNeeds(@Arg("street", () => String) street: string, @Ctx() ctx: GatewayContext) {
    const row = STREET_CODE.test(street) ? await ctx.prisma.street.findUnique({ where: { code: street } }) : null;
    if (!row || !streetInScope(ctx.principal.jurisdiction, row)) throw badInput([{ field: "street", reason: "UNKNOWN_STREET", message: "street is not a known street in your jurisdiction" }]);
    return (await refreshDerivedNeeds(ctx, street)).changed;
  }
}

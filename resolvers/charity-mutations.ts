/**
 * Charity matching, write side. Civil affairs registers and suspends charities; charities manage their
 * own resources and claims; street offices (and civil affairs) record needs by hand, close them, record
 * and revoke a household's consent to disclose its contact details to one charity, and refresh a
 * street's derived needs. Every bad input is BAD_USER_INPUT with field and reason, and changes nothing.
 * Thin: the writes, their validation and transactions are the services in src/features/charity/.
 */
import { Arg, Ctx, ID, Int, Mutation, Resolver } from "type-graphql";
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
import { isUuid } from "../src/features/households/cursor.js";
import { requireCharity } from "../src/features/charity/requests.js";
import { needIdFrom } from "../src/features/charity/refs.js";
import { cancelClaim, claimNeed, recordDelivery } from "../src/features/charity/claims.js";
import { registerCharity, suspendCharity } from "../src/features/charity/charities.js";
import { closeResource, createResource, updateResource } from "../src/features/charity/resources.js";
import { closeNeed, recordNeed, refreshStreetNeeds } from "../src/features/charity/needs.js";
import { recordContactConsent, revokeContactConsent } from "../src/features/charity/consents.js";
import { fail, uuidArg, validateClaim } from "../src/features/charity/validate.js";

@Resolver()
export class CharityMutationResolver {
  // ---- civil affairs -------------------------------------------------------------------------------

  @Mutation(() => Charity, { description: "Registers a partner charity (civil affairs)." })
  async registerCharity(@Arg("input", () => RegisterCharityInput) input: RegisterCharityInput, @Ctx() ctx: GatewayContext) {
    return registerCharity(ctx, input);
  }

  @Mutation(() => Charity, { description: "Suspends a charity (civil affairs): from now on it reads nothing new and claims nothing." })
  async suspendCharity(@Arg("id", () => ID) id: string, @Arg("reason", () => String) reason: string, @Ctx() ctx: GatewayContext) {
    return suspendCharity(ctx, id, reason);
  }

  // ---- charities: resources ------------------------------------------------------------------------

  @Mutation(() => Resource, { description: "Offers a resource (the calling charity's)." })
  async createResource(@Arg("input", () => ResourceInput) input: ResourceInput, @Ctx() ctx: GatewayContext) {
    return createResource(ctx, await requireCharity(ctx), input);
  }

  @Mutation(() => Resource, { description: "Changes one of the calling charity's resources; a new quantity moves remaining by the same amount." })
  async updateResource(@Arg("id", () => ID) id: string, @Arg("input", () => UpdateResourceInput) input: UpdateResourceInput, @Ctx() ctx: GatewayContext) {
    return updateResource(ctx, await requireCharity(ctx), id, input);
  }

  @Mutation(() => Resource, { description: "Closes one of the calling charity's resources: no new claims; existing claims stay." })
  async closeResource(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext) {
    return closeResource(ctx, await requireCharity(ctx), id);
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
    return recordNeed(ctx, input);
  }

  @Mutation(() => Need, { description: "Closes a need that is no longer there (street office). A need with an active claim must have the claim cancelled first." })
  async closeNeed(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext) {
    return closeNeed(ctx, id);
  }

  @Mutation(() => ContactConsent, {
    description: "Records the household's consent to disclose its contact details to one charity (street office). Recording it again returns the consent in force.",
  })
  async recordContactConsent(@Arg("householdId", () => ID) householdId: string, @Arg("charityId", () => ID) charityId: string, @Ctx() ctx: GatewayContext) {
    return recordContactConsent(ctx, householdId, charityId);
  }

  @Mutation(() => ContactConsent, { description: "Revokes the household's consent for one charity (street office): the charity sees no contact from now on." })
  async revokeContactConsent(@Arg("householdId", () => ID) householdId: string, @Arg("charityId", () => ID) charityId: string, @Ctx() ctx: GatewayContext) {
    return revokeContactConsent(ctx, householdId, charityId);
  }

  @Mutation(() => [Need], {
    description:
      "Derives the needs of one street's households from their situations and aid-chain gaps and stores them; returns the needs it created, changed or closed.",
  })
  async refreshDerivedNeeds(@Arg("street", () => String) street: string, @Ctx() ctx: GatewayContext) {
    return (await refreshStreetNeeds(ctx, street)).changed;
  }
}

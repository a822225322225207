/**
 * The claim workflow: a charity claims an open need against a resource (capacity taken in the same
 * transaction, idempotent per charity and key), records the delivery, or cancels (capacity returned).
 *
 * Capacity is taken with one conditional UPDATE (`remaining >= units`) inside the transaction: two
 * claims racing for the last unit both pass every earlier check, but PostgreSQL lets only one UPDATE
 * match the row (the other re-reads it after the first commits and matches nothing), and the table's
 * CHECK keeps `remaining` between 0 and `quantity` whatever happens. The idempotency key is unique per
 * charity: a retry — even one racing the first attempt — returns the first claim and takes nothing.
 */
import type { Charity, Claim, Need } from "../../db/generated/client.js";
import type { RequestDeps } from "../request.js";
import { badInput, notFound } from "../../errors.js";
import { scoreMatch } from "../../domain/matching.js";
import { matchableNeed, matchableResource, needScope, today, type CharityDeps } from "./requests.js";

type Deps = CharityDeps;

class CapacityTaken extends Error {}
class NeedTaken extends Error {}

async function sameClaimOrRefuse(deps: Deps, charityId: string, key: string, needId: string, resourceId: string, units: number): Promise<Claim | null> {
  const first = await deps.prisma.claim.findUnique({ where: { charityId_idempotencyKey: { charityId, idempotencyKey: key } } });
  if (!first) return null;
  if (first.needId !== needId || first.resourceId !== resourceId || first.units !== units)
    throw badInput([{ field: "idempotencyKey", reason: "IDEMPOTENCY_KEY_REUSED", message: "idempotencyKey was already used for a different claim" }]);
  return first;
}

/** Loads a need the principal may act on (in scope; for a charity, in a district it serves). */
export async function needInReach(deps: Deps, needId: string, charity: Charity | null): Promise<Need> {
  const need = await deps.prisma.need.findFirst({
    where: { AND: [needScope(deps), { id: needId }, ...(charity ? [{ districtCode: { in: charity.districts } }] : [])] },
  });
  if (!need) throw notFound("Need");
  return need;
}

export async function claimNeed(deps: Deps, charity: Charity, needId: string, resourceId: string, units: number, key: string): Promise<Claim> {
  const retried = await sameClaimOrRefuse(deps, charity.id, key, needId, resourceId, units);
  if (retried) return retried;
  try {
    return await attemptClaim(deps, charity, needId, resourceId, units, key);
  } catch (err) {
    // A retry racing the first attempt with the same key lost somewhere (a check, the capacity, the
    // need, the unique key) after the first committed: its transaction rolled back whole, so it
    // returns the first claim.
    const first = await sameClaimOrRefuse(deps, charity.id, key, needId, resourceId, units);
    if (first) return first;
    if (err instanceof CapacityTaken) throw insufficient();
    if (err instanceof NeedTaken) throw badInput([{ field: "needRef", reason: "NEED_NOT_OPEN", message: "the need was claimed meanwhile" }]);
    throw err;
  }
}

const insufficient = () => badInput([{ field: "units", reason: "INSUFFICIENT_CAPACITY", message: "the resource has less left than units" }]);

async function attemptClaim(deps: Deps, charity: Charity, needId: string, resourceId: string, units: number, key: string): Promise<Claim> {
  const need = await needInReach(deps, needId, charity);
  const resource = await deps.prisma.charityResource.findUnique({
    where: { id: resourceId },
    include: { charity: { select: { districts: true, status: true } } },
  });
  if (!resource || (resource.charityId !== charity.id && !resource.shared)) throw notFound("Resource");
  const asOf = today(deps);
  if (resource.status !== "ACTIVE" || resource.charity.status !== "ACTIVE" || resource.validFrom > asOf || (resource.validTo !== null && resource.validTo < asOf))
    throw badInput([{ field: "resourceId", reason: "RESOURCE_UNAVAILABLE", message: "the resource is closed or outside its valid period" }]);
  if (need.status !== "OPEN") throw badInput([{ field: "needRef", reason: "NEED_NOT_OPEN", message: `the need is ${need.status}, not OPEN` }]);
  // Fit is judged as if the resource were full: running out is INSUFFICIENT_CAPACITY, not NO_MATCH.
  if (!scoreMatch(matchableNeed(need), { ...matchableResource(resource), remaining: resource.quantity }, asOf))
    throw badInput([{ field: "resourceId", reason: "NO_MATCH", message: "the resource does not fit the need (category, area or constraints)" }]);
  if (units > resource.remaining) throw insufficient();

  return deps.prisma.$transaction(async (tx) => {
    const taken = await tx.$executeRaw`UPDATE "charity_resource" SET "remaining" = "remaining" - ${units}, "updated_at" = now()
      WHERE "id" = ${resourceId}::uuid AND "status" = 'ACTIVE' AND "remaining" >= ${units}`;
    if (taken !== 1) throw new CapacityTaken();
    const { count } = await tx.need.updateMany({ where: { id: needId, status: "OPEN" }, data: { status: "CLAIMED" } });
    if (count !== 1) throw new NeedTaken();
    return tx.claim.create({ data: { needId, resourceId, charityId: charity.id, units, idempotencyKey: key, claimedAt: deps.now } });
  });
}

async function ownClaim(deps: Deps, charity: Charity, claimId: string): Promise<Claim> {
  const claim = await deps.prisma.claim.findFirst({ where: { id: claimId, charityId: charity.id } });
  if (!claim) throw notFound("Claim");
  return claim;
}

/** The goods or money reached the household: the claim is DELIVERED, the need MET. Repeating it changes nothing. */
export async function recordDelivery(deps: Deps, charity: Charity, claimId: string): Promise<Claim> {
  const claim = await ownClaim(deps, charity, claimId);
  if (claim.status === "DELIVERED") return claim;
  if (claim.status !== "CLAIMED") throw badInput([{ field: "claimId", reason: "CLAIM_NOT_ACTIVE", message: `the claim is ${claim.status}` }]);
  return deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.claim.updateMany({ where: { id: claimId, status: "CLAIMED" }, data: { status: "DELIVERED", deliveredAt: deps.now } });
    if (count !== 1) throw badInput([{ field: "claimId", reason: "CLAIM_NOT_ACTIVE", message: "the claim was cancelled meanwhile" }]);
    await tx.need.updateMany({ where: { id: claim.needId, status: "CLAIMED" }, data: { status: "MET", closedAt: deps.now } });
    return tx.claim.findUniqueOrThrow({ where: { id: claimId } });
  });
}

/** The claim is CANCELLED, its units return to the resource and the need is OPEN again. Repeating it changes nothing. */
export async function cancelClaim(deps: Deps, charity: Charity, claimId: string): Promise<Claim> {
  const claim = await ownClaim(deps, charity, claimId);
  if (claim.status === "CANCELLED") return claim;
  if (claim.status !== "CLAIMED") throw badInput([{ field: "claimId", reason: "CLAIM_NOT_ACTIVE", message: `the claim is ${claim.status}` }]);
  return deps.prisma.$transaction(async (tx) => {
    const { count } = await tx.claim.updateMany({ where: { id: claimId, status: "CLAIMED" }, data: { status: "CANCELLED", cancelledAt: deps.now } });
    if (count !== 1) throw badInput([{ field: "claimId", reason: "CLAIM_NOT_ACTIVE", message: "the claim changed meanwhile" }]);
    await tx.$executeRaw`UPDATE "charity_resource" SET "remaining" = "remaining" + ${claim.units}, "updated_at" = now() WHERE "id" = ${claim.resourceId}::uuid`;
    await tx.need.updateMany({ where: { id: claim.needId, status: "CLAIMED" }, data: { status: "OPEN" } });
    return tx.claim.findUniqueOrThrow({ where: { id: claimId } });
  });
}

/**
 * Per-request charity data: the calling charity, and DataLoaders for resources, needs, claims and
 * consents, so that matches, claims and contacts over a page of needs cost a few queries, not one per
 * need. Memoised per request (like src/features/facts/gather.ts): nothing is shared between requests.
 */
import DataLoader from "dataloader";
import type { GraphQLError } from "graphql";
import { forbidden } from "../../errors.js";
import type { Charity, CharityResource, Claim, ContactConsent, Need, Prisma } from "../../db/generated/client.js";
import type { RequestDeps } from "../request.js";
import type { MatchableNeed, MatchableResource } from "../../domain/matching.js";
import { dayOf } from "../../domain/calendar.js";
import { byKey, groupBy } from "../households/loaders.js";
import { memoSlot } from "../memo.js";

/** What the charity services use for one request. */
export type CharityDeps = Pick<RequestDeps, "prisma" | "principal" | "scope" | "now" | "memo">;
type Deps = CharityDeps;


export type ResourceWithArea = CharityResource & { charity: { districts: string[]; status: Charity["status"] } };

interface VisibleResources {
  byId: Map<string, ResourceWithArea>;
  matchable: MatchableResource[];
}

function createCharityLoaders(deps: Deps) {
  const prisma = deps.prisma;
  const me = deps.principal.audience === "charity" ? deps.principal.charityId : null;
  let visible: Promise<VisibleResources> | null = null;
  let mine: Promise<Charity | null> | null = null;
  return {
    /** The calling charity's row (null: not a charity token, or a charity id the registry does not know). */
    me(): Promise<Charity | null> {
      mine ??= me ? prisma.charity.findUnique({ where: { id: me } }) : Promise.resolve(null);
      return mine;
    },
    charity: new DataLoader<string, Charity | null>(async (keys) =>
      byKey(keys, await prisma.charity.findMany({ where: { id: { in: [...keys] } } }), (c) => c.id),
    ),
    resource: new DataLoader<string, CharityResource | null>(async (keys) =>
      byKey(keys, await prisma.charityResource.findMany({ where: { id: { in: [...keys] } } }), (r) => r.id),
    ),
    need: new DataLoader<string, Need | null>(async (keys) =>
      byKey(keys, await prisma.need.findMany({ where: { id: { in: [...keys] } } }), (n) => n.id),
    ),
    /** claims per need: a charity sees only its own */
    claimsOfNeed: new DataLoader<string, Claim[]>(async (keys) =>
      groupBy(
        keys,
        await prisma.claim.findMany({
          where: { needId: { in: [...keys] }, ...(deps.principal.audience === "charity" ? { charityId: me ?? "" } : {}) },
          orderBy: [{ claimedAt: "asc" }, { id: "asc" }],
        }),
        (c) => c.needId,
      ),
    ),
    /** needs per household (Household.needs), newest first */
    needsOfHousehold: new DataLoader<string, Need[]>(async (keys) =>
      groupBy(
        keys,
        await prisma.need.findMany({ where: { householdId: { in: [...keys] } }, orderBy: [{ since: "desc" }, { id: "asc" }] }),
        (n) => n.householdId,
      ),
    ),
    /** consents per household (Household.contactConsents, officials), newest first */
    consentsOfHousehold: new DataLoader<string, ContactConsent[]>(async (keys) =>
      groupBy(
        keys,
        await prisma.contactConsent.findMany({ where: { householdId: { in: [...keys] } }, orderBy: [{ recordedAt: "desc" }, { id: "asc" }] }),
        (c) => c.householdId,
      ),
    ),
    /** open needs per district (Resource.matches), in the principal's scope */
    openNeedsInDistrict: new DataLoader<string, Need[]>(async (keys) =>
      groupBy(
        keys,
        await prisma.need.findMany({ where: { AND: [needScope(deps), { districtCode: { in: [...keys] }, status: "OPEN" }] } }),
        (n) => n.districtCode,
      ),
    ),
    /** households with an unrevoked consent for the calling charity (an ACTIVE one) */
    consent: new DataLoader<string, boolean>(async (keys) => {
      if (!me) return keys.map(() => false);
      const rows = await prisma.contactConsent.findMany({
        where: { householdId: { in: [...keys] }, charityId: me, revokedAt: null, charity: { status: "ACTIVE" } },
        select: { householdId: true },
      });
      const yes = new Set(rows.map((r) => r.householdId));
      return keys.map((k) => yes.has(k));
    }),
    /**
     * The ACTIVE resources of ACTIVE charities the principal may see (a charity its own and shared ones,
     * officials all), by id and as matching takes them: read and converted once per request, not per need.
     */
    visibleResources(): Promise<VisibleResources> {
      visible ??= prisma.charityResource
        .findMany({
          where: {
            status: "ACTIVE",
            charity: { status: "ACTIVE" },
            ...(deps.principal.audience === "charity" ? { OR: [{ charityId: me ?? "" }, { shared: true }] } : {}),
          },
          include: { charity: { select: { districts: true, status: true } } },
          orderBy: { id: "asc" },
        })
        .then((rows) => ({ byId: new Map(rows.map((r) => [r.id, r])), matchable: rows.map(matchableResource) }));
      return visible;
    },
  };
}

export type CharityLoaders = ReturnType<typeof createCharityLoaders>;
const perRequest = memoSlot<CharityLoaders>();

export function charityLoaders(deps: Deps): CharityLoaders {
  return perRequest(deps.memo, "", () => createCharityLoaders(deps));
}

/** The principal's row scope as a need filter (needs carry their household's district and street). */
export function needScope(deps: Deps): Prisma.NeedWhereInput {
  const { districtCode, streetCode } = deps.scope as Prisma.NeedWhereInput;
  return { ...(districtCode !== undefined && { districtCode }), ...(streetCode !== undefined && { streetCode }) };
}

/** The calling charity, which must be registered and — unless `allowSuspended` — ACTIVE. */
export async function requireCharity(deps: Deps, allowSuspended = false): Promise<Charity> {
  const me = await charityLoaders(deps).me();
  if (!me)
    throw forbidden("This charity is not registered with the gateway", "CHARITY_NOT_REGISTERED");
  if (me.status !== "ACTIVE" && !allowSuspended) throw suspended();
  return me;
}

export function suspended(): GraphQLError {
  return forbidden("This charity is suspended by civil affairs", "CHARITY_SUSPENDED", { status: 403 });
}

export function matchableNeed(n: Need): MatchableNeed {
  return {
    id: n.id,
    category: n.category,
    urgency: n.urgency,
    status: n.status,
    districtCode: n.districtCode,
    streetCode: n.streetCode,
    tier: n.tier,
    ageBand: n.ageBand,
    disability: n.disability,
    since: n.since,
  };
}

export function matchableResource(r: ResourceWithArea): MatchableResource {
  return {
    id: r.id,
    category: r.category,
    status: r.charity.status === "ACTIVE" ? r.status : "CLOSED",
    quantity: r.quantity,
    remaining: r.remaining,
    districts: r.districts,
    streets: r.streets,
    charityDistricts: r.charity.districts,
    tiers: r.tiers,
    minAge: r.minAge,
    maxAge: r.maxAge,
    disabilityRequired: r.disabilityRequired,
    validFrom: r.validFrom,
    validTo: r.validTo,
  };
}

/** The request's day as a UTC-midnight date (resources' validity and needs' `since` are dates). */
export function today(deps: Deps): Date {
  return dayOf(deps.now);
}

/**
 * Charity matching, read side: needs (a page at a time), resources, claims, matches. What each audience
 * sees is decided by the field policy (src/policy/rules.ts): a charity gets needs with its own
 * pseudonymous references (nd_…, hh_…), never a registry id, name, ID number, income or address, and a
 * contact only where the household consented to that charity. Which rows it gets is decided here: needs
 * in the districts it serves, its own resources and shared ones, its own claims.
 */
import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import type { Charity as CharityRow, CharityResource, Claim as ClaimRow, Need as NeedRow, Prisma } from "../src/db/generated/client.js";
import { Charity, CharityStatus, Claim, ClaimStatus, ContactConsent, Need, NeedConnection, NeedFilter, NeedMatch, NeedCategory, Resource, ResourceStatus } from "../schema/charity.js";
import { Household, Street } from "../schema/registry.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { badInput, pageSizeProblems } from "../src/errors.js";
import { MAX_PAGE_SIZE, headName } from "./household.js";
import { consentWithheld } from "../src/features/charity/household-access.js";
import { charityLoaders, matchableNeed, matchableResource, needScope, requireCharity, today, type ResourceWithArea } from "../src/features/charity/requests.js";
import { decodeNeedCursor, encodeNeedCursor } from "../src/features/charity/refs.js";
import { matchesForNeed, matchesForResource, type Match } from "../src/domain/matching.js";
import { URGENCIES, URGENCY_RANK } from "../src/domain/needs.js";

const MAX_MATCHES = 50;
const DEFAULT_MATCHES = 10;

@ArgsType()
class NeedsArgs {
  @Field(() => NeedFilter, { nullable: true }) filter?: NeedFilter;
  @Field(() => Int, { defaultValue: 20, description: `Page size, 1..${MAX_PAGE_SIZE}.` }) first!: number;
  @Field(() => String, { nullable: true, description: "endCursor of the previous page." }) after?: string;
}

function checkFirst(first: number, max: number) {
  const problems = pageSizeProblems(first, max);
  if (problems.length) throw badInput(problems);
}

/** Which needs the principal may list: in its scope; a charity's in the districts it serves, open or claimed by it. */
async function needsWhere(ctx: GatewayContext, filter: NeedFilter | undefined): Promise<Prisma.NeedWhereInput> {
  const and: Prisma.NeedWhereInput[] = [needScope(ctx)];
  if (filter?.street) and.push({ streetCode: filter.street });
  if (filter?.category) and.push({ category: filter.category });
  if (filter?.urgency) and.push({ urgency: { in: URGENCIES.filter((u) => URGENCY_RANK[u] >= URGENCY_RANK[filter.urgency!]) } });
  const status = filter?.status ?? "OPEN";
  if (ctx.principal.audience === "charity") {
    const me = await requireCharity(ctx);
    and.push({ districtCode: { in: me.districts } });
    and.push(status === "OPEN" ? { status } : { status, claims: { some: { charityId: me.id } } });
  } else and.push({ status });
  return { AND: and };
}

function matchOf(m: Match, need: NeedRow, resource: CharityResource): NeedMatch {
  return { need: need as unknown as Need, resource: resource as unknown as Resource, score: m.score, parts: m.parts };
}

@Resolver(() => Need)
export class NeedResolver {
  @Query(() => NeedConnection, { nullable: true, description: "Needs, ordered by id, a page at a time (default: OPEN ones)." })
  async needs(@Args(() => NeedsArgs) { filter, first, after }: NeedsArgs, @Ctx() ctx: GatewayContext) {
    checkFirst(first, MAX_PAGE_SIZE);
    let afterId: string | null = null;
    if (after != null) {
      afterId = decodeNeedCursor(ctx, after);
      if (!afterId) throw badInput([{ field: "after", reason: "INVALID_CURSOR", message: "after is not a cursor from this API" }]);
    }
    const where = await needsWhere(ctx, filter);
    const [rows, totalCount] = await Promise.all([
      ctx.prisma.need.findMany({ where: afterId ? { AND: [where, { id: { gt: afterId } }] } : where, orderBy: { id: "asc" }, take: first + 1 }),
      ctx.prisma.need.count({ where }),
    ]);
    const page = rows.slice(0, first);
    const loaders = charityLoaders(ctx);
    for (const n of page) loaders.need.prime(n.id, n);
    return {
      edges: page.map((node) => ({ cursor: encodeNeedCursor(ctx, node.id), node })),
      pageInfo: { hasNextPage: rows.length > first, endCursor: page.length ? encodeNeedCursor(ctx, page[page.length - 1].id) : null },
      totalCount,
    };
  }

  @FieldResolver(() => ID, { nullable: true, description: "The household: its id, or for a charity its pseudonymous reference (hh_…)." })
  householdRef(@Root() n: NeedRow) {
    return n.householdId;
  }

  @FieldResolver(() => Street, { nullable: true })
  street(@Root() n: NeedRow, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.street.load(n.streetCode);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "The household's phone. A charity sees it only where a street office recorded the household's consent for that charity.",
  })
  async contact(@Root() n: NeedRow, @Ctx() ctx: GatewayContext) {
    if (await consentWithheld(ctx, "Need", "contact", n.householdId)) return null;
    const h = await ctx.loaders.household.load(n.householdId);
    return h?.phone ?? null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "The name to ask for (the head of household's). A charity sees it only where a street office recorded the household's consent for that charity.",
  })
  async contactName(@Root() n: NeedRow, @Ctx() ctx: GatewayContext) {
    if (await consentWithheld(ctx, "Need", "contactName", n.householdId)) return null;
    return headName(ctx, n.householdId);
  }

  @FieldResolver(() => [NeedMatch], { nullable: true, description: `The best resources for this need, best first (a charity: its own and shared ones).` })
  async matches(
    @Root() n: NeedRow,
    @Arg("first", () => Int, { defaultValue: DEFAULT_MATCHES, description: `1..${MAX_MATCHES}` }) first: number,
    @Ctx() ctx: GatewayContext,
  ) {
    checkFirst(first, MAX_MATCHES);
    const { byId, matchable } = await charityLoaders(ctx).visibleResources();
    return matchesForNeed(matchableNeed(n), matchable, today(ctx), first).map((m) => matchOf(m, n, byId.get(m.resourceId)!));
  }

  @FieldResolver(() => [Claim], { nullable: true, description: "Claims on this need (a charity: its own)." })
  claims(@Root() n: NeedRow, @Ctx() ctx: GatewayContext) {
    return charityLoaders(ctx).claimsOfNeed.load(n.id);
  }
}

@ArgsType()
class ResourcesArgs {
  @Field(() => NeedCategory, { nullable: true }) category?: NeedCategory;
  @Field(() => ResourceStatus, { nullable: true }) status?: ResourceStatus;
}

@Resolver(() => Resource)
export class ResourceResolver {
  @Query(() => [Resource], { nullable: true, description: "Charity resources: a charity's own (any status) and shared ones; officials see all." })
  async resources(@Args(() => ResourcesArgs) { category, status }: ResourcesArgs, @Ctx() ctx: GatewayContext) {
    const where: Prisma.CharityResourceWhereInput = { ...(category && { category }), ...(status && { status }) };
    if (ctx.principal.audience === "charity") {
      const me = await requireCharity(ctx);
      where.OR = [{ charityId: me.id }, { shared: true, status: "ACTIVE" }];
    }
    return ctx.prisma.charityResource.findMany({ where, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  }

  @FieldResolver(() => Charity, { nullable: true })
  charity(@Root() r: CharityResource, @Ctx() ctx: GatewayContext) {
    return charityLoaders(ctx).charity.load(r.charityId);
  }

  @FieldResolver(() => [NeedMatch], { nullable: true, description: "The best open needs for this resource, best first." })
  async matches(
    @Root() r: CharityResource,
    @Arg("first", () => Int, { defaultValue: DEFAULT_MATCHES, description: `1..${MAX_MATCHES}` }) first: number,
    @Ctx() ctx: GatewayContext,
  ) {
    checkFirst(first, MAX_MATCHES);
    const loaders = charityLoaders(ctx);
    const owner = await loaders.charity.load(r.charityId);
    if (!owner) return [];
    let served: string[] | null = null;
    if (ctx.principal.audience === "charity") {
      const me = await loaders.me();
      if (!me || (r.charityId !== me.id && !r.shared)) return [];
      served = me.districts;
    }
    const area = (r.districts.length ? r.districts : owner.districts).filter((d) => served === null || served.includes(d));
    const needs = (await loaders.openNeedsInDistrict.loadMany(area)).flatMap((x) => (x instanceof Error ? [] : x));
    const byId = new Map(needs.map((n) => [n.id, n]));
    const resource: ResourceWithArea = { ...r, charity: { districts: owner.districts, status: owner.status } };
    return matchesForResource(matchableResource(resource), needs.map(matchableNeed), today(ctx), first).map((m) => matchOf(m, byId.get(m.needId)!, r));
  }
}

@Resolver(() => Claim)
export class ClaimResolver {
  @Query(() => [Claim], { nullable: true, description: "The calling charity's claims, newest first." })
  async myClaims(@Arg("status", () => ClaimStatus, { nullable: true }) status: ClaimStatus | null, @Ctx() ctx: GatewayContext) {
    const me = await requireCharity(ctx, true);
    return ctx.prisma.claim.findMany({ where: { charityId: me.id, ...(status && { status }) }, orderBy: [{ claimedAt: "desc" }, { id: "asc" }] });
  }

  @FieldResolver(() => Need, { nullable: true })
  need(@Root() c: ClaimRow, @Ctx() ctx: GatewayContext) {
    return charityLoaders(ctx).need.load(c.needId);
  }

  @FieldResolver(() => Resource, { nullable: true })
  resource(@Root() c: ClaimRow, @Ctx() ctx: GatewayContext) {
    return charityLoaders(ctx).resource.load(c.resourceId);
  }

  @FieldResolver(() => Charity, { nullable: true })
  charity(@Root() c: ClaimRow, @Ctx() ctx: GatewayContext) {
    return charityLoaders(ctx).charity.load(c.charityId);
  }
}

@Resolver(() => Charity)
export class CharityResolver {
  @Query(() => [Charity], { nullable: true, description: "Partner charities (officials)." })
  charities(@Arg("status", () => CharityStatus, { nullable: true }) status: CharityStatus | null, @Ctx() ctx: GatewayContext): Promise<CharityRow[]> {
    return ctx.prisma.charity.findMany({ where: status ? { status } : {}, orderBy: { id: "asc" } });
  }
}

@Resolver(() => ContactConsent)
export class ContactConsentResolver {
  @FieldResolver(() => Charity, { nullable: true })
  charity(@Root() c: ContactConsent, @Ctx() ctx: GatewayContext) {
    return charityLoaders(ctx).charity.load(c.charityId);
  }
}

@Resolver(() => Household)
export class HouseholdNeedsResolver {
  @FieldResolver(() => [Need], { nullable: true, description: "The household's needs, any status, newest first." })
  needs(@Root() h: Household, @Ctx() ctx: GatewayContext) {
    return charityLoaders(ctx).needsOfHousehold.load(h.id);
  }

  @FieldResolver(() => [ContactConsent], { nullable: true, description: "Consents to disclose contact details to a charity, newest first." })
  contactConsents(@Root() h: Household, @Ctx() ctx: GatewayContext) {
    return charityLoaders(ctx).consentsOfHousehold.load(h.id);
  }
}

import { Arg, Ctx, Field, FieldResolver, ID, Info, Int, Query, Resolver, Root, ArgsType, Args } from "type-graphql";
import { Kind, type GraphQLResolveInfo } from "graphql";
import {
  AidRecord,
  Asset,
  AssistanceCase,
  Household,
  HouseholdConnection,
  Income,
  Person,
  Street,
} from "../schema/registry.js";
import { HouseholdFilter } from "../schema/inputs.js";
import { DateScalar } from "../schema/scalars.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { badInput, notFound, pageSizeProblems } from "../src/errors.js";
import { decodeCursor, encodeCursor, isUuid } from "../src/features/households/cursor.js";
import type { Prisma } from "../src/db/generated/client.js";
import { charityMayOpen, consentWithheld } from "../src/features/charity/household-access.js";

export const MAX_PAGE_SIZE = 100;

export const LIVE_DESCRIPTION =
  "true: read this request's department records from the department systems themselves, not from the gateway's mirror (slower; for a caseworker who must see the system's current answer). Authorized and recorded in the access log like any read.";
/** Case statuses under which a household counts as "in" a tier. */
export const IN_FORCE = ["ACTIVE", "GRADUAL_EXIT"] as const;

@ArgsType()
class HouseholdsArgs {
  @Field(() => HouseholdFilter, { nullable: true }) filter?: HouseholdFilter;
  @Field(() => Int, { defaultValue: 20, description: `Page size, 1..${MAX_PAGE_SIZE}.` }) first!: number;
  @Field(() => String, { nullable: true, description: "endCursor of the previous page." }) after?: string;
  @Field(() => Boolean, { defaultValue: false, description: LIVE_DESCRIPTION }) live!: boolean;
}

export function householdWhere(filter: HouseholdFilter | undefined): Prisma.HouseholdWhereInput {
  const where: Prisma.HouseholdWhereInput = {};
  if (filter?.district) where.districtCode = filter.district;
  if (filter?.street) where.streetCode = filter.street;
  if (filter?.status) where.status = filter.status;
  if (filter?.tier) where.cases = { some: { tier: filter.tier, status: { in: [...IN_FORCE] } } };
  return where;
}

/** A charity names households by its pseudonymous references; everyone else by id. */
function householdIdFrom(ctx: GatewayContext, given: string): string | null {
  if (ctx.principal.audience === "charity" && ctx.principal.charityId)
    return ctx.pseudonyms.decode(ctx.principal.charityId, "household", given);
  return isUuid(given) ? given : null;
}

/** One household within the principal's scope; out of scope is NOT_FOUND, exactly like a missing one. */
export async function loadHousehold(ctx: GatewayContext, id: string, opts: { withMembers?: boolean } = {}) {
  const realId = householdIdFrom(ctx, id);
  if (!realId) throw badInput([{ field: "id", reason: "INVALID_ID", message: "id is not a household reference" }]);
  const household = await (opts.withMembers ? ctx.loaders.householdWithMembers(realId) : ctx.loaders.household.load(realId));
  if (!household) throw notFound("Household");
  // a charity: only a household behind a need it claimed or one matching its resources (no directory)
  if (ctx.enforcePolicy && ctx.principal.audience === "charity" && !(await charityMayOpen(ctx, household.id))) throw notFound("Household");
  return household;
}

/** The head of household's name (members come head first), for contact. */
export async function headName(ctx: GatewayContext, householdId: string): Promise<string | null> {
  const members = await ctx.loaders.members.load(householdId);
  return (members.find((m) => m.relation === "HEAD") ?? members[0])?.name ?? null;
}

function cursorFor(ctx: GatewayContext, id: string): string {
  if (ctx.principal.audience === "charity" && ctx.principal.charityId)
    return encodeCursor(ctx.pseudonyms.encode(ctx.principal.charityId, "household", id));
  return encodeCursor(id);
}

function cursorId(ctx: GatewayContext, cursor: string): string | null {
  const inner = decodeCursor(cursor);
  return inner === null ? null : householdIdFrom(ctx, inner);
}

@Resolver(() => Household)
export class HouseholdResolver {
  @Query(() => Household, { nullable: true, description: "One household by id; NOT_FOUND when there is none." })
  household(
    @Arg("id", () => ID) id: string,
    @Arg("live", () => Boolean, { defaultValue: false, description: LIVE_DESCRIPTION }) live: boolean,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    if (live) ctx.departments.live = true;
    // members asked for directly: read them with the household (one round trip on PostgreSQL, same answer)
    const withMembers = ctx.principal.audience !== "charity" && info.fieldNodes.some((f) => f.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === "members"));
    return loadHousehold(ctx, id, { withMembers });
  }

  @Query(() => HouseholdConnection, { nullable: true, description: "Households, ordered by id, a page at a time (officials; a charity lists none)." })
  async households(@Args(() => HouseholdsArgs) { filter, first, after, live }: HouseholdsArgs, @Ctx() ctx: GatewayContext) {
    if (live) ctx.departments.live = true;
    const pageSize = pageSizeProblems(first, MAX_PAGE_SIZE);
    if (pageSize.length) throw badInput(pageSize);
    let afterId: string | null = null;
    if (after != null) {
      afterId = cursorId(ctx, after);
      if (!afterId) throw badInput([{ field: "after", reason: "INVALID_CURSOR", message: "after is not a cursor from this API" }]);
    }
    const where: Prisma.HouseholdWhereInput = { AND: [ctx.scope, householdWhere(filter)] };
    const [rows, totalCount] = await Promise.all([
      ctx.prisma.household.findMany({
        where: afterId ? { AND: [where, { id: { gt: afterId } }] } : where,
        orderBy: { id: "asc" },
        take: first + 1,
      }),
      ctx.prisma.household.count({ where }),
    ]);
    const page = rows.slice(0, first);
    for (const h of page) ctx.loaders.household.prime(h.id, h);
    return {
      edges: page.map((node) => ({ cursor: cursorFor(ctx, node.id), node })),
      pageInfo: { hasNextPage: rows.length > first, endCursor: page.length ? cursorFor(ctx, page[page.length - 1].id) : null },
      totalCount,
    };
  }

  @FieldResolver(() => Street)
  async street(@Root() h: Household & { streetCode: string }, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.street.load(h.streetCode);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "Contact phone. A charity sees it only where a street office recorded the household's consent for that charity (recordContactConsent).",
  })
  async phone(@Root() h: Household, @Ctx() ctx: GatewayContext) {
    if (await consentWithheld(ctx, "Household", "phone", h.id)) return null;
    return h.phone;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "The name to ask for when making contact: the head of household's. A charity sees it only where a street office recorded the household's consent for that charity.",
  })
  async contactName(@Root() h: Household, @Ctx() ctx: GatewayContext) {
    if (await consentWithheld(ctx, "Household", "contactName", h.id)) return null;
    return headName(ctx, h.id);
  }

  @FieldResolver(() => [Person], { nullable: true, description: "Members, head first (officials)." })
  members(@Root() h: Household, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.members.load(h.id);
  }

  @FieldResolver(() => [Income], { nullable: true })
  incomes(@Root() h: Household, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.incomes.load(h.id);
  }

  @FieldResolver(() => [Asset], { nullable: true })
  assets(@Root() h: Household, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.assets.load(h.id);
  }

  @FieldResolver(() => [AssistanceCase], { nullable: true, description: "All cases, newest first." })
  cases(@Root() h: Household, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.cases.load(h.id);
  }

  @FieldResolver(() => AssistanceCase, {
    nullable: true,
    description: "The household-level case in force (ACTIVE or GRADUAL_EXIT), if any.",
  })
  async currentCase(@Root() h: Household, @Ctx() ctx: GatewayContext) {
    const cases = await ctx.loaders.cases.load(h.id);
    return cases.find((c) => c.personId === null && (IN_FORCE as readonly string[]).includes(c.status)) ?? null;
  }

  @FieldResolver(() => [AidRecord], { nullable: true, description: "Civil-affairs payments, newest first; optionally from a date on." })
  async aidRecords(
    @Root() h: Household,
    @Arg("since", () => DateScalar, { nullable: true }) since: Date | null,
    @Ctx() ctx: GatewayContext,
  ) {
    const all = await ctx.loaders.aidRecords.load(h.id);
    return since ? all.filter((r) => r.periodEnd >= since) : all;
  }
}

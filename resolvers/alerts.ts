import { Arg, Args, ArgsType, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from "type-graphql";
import { Household } from "../schema/registry.js";
import { Alert, AlertCompleteness as AlertCompletenessType, AlertFilter, AlertPage } from "../schema/alerts.js";
import { ResponsibleDepartment } from "../schema/eligibility.js";
import type { GatewayContext } from "../src/graphql/context.js";
import type { AlertAction, Household as HouseholdRow, Prisma } from "../src/db/generated/client.js";
import { alertCompleteness, type AlertCompleteness, type AlertFinding } from "../src/domain/alerts.js";
import { badInput, pageSizeProblems } from "../src/errors.js";
import { decodeCursor, encodeCursor, isUuid } from "../src/features/households/cursor.js";
import { alertActions, alertVisible, monitoringOf, pushedTo, statusOf, visibilityFor } from "../src/features/aid-chain/monitoring.js";
import { opaqueAlertKey } from "../src/policy/opaque.js";
import { alertNote, recordAlertAction, type AlertActionKind } from "../src/features/aid-chain/alert-actions.js";

/** Households examined per page of Query.alerts: bounds the upstream work of one request. */
export const MAX_ALERT_HOUSEHOLDS = 50;

function alertView(ctx: GatewayContext, householdId: string, a: AlertFinding, actions: AlertAction[]) {
  const key = opaqueAlertKey(ctx.pseudonyms, householdId, a.key);
  // stored actions carry the opaque key (rows written before issue 12: the domain key)
  const own = actions.filter((x) => x.alertKey === key || x.alertKey === a.key);
  return {
    key,
    kind: a.kind,
    alertClass: a.class,
    severity: a.severity,
    department: a.department,
    householdId,
    personId: a.personId,
    message: a.message,
    reference: a.reference,
    evidence: a.evidence,
    status: statusOf(own),
    pushedTo: pushedTo(own),
    history: own.map((x) => ({ action: x.action, department: x.department, note: x.note, actorSubject: x.actorSubject, actorAudience: x.actorAudience, at: x.at })),
  };
}
type AlertView = ReturnType<typeof alertView>;

/** A household's alerts this audience may see, with their stored status. */
async function householdAlerts(ctx: GatewayContext, h: HouseholdRow): Promise<AlertView[]> {
  const [{ alerts }, actions] = await Promise.all([monitoringOf(ctx, h), alertActions(ctx, h.id)]);
  const v = visibilityFor(ctx);
  return alerts.filter((a) => alertVisible(v, a)).map((a) => alertView(ctx, h.id, a, actions));
}

/**
 * Whether the household's alert list is complete: a failed or stale department source drops the alerts resting on
 * it (a disability system down → no NEW_SEVERE_DISABILITY), so the list says so rather than shrinking silently.
 * Failed and stale sources are named whether or not the audience may read them (the name discloses no data).
 */
async function householdCompleteness(ctx: GatewayContext, h: HouseholdRow): Promise<AlertCompleteness> {
  const { chain } = await monitoringOf(ctx, h);
  return alertCompleteness(chain);
}

function matches(a: AlertView, f: AlertFilter | undefined): boolean {
  if (!f) return true;
  return (
    (!f.kind || a.kind === f.kind) &&
    (!f.alertClass || a.alertClass === f.alertClass) &&
    (!f.severity || a.severity === f.severity) &&
    (!f.status || a.status === f.status) &&
    (!f.department || a.department === f.department || a.pushedTo === f.department)
  );
}

@ArgsType()
class AlertsArgs {
  @Field(() => AlertFilter, { nullable: true }) filter?: AlertFilter;
  @Field(() => Int, { defaultValue: 20, description: `Households to examine, 1..${MAX_ALERT_HOUSEHOLDS}.` }) first!: number;
  @Field(() => String, { nullable: true, description: "endCursor of the previous page." }) after?: string;
}


@Resolver(() => Household)
export class HouseholdAlertsResolver {
  @FieldResolver(() => [Alert], {
    nullable: true,
    description: "Early warnings from cross-department comparison on the request's date (DOMAIN.md §3), with their handling status. Only alerts whose evidence this audience may read.",
  })
  alerts(@Root() h: HouseholdRow, @Ctx() ctx: GatewayContext) {
    return householdAlerts(ctx, h);
  }

  @FieldResolver(() => AlertCompletenessType, {
    nullable: true,
    description: "Whether `alerts` is complete: false when a department system failed, or a record was stale, for this household (alerts resting on it may be missing).",
  })
  alertCompleteness(@Root() h: HouseholdRow, @Ctx() ctx: GatewayContext) {
    return householdCompleteness(ctx, h);
  }
}

@Resolver(() => Alert)
export class AlertResolver {
  @Query(() => AlertPage, {
    nullable: true,
    description:
      "Alerts across the households in the token's jurisdiction, a page of households at a time (household-id order; district/street narrow the households, the other filters the alerts). Each page examines at most `first` households, so a request's upstream work is bounded and batched; a page may hold no alerts and still have a next one.",
  })
  async alerts(@Args(() => AlertsArgs) { filter, first, after }: AlertsArgs, @Ctx() ctx: GatewayContext) {
    const pageSize = pageSizeProblems(first, MAX_ALERT_HOUSEHOLDS);
    if (pageSize.length) throw badInput(pageSize);
    let afterId: string | null = null;
    if (after != null) {
      afterId = decodeCursor(after);
      if (!afterId || !isUuid(afterId)) throw badInput([{ field: "after", reason: "INVALID_CURSOR", message: "after is not a cursor from this API" }]);
    }
    const where: Prisma.HouseholdWhereInput = { AND: [ctx.scope, filter?.district ? { districtCode: filter.district } : {}, filter?.street ? { streetCode: filter.street } : {}] };
    const rows = await ctx.prisma.household.findMany({ where: afterId ? { AND: [where, { id: { gt: afterId } }] } : where, orderBy: { id: "asc" }, take: first + 1 });
    const page = rows.slice(0, first);
    for (const h of page) ctx.loaders.household.prime(h.id, h);
    const [perHousehold, completeness] = await Promise.all([Promise.all(page.map((h) => householdAlerts(ctx, h))), Promise.all(page.map((h) => householdCompleteness(ctx, h)))]);
    const incomplete = page.filter((_, i) => !completeness[i].complete);
    return {
      alerts: perHousehold.flat().filter((a) => matches(a, filter)),
      complete: incomplete.length === 0,
      failedSources: [...new Set(completeness.flatMap((c) => c.failedSources))].sort(),
      incompleteHouseholds: incomplete.map((h) => h.id),
      householdsScanned: page.length,
      pageInfo: { hasNextPage: rows.length > first, endCursor: page.length ? encodeCursor(page[page.length - 1].id) : null },
    };
  }

  @Mutation(() => Alert, { description: "Acknowledge an alert (civil affairs, street office; a department for an alert pushed to it)." })
  acknowledgeAlert(@Arg("key", () => ID) key: string, @Arg("note", () => String, { nullable: true }) note: string | null, @Ctx() ctx: GatewayContext) {
    return record(ctx, key, "ACKNOWLEDGE", null, alertNote(note, false));
  }

  @Mutation(() => Alert, { description: "Push an alert to the responsible department (civil affairs, street office)." })
  pushAlert(
    @Arg("key", () => ID) key: string,
    @Arg("department", () => ResponsibleDepartment) department: ResponsibleDepartment,
    @Arg("note", () => String, { nullable: true }) note: string | null,
    @Ctx() ctx: GatewayContext,
  ) {
    // a charity provides help (an aid-chain link) but is not a department an alert can be pushed to
    if (department === ResponsibleDepartment.charity)
      throw badInput([{ field: "department", reason: "NOT_A_DEPARTMENT", message: "alerts are pushed to government departments, not to charities" }]);
    return record(ctx, key, "PUSH", department, alertNote(note, false));
  }

  @Mutation(() => Alert, { description: "Resolve an alert with a note saying how (final: resolving again is ALREADY_RESOLVED)." })
  resolveAlert(@Arg("key", () => ID) key: string, @Arg("note", () => String) note: string, @Ctx() ctx: GatewayContext) {
    return record(ctx, key, "RESOLVE", null, alertNote(note, true));
  }
}

/** Records one action (src/features/aid-chain/alert-actions.ts) and answers the alert as the caller sees it. */
async function record(ctx: GatewayContext, key: string, action: AlertActionKind, department: string | null, note: string | null): Promise<AlertView> {
  const { householdId, finding, actions } = await recordAlertAction(ctx, key, action, department, note);
  return alertView(ctx, householdId, finding, actions);
}

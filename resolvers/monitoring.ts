import { Arg, Args, ArgsType, Ctx, Field, ID, InputType, Int, Mutation, Query, Resolver } from "type-graphql";
import { Lead, LeadConnection, MonitoringRun, MonitoringRunConnection, type MonitoringRunMode, type MonitoringRunStatus } from "../schema/monitoring.js";
import { DataSource as DataSourceEnum } from "../schema/departments.js";
import type { DataSource } from "../schema/departments.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { badInput, notFound, pageSizeProblems } from "../src/errors.js";
import { isUuid } from "../src/features/households/cursor.js";
import { prismaExecutor } from "../src/audit/store.js";
import { dismissLead, latestFinishedRun, leadPage, runById, runPage, type LeadRow } from "../src/features/monitoring/read.js";
import type { RunRow } from "../src/features/monitoring/runs.js";

const MAX_RUNS = 100;
const counts = (m: Record<string, number> | undefined) => Object.entries(m ?? {}).map(([kind, count]) => ({ kind, count })).sort((a, b) => (a.kind < b.kind ? -1 : 1));

/** A run row as the API shows it. */
export function runView(r: RunRow): MonitoringRun {
  return {
    id: r.id,
    mode: r.mode as MonitoringRunMode,
    status: r.status as MonitoringRunStatus,
    asOf: new Date(r.as_of),
    startedAt: new Date(r.started_at),
    finishedAt: r.finished_at ? new Date(r.finished_at) : null,
    households: r.households,
    shardsTotal: r.shards_total,
    shardsDone: r.shards_done,
    shardsFailed: r.shards_failed,
    shardsRetried: r.shards_retried,
    alertCounts: counts(r.counts?.alerts),
    findingCounts: counts(r.counts?.findings),
    failedSources: (r.failed_sources ?? []) as DataSource[],
    staleSources: (r.stale_sources ?? []) as DataSource[],
  };
}

const encodeRunCursor = (r: RunRow) => Buffer.from(`mr:${new Date(r.started_at).toISOString()}|${r.id}`, "utf8").toString("base64url");
function decodeRunCursor(c: string): { at: string; id: string } | null {
  if (c.length > 120) return null;
  const m = /^mr:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)\|([0-9a-f-]{36})$/.exec(Buffer.from(c, "base64url").toString("utf8"));
  return m && isUuid(m[2]) ? { at: m[1], id: m[2] } : null;
}

function leadView(r: LeadRow): Lead {
  return {
    id: r.id,
    source: r.source as DataSource,
    reason: r.reason,
    coverage: String(r.evidence.find((e) => e.name === "registry.coverage")?.value ?? (r.household_id ? "NO_CASE" : "NOT_IN_REGISTRY")),
    idNumber: r.id_number,
    householdId: r.household_id,
    districtCode: r.district_code,
    streetCode: r.street_code,
    evidence: r.evidence.map((e) => ({ name: e.name, value: e.value === null || e.value === undefined ? null : String(e.value), source: e.source, asOf: e.asOf ? new Date(e.asOf) : null })),
    lastSeen: new Date(r.last_seen_at),
    dismissedAt: r.dismissed_at ? new Date(r.dismissed_at) : null,
    dismissReason: r.dismiss_reason,
  };
}

@InputType({ description: "Leads to list; every field narrows. Leads outside the token's jurisdiction never appear." })
class LeadFilter {
  @Field(() => String, { nullable: true, description: "Street code (9 digits)." }) street?: string;
  @Field(() => DataSourceEnum, { nullable: true }) source?: DataSource;
  @Field(() => String, { nullable: true }) reason?: string;
  @Field(() => Boolean, { nullable: true, description: "Also dismissed leads." }) includeDismissed?: boolean;
}

@ArgsType()
class LeadsArgs {
  @Field(() => LeadFilter, { nullable: true }) filter?: LeadFilter;
  @Field(() => Int, { defaultValue: 20, description: `Page size, 1..${MAX_RUNS}.` }) first!: number;
  @Field(() => String, { nullable: true, description: "endCursor of the previous page." }) after?: string;
}

const MAX_DISMISS_REASON = 2000;

@ArgsType()
class RunsArgs {
  @Field(() => Int, { defaultValue: 20, description: `Page size, 1..${MAX_RUNS}.` }) first!: number;
  @Field(() => String, { nullable: true, description: "endCursor of the previous page." }) after?: string;
}

@Resolver()
export class MonitoringResolver {
  @Query(() => MonitoringRunConnection, { nullable: true, description: "Monitoring runs, newest first (civil affairs, auditors)." })
  async monitoringRuns(@Args(() => RunsArgs) { first, after }: RunsArgs, @Ctx() ctx: GatewayContext) {
    const problems = pageSizeProblems(first, MAX_RUNS);
    let cursor: { at: string; id: string } | undefined;
    if (after != null) {
      const c = decodeRunCursor(after);
      if (!c) problems.push({ field: "after", reason: "INVALID_CURSOR", message: "after is not a cursor from this API" });
      else cursor = c;
    }
    if (problems.length) throw badInput(problems);
    const page = await runPage(prismaExecutor(ctx.prisma), first, cursor);
    const last = page.rows.at(-1);
    return { nodes: page.rows.map(runView), pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? encodeRunCursor(last) : null } };
  }

  @Query(() => LeadConnection, { nullable: true, description: "Leads of the latest finished monitoring run (civil affairs; a street office: its streets), by id." })
  async leads(@Args(() => LeadsArgs) { filter, first, after }: LeadsArgs, @Ctx() ctx: GatewayContext) {
    const problems = pageSizeProblems(first, MAX_RUNS);
    let afterId: string | undefined;
    if (after != null) {
      const text = Buffer.from(after, "base64url").toString("utf8");
      if (!/^ld:[0-9a-f]{32}$/.test(text)) problems.push({ field: "after", reason: "INVALID_CURSOR", message: "after is not a cursor from this API" });
      else afterId = text.slice(3);
    }
    if (filter?.street != null && !/^\d{9}$/.test(filter.street)) problems.push({ field: "filter.street", reason: "INVALID_FORMAT", message: "filter.street must be a 9-digit street code" });
    if (problems.length) throw badInput(problems);
    const rows = prismaExecutor(ctx.prisma);
    const run = await latestFinishedRun(rows);
    if (!run) return { nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, run: null };
    const page = await leadPage(rows, { jurisdiction: ctx.principal.jurisdiction, street: filter?.street, source: filter?.source, reason: filter?.reason, includeDismissed: filter?.includeDismissed ?? false, afterId, first });
    const last = page.rows.at(-1);
    ctx.audit?.disclose({ households: page.rows.map((r) => r.household_id) });
    return { nodes: page.rows.map(leadView), pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? Buffer.from(`ld:${last.id}`, "utf8").toString("base64url") : null }, run: runView(run) };
  }

  @Mutation(() => Lead, { description: "Dismiss a lead with a reason (civil affairs, the lead's street office). Dismissing again keeps the first dismissal." })
  async dismissLead(@Arg("id", () => ID) id: string, @Arg("reason", () => String) reason: string, @Ctx() ctx: GatewayContext) {
    const r = reason.trim();
    if (!/^[0-9a-f]{32}$/.test(id)) throw notFound("Lead");
    if (r === "") throw badInput([{ field: "reason", reason: "REQUIRED", message: "a reason is required to dismiss a lead" }]);
    if (r.length > MAX_DISMISS_REASON) throw badInput([{ field: "reason", reason: "TOO_LONG", message: `reason must be at most ${MAX_DISMISS_REASON} characters` }]);
    const row = await dismissLead(prismaExecutor(ctx.prisma), ctx.principal.jurisdiction, id, ctx.principal.subject, r);
    if (!row) throw notFound("Lead");
    ctx.audit?.disclose({ households: [row.household_id] });
    return leadView(row);
  }

  @Query(() => MonitoringRun, { nullable: true, description: "One monitoring run (civil affairs, auditors); null when there is none with this id." })
  async monitoringRun(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext) {
    if (!isUuid(id)) throw badInput([{ field: "id", reason: "INVALID_ID", message: "id is not a monitoring run id" }]);
    const r = await runById(prismaExecutor(ctx.prisma), id);
    return r ? runView(r) : null;
  }
}

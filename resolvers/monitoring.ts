import { Arg, Args, ArgsType, Ctx, Field, ID, Int, Query, Resolver } from "type-graphql";
import { MonitoringRun, MonitoringRunConnection, type MonitoringRunMode, type MonitoringRunStatus } from "../schema/monitoring.js";
import type { DataSource } from "../schema/departments.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { badInput, pageSizeProblems } from "../src/errors.js";
import { isUuid } from "../src/features/households/cursor.js";
import { prismaExecutor } from "../src/audit/store.js";
import { runById, runPage } from "../src/features/monitoring/read.js";
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

  @Query(() => MonitoringRun, { nullable: true, description: "One monitoring run (civil affairs, auditors); null when there is none with this id." })
  async monitoringRun(@Arg("id", () => ID) id: string, @Ctx() ctx: GatewayContext) {
    if (!isUuid(id)) throw badInput([{ field: "id", reason: "INVALID_ID", message: "id is not a monitoring run id" }]);
    const r = await runById(prismaExecutor(ctx.prisma), id);
    return r ? runView(r) : null;
  }
}

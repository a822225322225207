import { Arg, Args, ArgsType, Ctx, Field, Info, Int, Query, Resolver } from "type-graphql";
import type { GraphQLResolveInfo } from "graphql";
import { AccessLogFilter, AccessRecordConnection, AuditFindingConnection, AuditFindingFilter, type AccessRecord, type Disclosure } from "../schema/audit.js";
import { findingsFor } from "../src/features/findings/audit-findings.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { badInput, pageSizeProblems } from "../src/errors.js";
import { isUuid } from "../src/features/households/cursor.js";
import { prismaExecutor } from "../src/audit/store.js";
import { queryAccessLog } from "../src/audit/access-log.js";
import type { ChainedRecord } from "../src/audit/record.js";
import { MAX_PAGE_SIZE } from "./household.js";
import { findingPage, latestFinishedRun } from "../src/features/monitoring/read.js";
import { runView } from "./monitoring.js";
import { selectsField } from "../src/graphql/selection.js";

@ArgsType()
class AccessLogArgs {
  @Field(() => AccessLogFilter, { nullable: true }) filter?: AccessLogFilter;
  @Field(() => Int, { defaultValue: 20, description: `Page size, 1..${MAX_PAGE_SIZE}.` }) first!: number;
  @Field(() => String, { nullable: true, description: "endCursor of the previous page." }) after?: string;
}

@ArgsType()
class AuditFindingsArgs {
  @Field(() => AuditFindingFilter, { nullable: true }) filter?: AuditFindingFilter;
  @Field(() => Int, { defaultValue: 20, description: `Page size, 1..${MAX_PAGE_SIZE}.` }) first!: number;
  @Field(() => String, { nullable: true, description: "endCursor of the previous page." }) after?: string;
}

const COORDINATE = /^[A-Z][A-Za-z0-9]*\.[a-z][A-Za-z0-9]*$/;

export const encodeSeqCursor = (prefix: string, seq: number | string) => Buffer.from(`${prefix}:${seq}`, "utf8").toString("base64url");
export function decodeSeqCursor(prefix: string, cursor: string): string | null {
  if (cursor.length > 64) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  return text.startsWith(`${prefix}:`) && text.length > prefix.length + 1 ? text.slice(prefix.length + 1) : null;
}

/** A chained record as the API shows it (also the policy matrix's truth). */
export function toGraphQL(r: ChainedRecord): AccessRecord {
  return {
    ...r,
    seq: String(r.seq),
    at: new Date(r.at),
    fields: Object.entries(r.fields)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([coordinate, disclosure]) => ({ coordinate, disclosure: disclosure.toUpperCase() as Disclosure })),
    householdIds: r.households,
    personIds: r.persons,
    outcome: r.outcome as AccessRecord["outcome"],
    changes: r.changes?.map((c) => ({ path: c.path, before: c.before === null ? null : String(c.before), after: c.after === null ? null : String(c.after) })) ?? null,
  };
}

@Resolver()
export class AuditResolver {
  @Query(() => AccessRecordConnection, {
    nullable: true,
    description: "The access log (auditors): who saw which household's or person's data, which fields, how, for what purpose. Oldest first.",
  })
  async accessLog(@Args(() => AccessLogArgs) { filter, first, after }: AccessLogArgs, @Ctx() ctx: GatewayContext) {
    const problems = pageSizeProblems(first, MAX_PAGE_SIZE);
    let afterSeq: number | undefined;
    if (after != null) {
      const s = decodeSeqCursor("a", after);
      if (!s || !/^\d{1,15}$/.test(s)) problems.push({ field: "after", reason: "INVALID_CURSOR", message: "after is not a cursor from this API" });
      else afterSeq = Number(s);
    }
    const f = filter ?? {};
    if (f.household != null && !isUuid(f.household)) problems.push({ field: "filter.household", reason: "INVALID_ID", message: "filter.household is not a household id" });
    if (f.person != null && !isUuid(f.person)) problems.push({ field: "filter.person", reason: "INVALID_ID", message: "filter.person is not a person id" });
    if (f.field != null && !COORDINATE.test(f.field))
      problems.push({ field: "filter.field", reason: "INVALID_FORMAT", message: 'filter.field must be a field coordinate such as "Person.idNumber"' });
    if (f.from && f.to && f.from > f.to) problems.push({ field: "filter.to", reason: "DATE_RANGE", message: "filter.to is before filter.from" });
    for (const k of ["subject", "audience", "purpose"] as const)
      if ((f[k]?.length ?? 0) > 500) problems.push({ field: `filter.${k}`, reason: "TOO_LONG", message: `filter.${k} is too long` });
    if (problems.length) throw badInput(problems);
    // the auditor's own read of a household's or person's access history is itself a disclosure about them
    ctx.audit?.disclose({ households: [f.household], persons: [f.person] });
    const page = await queryAccessLog(prismaExecutor(ctx.prisma), {
      subject: f.subject ?? undefined,
      audience: f.audience ?? undefined,
      household: f.household ?? undefined,
      person: f.person ?? undefined,
      field: f.field ?? undefined,
      class: f.class ?? undefined,
      purpose: f.purpose ?? undefined,
      from: f.from ?? undefined,
      to: f.to ?? undefined,
      afterSeq,
      first,
    });
    const edges = page.records.map((r) => ({ cursor: encodeSeqCursor("a", r.seq), node: toGraphQL(r) }));
    return {
      edges,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
      totalCount: page.totalCount,
    };
  }

  @Query(() => AuditFindingConnection, {
    nullable: true,
    description:
      "Audit findings for finance and audit (auditors): duplicate payments, payments after a case ended or after death, dibao above the income threshold outside gradual exit, cases past re-certification still paid. Ordered by id.",
  })
  async auditFindings(@Args(() => AuditFindingsArgs) { filter, first, after }: AuditFindingsArgs, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo) {
    const problems = pageSizeProblems(first, MAX_PAGE_SIZE);
    let afterId: string | null = null;
    if (after != null) {
      afterId = decodeSeqCursor("f", after);
      if (!afterId || !/^[0-9a-f]{32}$/.test(afterId)) problems.push({ field: "after", reason: "INVALID_CURSOR", message: "after is not a cursor from this API" });
    }
    const f = filter ?? {};
    if (f.district != null && !/^\d{6}$/.test(f.district)) problems.push({ field: "filter.district", reason: "INVALID_FORMAT", message: "filter.district must be a 6-digit district code" });
    if (f.street != null && !/^\d{9}$/.test(f.street)) problems.push({ field: "filter.street", reason: "INVALID_FORMAT", message: "filter.street must be a 9-digit street code" });
    if (f.from && f.to && f.from > f.to) problems.push({ field: "filter.to", reason: "DATE_RANGE", message: "filter.to is before filter.from" });
    if (problems.length) throw badInput(problems);
    // the stored findings of the latest monitoring run (keyset by id), read beside the run (used only when there is one);
    // their count only when the query asks for totalCount
    const stored = findingPage(
      prismaExecutor(ctx.prisma),
      {
        jurisdiction: ctx.principal.jurisdiction,
        district: f.district ?? undefined,
        street: f.street ?? undefined,
        kind: f.kind ?? undefined,
        from: f.from ?? undefined,
        to: f.to ?? undefined,
        afterId: afterId ?? undefined,
        first,
      },
      selectsField(info, "totalCount"),
    );
    stored.catch(() => undefined);
    const run = await latestFinishedRun(prismaExecutor(ctx.prisma));
    if (run) {
      const page = await stored;
      const nodes = page.rows.map((r) => ({ ...r.finding, id: r.id, periodStart: new Date(`${r.finding.periodStart}T00:00:00Z`), periodEnd: new Date(`${r.finding.periodEnd}T00:00:00Z`) }));
      ctx.audit?.disclose({ households: nodes.map((x) => x.householdId), persons: nodes.map((x) => x.personId) });
      const edges = nodes.map((node) => ({ cursor: encodeSeqCursor("f", node.id), node }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.length ? edges[edges.length - 1].cursor : null }, totalCount: page.totalCount, run: runView(run) };
    }
    const all = await findingsFor(ctx.prisma, ctx.scope, { district: f.district ?? undefined, street: f.street ?? undefined, kind: f.kind ?? undefined, from: f.from ?? undefined, to: f.to ?? undefined });
    const start = afterId ? all.findIndex((x) => x.id > afterId!) : 0;
    const rest = start < 0 ? [] : all.slice(start);
    const page = rest.slice(0, first);
    ctx.audit?.disclose({ households: page.map((x) => x.householdId), persons: page.map((x) => x.personId) });
    const edges = page.map((node) => ({ cursor: encodeSeqCursor("f", node.id), node }));
    return {
      edges,
      pageInfo: { hasNextPage: rest.length > first, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
      totalCount: all.length,
      run: null,
    };
  }
}

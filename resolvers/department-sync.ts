import { Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import { DepartmentSyncStatus, MalformedDepartmentRecord } from "../schema/department-sync.js";
import type { GatewayContext } from "../src/graphql/context.js";
import { SOURCES } from "../src/domain/records.js";

@Resolver(() => DepartmentSyncStatus)
export class DepartmentSyncResolver {
  @Query(() => [DepartmentSyncStatus], {
    nullable: true,
    description: "The department mirror's sync per source: freshness, last success, lag, records, errors (civil affairs, auditors). Empty when the gateway keeps no mirror.",
  })
  async departmentSync(@Ctx() ctx: GatewayContext) {
    if (!ctx.mirror) return [];
    await ctx.mirror.mirror.refresh();
    return ctx.mirror.status();
  }

  @FieldResolver(() => [MalformedDepartmentRecord])
  async malformedRecords(@Root() s: DepartmentSyncStatus, @Ctx() ctx: GatewayContext) {
    if (!ctx.mirror || !(SOURCES as readonly string[]).includes(s.source)) return [];
    const all = await ctx.mirror.malformed(s.source);
    return all.sort((a, b) => b.seenAt.getTime() - a.seenAt.getTime()).slice(0, 20);
  }
}

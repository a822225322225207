/**
 * Which households and persons a response disclosed, collected where it cannot be missed: every field
 * of a Household or Person object notes that object's id in the request's audit state before it
 * resolves. Whatever root or field returns these objects (now or later), its ids are recorded — real
 * ids, also for charities whose responses carry pseudonyms. Installed once per schema; costs one Set.add
 * per resolved field of these two types.
 */
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import type { GatewayContext } from "../graphql/context.js";

type Source = { id?: unknown; householdId?: unknown } | null | undefined;

const TRACKED: Record<string, (audit: NonNullable<GatewayContext["audit"]>, source: Source) => void> = {
  Household: (audit, s) => {
    if (typeof s?.id === "string") audit.households.add(s.id);
  },
  Person: (audit, s) => {
    if (typeof s?.id === "string") audit.persons.add(s.id);
    if (typeof s?.householdId === "string") audit.households.add(s.householdId);
  },
};

const installed = new WeakSet<GraphQLSchema>();

export function trackDisclosures(schema: GraphQLSchema): void {
  if (installed.has(schema)) return;
  installed.add(schema);
  for (const [typeName, note] of Object.entries(TRACKED)) {
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve: GraphQLFieldResolver<unknown, GatewayContext> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, ctx, info) => {
        if (ctx?.audit) note(ctx.audit, source as Source);
        return resolve(source, args, ctx, info);
      };
    }
  }
}

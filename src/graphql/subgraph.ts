/**
 * The gateway as an Apollo Federation v2 subgraph (issue 17), built the way type-graphql 2 documents it: the
 * type-graphql schema printed to SDL, the entity keys added, and `buildSubgraphSchema` from `@apollo/subgraph`
 * over that SDL and type-graphql's resolvers. The result serves everything the gateway serves plus
 * `_service { sdl }` and `_entities(representations:)`.
 *
 * Entities and keys: `Household @key(fields: "id")` and `Person @key(fields: "id")` — the public id as the
 * calling audience sees it. A router forwards the client's token to every subgraph, so the id a representation
 * carries is the one this gateway handed that same audience: a registry uuid for officials, the charity's own
 * pseudonymous reference (`hh_…`) for a charity. `__resolveReference` takes it exactly as `household(id:)` /
 * `person` do — same jurisdiction scope, same charity rule (only a household it may open), NOT_FOUND for an
 * unknown or out-of-scope one (its entry is null, the error names its path), FORBIDDEN for an entity type the
 * audience may not look up (src/policy/rules.ts ENTITY_LOOKUP). Every field of a resolved entity then goes
 * through the same operation plan (denials, masks), disclosure tracking and access record as any query.
 */
import { buildSubgraphSchema } from "@apollo/subgraph";
import { createResolversMap } from "type-graphql";
import { Kind, parse, printSchema, type DefinitionNode, type DocumentNode, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import type { GatewayContext } from "./context.js";
import { loadHousehold } from "../../resolvers/household.js";
import { badInput, forbidden, notFound } from "../errors.js";
import { isUuid } from "../features/households/cursor.js";
import { accessFor } from "../policy/plan.js";
import { ENTITY_LOOKUP, POLICY } from "../policy/rules.js";

/** The Federation version the SDL links (a v2 subgraph; every router from 2.3 on composes it). */
export const FEDERATION_SPEC = "https://specs.apollo.dev/federation/v2.3";
/** Entity type → its key field. */
export const ENTITY_KEYS: Record<keyof typeof ENTITY_LOOKUP, string> = { Household: "id", Person: "id" };
type EntityType = keyof typeof ENTITY_LOOKUP;

/** The subgraph SDL: the client-facing schema, `@link`ed to Federation v2 and with `@key` on each entity type. */
export function subgraphTypeDefs(schema: GraphQLSchema): DocumentNode {
  const doc = parse(printSchema(schema));
  const link: DefinitionNode = {
    kind: Kind.SCHEMA_EXTENSION,
    directives: [
      {
        kind: Kind.DIRECTIVE,
        name: { kind: Kind.NAME, value: "link" },
        arguments: [
          { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: "url" }, value: { kind: Kind.STRING, value: FEDERATION_SPEC } },
          {
            kind: Kind.ARGUMENT,
            name: { kind: Kind.NAME, value: "import" },
            value: { kind: Kind.LIST, values: [{ kind: Kind.STRING, value: "@key" }] },
          },
        ],
      },
    ],
  };
  const definitions = doc.definitions.map((def): DefinitionNode => {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION || !(def.name.value in ENTITY_KEYS)) return def;
    const key = {
      kind: Kind.DIRECTIVE,
      name: { kind: Kind.NAME, value: "key" },
      arguments: [
        { kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: "fields" }, value: { kind: Kind.STRING, value: ENTITY_KEYS[def.name.value as EntityType] } },
      ],
    } as const;
    return { ...def, directives: [...(def.directives ?? []), key] };
  });
  return { kind: Kind.DOCUMENT, definitions: [link, ...definitions] };
}

type Representation = { __typename: string; [key: string]: unknown };

function keyOf(ref: Representation, type: EntityType): string {
  const value = ref[ENTITY_KEYS[type]];
  if (typeof value !== "string")
    throw badInput([{ field: "representations", reason: "INVALID_ID", message: `a ${type} representation needs its ${ENTITY_KEYS[type]}` }]);
  return value;
}

/** The audience may look this entity type up (the root field ENTITY_LOOKUP names); refused before any read. */
function assertMayLookUp(ctx: GatewayContext, type: EntityType): void {
  if (ctx.enforcePolicy && accessFor(POLICY, "Query", ENTITY_LOOKUP[type], ctx.principal.audience) === undefined)
    throw forbidden(`Your audience may not look up ${type} entities`, "ENTITY_NOT_ALLOWED");
}

const resolveReference: Record<EntityType, (ref: Representation, ctx: GatewayContext) => Promise<unknown>> = {
  Household: async (ref, ctx) => {
    assertMayLookUp(ctx, "Household");
    return loadHousehold(ctx, keyOf(ref, "Household"));
  },
  Person: async (ref, ctx) => {
    assertMayLookUp(ctx, "Person");
    const id = keyOf(ref, "Person");
    if (!isUuid(id)) throw badInput([{ field: "representations", reason: "INVALID_ID", message: "id is not a person reference" }]);
    const person = await ctx.prisma.person.findFirst({ where: { id, household: ctx.scope } });
    if (!person) throw notFound("Person");
    return person;
  },
};

/**
 * Representations are the router's (or a client's) input: each must be an object naming an entity type. A bad
 * one refuses the whole call with BAD_USER_INPUT (reason INVALID_REPRESENTATION) before any lookup —
 * `@apollo/subgraph` itself would answer an unknown type with an internal error.
 */
function checkedEntities(resolve: GraphQLFieldResolver<unknown, GatewayContext>): GraphQLFieldResolver<unknown, GatewayContext> {
  return (source, args: { representations?: unknown }, ctx, info) => {
    const reps = Array.isArray(args.representations) ? args.representations : [];
    reps.forEach((r, i) => {
      const typename = r && typeof r === "object" ? (r as { __typename?: unknown }).__typename : undefined;
      if (typeof typename !== "string" || !(typename in ENTITY_KEYS))
        throw badInput([
          { field: `representations.${i}`, reason: "INVALID_REPRESENTATION", message: `representation ${i} names no entity type (${Object.keys(ENTITY_KEYS).join(", ")})` },
        ]);
    });
    return resolve(source, args, ctx, info);
  };
}

/** The executable subgraph schema over the type-graphql schema's resolvers. */
export function buildGatewaySubgraph(schema: GraphQLSchema): GraphQLSchema {
  const resolvers: Record<string, object> = createResolversMap(schema);
  for (const type of Object.keys(ENTITY_KEYS) as EntityType[])
    resolvers[type] = { ...resolvers[type], __resolveReference: (ref: Representation, ctx: GatewayContext) => resolveReference[type](ref, ctx) };
  // @apollo/subgraph types its resolver map with an `unknown` context; ours take the gateway's (one at run time)
  const subgraph = buildSubgraphSchema({ typeDefs: subgraphTypeDefs(schema), resolvers: resolvers as never });
  const entities = subgraph.getQueryType()?.getFields()._entities;
  if (!entities?.resolve) throw new Error("the subgraph schema has no _entities field");
  entities.resolve = checkedEntities(entities.resolve);
  return subgraph;
}

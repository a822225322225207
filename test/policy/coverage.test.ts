import { expect, test } from "vitest";
import { getNamedType, isAbstractType, isListType, isNonNullType, isObjectType, type GraphQLObjectType } from "graphql";
import { servedSchema as gatewaySchema } from "../../src/graphql/schema.js"; // what the gateway serves: the client schema + federation's _service/_entities
import { ENTITY_LOOKUP, POLICY } from "../../src/policy/rules.js";
import { AUDIENCES, type Audience } from "../../src/policy/audiences.js";

/** Object types an audience can reach from the roots through fields it may read. */
function reachable(schema: Awaited<ReturnType<typeof gatewaySchema>>, audience: Audience): Set<string> {
  const seen = new Set<string>();
  const roots = [schema.getQueryType(), schema.getMutationType()].filter(Boolean) as GraphQLObjectType[];
  const queue = [...roots];
  while (queue.length) {
    const t = queue.pop()!;
    if (seen.has(t.name)) continue;
    seen.add(t.name);
    for (const f of Object.values(t.getFields())) {
      if (!POLICY[t.name]?.[f.name]?.[audience]) continue;
      const named = getNamedType(f.type);
      if (isObjectType(named)) queue.push(named);
      // _entities (_Entity = Household | Person): an entity type only for the audiences that may look it up
      else if (isAbstractType(named))
        queue.push(
          ...schema
            .getPossibleTypes(named)
            .filter((o) => !(o.name in ENTITY_LOOKUP) || POLICY.Query[ENTITY_LOOKUP[o.name as keyof typeof ENTITY_LOOKUP]]?.[audience]),
        );
    }
  }
  return seen;
}

function schemaFields(schema: Awaited<ReturnType<typeof gatewaySchema>>) {
  return Object.values(schema.getTypeMap())
    .filter((t): t is GraphQLObjectType => isObjectType(t) && !t.name.startsWith("__"))
    .flatMap((t) => Object.values(t.getFields()).map((f) => ({ type: t.name, field: f.name, def: f })));
}

test("deny by default: every field of the printed schema has a policy rule", async () => {
  const schema = await gatewaySchema();
  const missing = schemaFields(schema).filter(({ type, field }) => !POLICY[type]?.[field]).map(({ type, field }) => `${type}.${field}`);
  expect(missing).toEqual([]);
});

test("the policy names no field the schema lacks (no stale rules)", async () => {
  const schema = await gatewaySchema();
  const known = new Set(schemaFields(schema).map(({ type, field }) => `${type}.${field}`));
  const stale = Object.entries(POLICY).flatMap(([type, fields]) => Object.keys(fields).map((f) => `${type}.${f}`)).filter((c) => !known.has(c));
  expect(stale).toEqual([]);
});

test("every field an audience can reach but not read is nullable, so denial nulls only that field", async () => {
  const schema = await gatewaySchema();
  const offenders: string[] = [];
  for (const audience of AUDIENCES) {
    const types = reachable(schema, audience);
    for (const { type, field, def } of schemaFields(schema)) {
      if (type === "Mutation" || !types.has(type)) continue; // a denied mutation refuses the whole operation
      if (!POLICY[type]?.[field]?.[audience] && isNonNullType(def.type)) offenders.push(`${type}.${field} (${audience})`);
    }
  }
  expect(offenders).toEqual([]);
});

test("masks are only applied to scalar fields (or lists of scalars)", async () => {
  const schema = await gatewaySchema();
  const bad: string[] = [];
  for (const { type, field, def } of schemaFields(schema))
    for (const access of Object.values(POLICY[type]?.[field] ?? {}))
      if (typeof access === "object" && isObjectType(getNamedType(def.type))) bad.push(`${type}.${field}`);
  expect(bad).toEqual([]);
  void isListType;
});

/**
 * The planner over unions and interfaces (issue 14): a rule is per object type, so a field reached through a
 * union or interface is decided for each type the object may have — through inline fragments, fragment spreads
 * and fields selected on the interface itself. A synthetic schema (not the gateway's), its own rule table (the
 * oracle) and counting resolvers: a denied field is null with FORBIDDEN at its path only on objects of the type
 * it is denied for, a masked one masked only there, and a denied field's resolver never runs.
 */
import { describe, expect, test } from "vitest";
import { buildSchema, execute, parse, type ExecutionResult, type OperationDefinitionNode } from "graphql";
import { planOperation, TYPE_PROBE } from "../../src/policy/plan.js";
import { applyPlan } from "../../src/policy/apply.js";
import type { PolicyRules } from "../../src/policy/rules.js";
import type { Audience } from "../../src/policy/audiences.js";

const schema = buildSchema(`
  interface Named { id: ID name: String }
  type Home implements Named { id: ID name: String builtOn: String secret: String }
  type Resident implements Named { id: ID name: String diagnosis: String home: Home }
  union Entity = Home | Resident
  type Query { entities: [Entity] named: [Named] }
`);

// The synthetic policy: education reads homes (the build date as a year), never a resident's name or diagnosis,
// nor a home's secret; civil affairs reads everything.
const R = "read" as const;
const RULES: PolicyRules = {
  Query: { entities: { civil_affairs: R, education: R }, named: { civil_affairs: R, education: R } },
  Home: {
    id: { civil_affairs: R, education: R },
    name: { civil_affairs: R, education: R },
    builtOn: { civil_affairs: R, education: { mask: "year" } },
    secret: { civil_affairs: R },
  },
  Resident: {
    id: { civil_affairs: R, education: R },
    name: { civil_affairs: R },
    diagnosis: { civil_affairs: R },
    home: { civil_affairs: R, education: R },
  },
};

const HOME = { __typename: "Home", id: "h1", name: "Riverside flat", builtOn: "1998-05-02", secret: "s-1" };
const RESIDENT = { __typename: "Resident", id: "r1", name: "Zhang San", diagnosis: "C34", home: HOME };

/** Executes the plan's document over the two objects, counting every resolver call per coordinate. */
async function run(source: string, audience: Audience) {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === "OperationDefinition")!;
  const plan = planOperation(schema, document, operation, audience, RULES);
  const calls: Record<string, number> = {};
  const counted = (type: string, obj: Record<string, unknown>) =>
    new Proxy(obj, {
      get(target, key) {
        if (typeof key === "string" && key !== "__typename" && key in target) calls[`${type}.${key}`] = (calls[`${type}.${key}`] ?? 0) + 1;
        const v = target[key as string];
        return v && typeof v === "object" && (v as { __typename?: string }).__typename ? counted((v as { __typename: string }).__typename, v as Record<string, unknown>) : v;
      },
    });
  const rootValue = { entities: [counted("Home", HOME), counted("Resident", RESIDENT)], named: [counted("Home", HOME), counted("Resident", RESIDENT)] };
  const result = (await execute({ schema, document: plan.document, rootValue })) as ExecutionResult;
  expect(result.errors ?? []).toEqual([]);
  const data = structuredClone(result.data) as Record<string, unknown>;
  const errors = applyPlan(plan, data);
  return { document, plan, data, errors: errors.map((e) => ({ path: e.path, code: e.extensions?.code })), calls };
}

const forbiddenAt = (...path: (string | number)[]) => ({ path, code: "FORBIDDEN" });

describe("a union field", () => {
  const INLINE = `{ entities { __typename ... on Home { id builtOn secret } ... on Resident { id name diagnosis home { builtOn secret } } } }`;
  const SPREADS = `
    query { entities { ...H ...R } }
    fragment H on Home { id builtOn secret }
    fragment R on Resident { id name diagnosis home { ...H } }`;

  test("inline fragments: education gets each type's own rules, denied resolvers never run", async () => {
    const { data, errors, calls, plan } = await run(INLINE, "education");
    expect(data).toEqual({
      entities: [
        { __typename: "Home", id: "h1", builtOn: "1998", secret: null },
        { __typename: "Resident", id: "r1", home: { builtOn: "1998", secret: null }, name: null, diagnosis: null },
      ],
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        forbiddenAt("entities", 0, "secret"),
        forbiddenAt("entities", 1, "name"),
        forbiddenAt("entities", 1, "diagnosis"),
        forbiddenAt("entities", 1, "home", "secret"),
      ]),
    );
    expect(errors).toHaveLength(4);
    expect(calls["Resident.name"]).toBeUndefined();
    expect(calls["Resident.diagnosis"]).toBeUndefined();
    expect(calls["Home.secret"]).toBeUndefined();
    expect(plan.denied.map((d) => d.coordinate).sort()).toEqual(["Home.secret", "Home.secret", "Resident.diagnosis", "Resident.name"]);
  });

  test("fragment spreads: the same answer as inline fragments, and the type probe never reaches the client", async () => {
    const { data, errors, calls } = await run(SPREADS, "education");
    expect(data).toEqual({
      entities: [
        { id: "h1", builtOn: "1998", secret: null },
        { id: "r1", home: { id: "h1", builtOn: "1998", secret: null }, name: null, diagnosis: null },
      ],
    });
    expect(errors).toHaveLength(4);
    expect(calls["Resident.name"] ?? 0).toBe(0);
    expect(JSON.stringify(data)).not.toContain(TYPE_PROBE);
  });

  test("civil affairs reads everything as it is: the executed document is the original", async () => {
    const { document, data, errors, plan } = await run(SPREADS, "civil_affairs");
    expect(errors).toEqual([]);
    expect(plan.document).toBe(document);
    expect(data).toEqual({
      entities: [
        { id: "h1", builtOn: "1998-05-02", secret: "s-1" },
        { id: "r1", name: "Zhang San", diagnosis: "C34", home: { id: "h1", builtOn: "1998-05-02", secret: "s-1" } },
      ],
    });
    expect(plan.denied).toEqual([]);
    expect(plan.masked).toEqual([]);
  });
});

describe("an interface field", () => {
  test("a field selected on the interface is denied only for the implementing type whose rule denies it", async () => {
    const { data, errors, calls } = await run(`{ named { id name } }`, "education");
    expect(data).toEqual({ named: [{ id: "h1", name: "Riverside flat" }, { id: "r1", name: null }] });
    expect(errors).toEqual([forbiddenAt("named", 1, "name")]);
    expect(calls["Resident.name"]).toBeUndefined();
    expect(calls["Home.name"]).toBe(1);
  });

  test("an interface fragment inside a union, and a spread of it", async () => {
    const inline = await run(`{ entities { ... on Named { name } } }`, "education");
    expect(inline.data).toEqual({ entities: [{ name: "Riverside flat" }, { name: null }] });
    expect(inline.errors).toEqual([forbiddenAt("entities", 1, "name")]);
    const spread = await run(`query { entities { ...N } } fragment N on Named { id name }`, "education");
    expect(spread.data).toEqual({ entities: [{ id: "h1", name: "Riverside flat" }, { id: "r1", name: null }] });
    expect(spread.errors).toEqual([forbiddenAt("entities", 1, "name")]);
    expect(spread.calls["Resident.name"]).toBeUndefined();
  });

  test("a type probe is a reserved alias", async () => {
    await expect(run(`{ named { ${TYPE_PROBE}: id } }`, "education")).rejects.toThrow(/reserved/);
  });
});

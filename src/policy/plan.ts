/**
 * Authorization decided once per operation, from the validated document — not per field at run time.
 *
 * `planOperation` walks the operation (fragments expanded) and, for the principal's audience, finds
 * every field it may not read and every field it reads masked. Denied fields are cut from the document
 * that will be executed, so their resolvers — and the upstreams behind them — never run; after execution
 * `applyPlan` puts `null` and a FORBIDDEN error at each of their paths and masks the masked values.
 */
import {
  GraphQLError,
  Kind,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  type DefinitionNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from "graphql";
import type { Audience } from "./audiences.js";
import type { MaskKind } from "./masks.js";
import { POLICY, type Access, type PolicyRules } from "./rules.js";

/** A response path with list positions left out: ["households", "edges", "node", "members", "idNumber"]. */
export type PathTemplate = string[];

/**
 * Per step of a template, the object type the object holding that step's key must have at run time, or null
 * (any: the position is not abstract). Only positions under a union or interface field have one — there the
 * same response path holds objects of several types (`_entities { ... on Household { address } ... on Person
 * { name } }`), and a rule is per concrete type.
 */
export type PathOwners = (string | null)[];

export interface PlannedField {
  template: PathTemplate;
  coordinate: string;
  /** set only when some step is abstract (see PathOwners) */
  owners?: PathOwners;
}

export interface OperationPlan {
  /** the document to execute: the original when nothing is denied */
  document: DocumentNode;
  denied: PlannedField[];
  masked: (PlannedField & { kind: MaskKind })[];
  /** every coordinate read as it is (neither denied nor masked), once each: the audit log's "read" */
  read: string[];
  /**
   * Paths of union/interface fields into whose selection the executed document adds `TYPE_PROBE: __typename`,
   * so that applying the plan can tell the objects' types apart; applyPlan removes the probe afterwards.
   */
  probes: PathTemplate[];
}

/** The alias of the `__typename` the planner adds under union and interface fields (reserved: a client may not use it). */
export const TYPE_PROBE = "__policyType";

export function accessFor(rules: PolicyRules, typeName: string, fieldName: string, audience: Audience): Access | undefined {
  return rules[typeName]?.[fieldName]?.[audience];
}

/** A whole operation refused before execution: HTTP 403 (Apollo takes the status from `http` and strips it). */
export function forbidden(message: string, reason: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "FORBIDDEN", reason, http: { status: 403 } } });
}

const EMPTY_SELECTION: SelectionSetNode = {
  kind: Kind.SELECTION_SET,
  selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: "__typename" } }],
};
const PROBE_FIELD: FieldNode = {
  kind: Kind.FIELD,
  alias: { kind: Kind.NAME, value: TYPE_PROBE },
  name: { kind: Kind.NAME, value: "__typename" },
};

/** Where a selection set is walked: the type its fields are looked up on, and which object types it may hold. */
interface Scope {
  parent: GraphQLCompositeType;
  /** the object types an object here may have (one, unless under a union or interface field) */
  possible: readonly GraphQLObjectType[];
  /** under a union or interface field: each object's type must be checked at run time */
  abstract: boolean;
  /** the union/interface field whose selection this is (gets the type probe when a check is needed) */
  probe: { node: FieldNode; path: PathTemplate } | null;
}

/** Per field node: the object types it was planned for and those for which it is denied. */
interface Decision {
  possible: Set<string>;
  denied: Set<string>;
}

export function planOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  audience: Audience,
  rules: PolicyRules = POLICY,
): OperationPlan {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

  const root = schema.getRootType(operation.operation);
  if (!root) throw new GraphQLError("operation type not supported");
  const decisions = new Map<FieldNode, Decision>();
  const probeNodes = new Set<FieldNode>();
  const probes = new Map<string, PathTemplate>();
  const denied: OperationPlan["denied"] = [];
  const masked: OperationPlan["masked"] = [];
  const read = new Set<string>();

  /** a step checked at run time needs the probe in the selection of the abstract field above it */
  const needProbe = (scope: Scope) => {
    if (!scope.abstract || !scope.probe) return;
    probeNodes.add(scope.probe.node);
    probes.set(scope.probe.path.join("\u0000"), scope.probe.path);
  };
  const narrowed = (scope: Scope, typeName: string): Scope | null => {
    const t = schema.getType(typeName);
    if (!t || !isCompositeType(t)) return null; // validation already rejects unknown type conditions
    const names = new Set((isAbstractType(t) ? schema.getPossibleTypes(t) : [t as GraphQLObjectType]).map((o) => o.name));
    const possible = scope.possible.filter((o) => names.has(o.name));
    return possible.length ? { ...scope, parent: t, possible } : null;
  };

  const walk = (selectionSet: SelectionSetNode, scope: Scope, path: PathTemplate, owners: PathOwners, seen: Set<string>) => {
    for (const sel of selectionSet.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments.get(sel.name.value);
        if (!frag || seen.has(frag.name.value)) continue; // validation already rejects unknown / cyclic fragments
        const inner = narrowed(scope, frag.typeCondition.name.value);
        if (inner) walk(frag.selectionSet, inner, path, owners, new Set([...seen, frag.name.value]));
        continue;
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const inner = sel.typeCondition ? narrowed(scope, sel.typeCondition.name.value) : scope;
        if (inner) walk(sel.selectionSet, inner, path, owners, seen);
        continue;
      }
      if (sel.alias?.value === TYPE_PROBE)
        throw new GraphQLError(`The alias ${TYPE_PROBE} is reserved`, { extensions: { code: "GRAPHQL_VALIDATION_FAILED", http: { status: 400 } } });
      const name = sel.name.value;
      if (name.startsWith("__")) continue; // __typename; introspection is governed by server configuration
      const responsePath = [...path, sel.alias?.value ?? name];
      let decision = decisions.get(sel);
      if (!decision) decisions.set(sel, (decision = { possible: new Set(), denied: new Set() }));
      // a rule is per object type: decided for each type an object at this position may have
      for (const type of scope.possible) {
        decision.possible.add(type.name);
        const stepOwners = [...owners, scope.abstract ? type.name : null];
        const where = stepOwners.some((o) => o !== null) ? { owners: stepOwners } : {};
        const coordinate = `${type.name}.${name}`;
        const access = accessFor(rules, type.name, name, audience);
        if (access === undefined) {
          decision.denied.add(type.name);
          denied.push({ template: responsePath, coordinate, ...where });
          needProbe(scope);
          continue;
        }
        if (typeof access === "object") {
          masked.push({ template: responsePath, kind: access.mask, coordinate, ...where });
          needProbe(scope);
        } else read.add(coordinate);
        const field = type.getFields()[name];
        const named = field && getNamedType(field.type);
        if (!sel.selectionSet || !named || !isCompositeType(named)) continue;
        const abstract = isAbstractType(named);
        walk(
          sel.selectionSet,
          {
            parent: named,
            possible: abstract ? schema.getPossibleTypes(named) : [named as GraphQLObjectType],
            abstract,
            probe: abstract ? { node: sel, path: responsePath } : null,
          },
          responsePath,
          stepOwners,
          seen,
        );
      }
    }
  };
  walk(operation.selectionSet, { parent: root, possible: [root], abstract: false, probe: null }, [], [], new Set());

  if (operation.operation !== "query" && denied.length > 0)
    throw forbidden(`Your audience may not call ${denied.map((d) => d.coordinate).join(", ")}`, "MUTATION_NOT_ALLOWED");

  const changed = probeNodes.size > 0 || [...decisions.values()].some((d) => d.denied.size > 0);
  return { document: changed ? rewrite(document, decisions, probeNodes) : document, denied, masked, read: [...read], probes: [...probes.values()] };
}

/**
 * The document to execute: a field denied for every type it was planned for is cut; one denied for some of
 * the types a union/interface position may hold is kept inside `... on T` for the others only (so no resolver
 * runs for a denied type); the type probe is added under abstract fields that need run-time checks; an
 * emptied selection keeps `__typename`.
 */
function rewrite(document: DocumentNode, decisions: Map<FieldNode, Decision>, probeNodes: Set<FieldNode>): DocumentNode {
  const field = (f: FieldNode): FieldNode => {
    if (!f.selectionSet) return f;
    const inner = selectionSet(f.selectionSet);
    return { ...f, selectionSet: probeNodes.has(f) ? { ...inner, selections: [...inner.selections, PROBE_FIELD] } : inner };
  };
  const selectionSet = (set: SelectionSetNode): SelectionSetNode => {
    const out: SelectionNode[] = [];
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const d = decisions.get(sel);
        if (!d || d.denied.size === 0) {
          out.push(field(sel));
          continue;
        }
        const allowed = [...d.possible].filter((t) => !d.denied.has(t));
        if (allowed.length === 0) continue;
        const kept = field(sel);
        for (const t of allowed)
          out.push({
            kind: Kind.INLINE_FRAGMENT,
            typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: t } },
            selectionSet: { kind: Kind.SELECTION_SET, selections: [kept] },
          });
      } else if (sel.kind === Kind.INLINE_FRAGMENT) out.push({ ...sel, selectionSet: selectionSet(sel.selectionSet) });
      else out.push(sel);
    }
    return out.length === 0 ? EMPTY_SELECTION : { ...set, selections: out };
  };
  const definitions = document.definitions.map((def): DefinitionNode => {
    if (def.kind === Kind.OPERATION_DEFINITION || def.kind === Kind.FRAGMENT_DEFINITION) return { ...def, selectionSet: selectionSet(def.selectionSet) };
    return def;
  });
  return { ...document, definitions };
}

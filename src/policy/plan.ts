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
  isObjectType,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import type { Audience } from "./audiences.js";
import type { MaskKind } from "./masks.js";
import { POLICY, type Access, type PolicyRules } from "./rules.js";

/** A response path with list positions left out: ["households", "edges", "node", "members", "idNumber"]. */
export type PathTemplate = string[];

export interface OperationPlan {
  /** the document to execute: the original when nothing is denied */
  document: DocumentNode;
  denied: { template: PathTemplate; coordinate: string }[];
  masked: { template: PathTemplate; kind: MaskKind; coordinate: string }[];
  /** every coordinate read as it is (neither denied nor masked), once each: the audit log's "read" */
  read: string[];
}

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
  const cut = new Set<FieldNode>();
  const denied: OperationPlan["denied"] = [];
  const masked: OperationPlan["masked"] = [];
  const read = new Set<string>();

  const walk = (selectionSet: SelectionSetNode, parent: GraphQLObjectType, path: string[], seen: Set<string>) => {
    for (const sel of selectionSet.selections) {
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const frag = fragments.get(sel.name.value);
        if (!frag || seen.has(frag.name.value)) continue; // validation already rejects unknown / cyclic fragments
        walk(frag.selectionSet, typeOf(schema, frag.typeCondition.name.value, parent), path, new Set([...seen, frag.name.value]));
        continue;
      }
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet, sel.typeCondition ? typeOf(schema, sel.typeCondition.name.value, parent) : parent, path, seen);
        continue;
      }
      const name = sel.name.value;
      if (name.startsWith("__")) continue; // __typename; introspection is governed by server configuration
      const responsePath = [...path, sel.alias?.value ?? name];
      const access = accessFor(rules, parent.name, name, audience);
      if (access === undefined) {
        cut.add(sel);
        denied.push({ template: responsePath, coordinate: `${parent.name}.${name}` });
        continue;
      }
      if (typeof access === "object") masked.push({ template: responsePath, kind: access.mask, coordinate: `${parent.name}.${name}` });
      else read.add(`${parent.name}.${name}`);
      const field = parent.getFields()[name];
      const named = field && getNamedType(field.type);
      if (sel.selectionSet && named && isObjectType(named)) walk(sel.selectionSet, named, responsePath, seen);
    }
  };
  walk(operation.selectionSet, root, [], new Set());

  if (operation.operation !== "query" && denied.length > 0)
    throw forbidden(`Your audience may not call ${denied.map((d) => d.coordinate).join(", ")}`, "MUTATION_NOT_ALLOWED");

  const executed =
    cut.size === 0
      ? document
      : visit(document, {
          Field: { enter: (node) => (cut.has(node) ? null : undefined) },
          SelectionSet: { leave: (node) => (node.selections.length === 0 ? EMPTY_SELECTION : undefined) },
        });
  return { document: executed, denied, masked, read: [...read] };
}

function typeOf(schema: GraphQLSchema, name: string, fallback: GraphQLObjectType): GraphQLObjectType {
  const t = schema.getType(name);
  return t && isObjectType(t) ? t : fallback;
}

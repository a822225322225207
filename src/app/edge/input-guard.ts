/**
 * The edge's generic input guard: one Apollo plugin, first in the list, that refuses before anything
 * runs (no SQL, no department call, no planning over the operation):
 *
 *   - a document whose operation cannot be resolved (several operations and no operationName, or an
 *     operationName the document does not hold): HTTP 400 OPERATION_RESOLUTION_FAILURE;
 *   - a subscription over HTTP: HTTP 400 SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP;
 *   - variables nested deeper than MAX_INPUT_DEPTH: HTTP 400 BAD_USER_INPUT, reason TOO_DEEP;
 *   - a NUL (U+0000) or a lone UTF-16 surrogate in any string — variables (values and object keys) at any
 *     depth, literal arguments, directive arguments and variable defaults — HTTP 400 BAD_USER_INPUT,
 *     reason INVALID_CHARACTER, `field` naming the path ("$filter.street" for a variable,
 *     "filter.street" for a literal argument of the field the message names). PostgreSQL cannot store
 *     U+0000 in text (error 22021) and a lone surrogate becomes U+FFFD on its way to UTF-8: neither is
 *     data a client can mean.
 *
 * Every walk is iterative (an explicit stack): a client decides how deep its variables nest.
 * The audit plugin records each of these as REFUSED (src/audit/plugin.ts).
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, Kind, type DocumentNode, type ValueNode } from "graphql";
import { badInput, ErrorCode, type InputProblem } from "../../errors.js";

/**
 * The deepest nesting of arrays and objects accepted in one variable (`{"a":{"a":"x"}}` nests 2). The
 * schema's deepest input (a household's facts with members and their facts) nests 4; 32 leaves room.
 */
export const MAX_INPUT_DEPTH = 32;

/** U+0000, or a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const BAD_CHARACTER = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function badCharacterIn(s: string): "NUL" | "LONE_SURROGATE" | null {
  const m = BAD_CHARACTER.exec(s);
  if (!m) return null;
  return m[0] === "\u0000" ? "NUL" : "LONE_SURROGATE";
}

const named = (kind: "NUL" | "LONE_SURROGATE") => (kind === "NUL" ? "a NUL character (U+0000)" : "a lone UTF-16 surrogate (not a Unicode character)");

/** A path segment as clients write it: a name, or a list index. Keys holding bad characters are not echoed. */
const segment = (key: string | number) => (typeof key === "number" ? String(key) : badCharacterIn(key) ? "?" : key);

/** The first problem in the request's variables (iterative, depth-bounded), or null. */
export function variablesProblem(variables: Record<string, unknown> | undefined): InputProblem | null {
  if (!variables || typeof variables !== "object") return null;
  const stack: [unknown, string, number][] = [];
  for (const [name, v] of Object.entries(variables).reverse()) {
    const bad = badCharacterIn(name);
    if (bad) return { field: "$?", reason: "INVALID_CHARACTER", message: `A variable name contains ${named(bad)}` };
    stack.push([v, `$${name}`, 1]);
  }
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === "string") {
      const bad = badCharacterIn(v);
      if (bad) return { field: path, reason: "INVALID_CHARACTER", message: `The variable ${path} contains ${named(bad)}, which is not accepted` };
      continue;
    }
    if (v === null || typeof v !== "object") continue;
    if (depth > MAX_INPUT_DEPTH)
      return { field: path, reason: "TOO_DEEP", message: `The variable ${path.split(".")[0]} nests deeper than ${MAX_INPUT_DEPTH} levels` };
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, x] = entries[i];
      if (typeof key === "string") {
        const bad = badCharacterIn(key);
        if (bad) return { field: `${path}.?`, reason: "INVALID_CHARACTER", message: `An input field name in ${path} contains ${named(bad)}` };
      }
      stack.push([x, `${path}.${segment(key)}`, depth + 1]);
    }
  }
  return null;
}

/** The first bad string literal among the document's arguments and variable defaults (iterative), or null. */
export function literalsProblem(document: DocumentNode): InputProblem | null {
  // [value, argument path, what it is (for the message)]
  const values: [ValueNode, string, (path: string) => string][] = [];
  const nodes: unknown[] = [...document.definitions];
  while (nodes.length) {
    const node = nodes.pop() as { kind: Kind } & Record<string, any>;
    switch (node.kind) {
      case Kind.OPERATION_DEFINITION:
        for (const d of node.variableDefinitions ?? []) if (d.defaultValue) values.push([d.defaultValue, `$${d.variable.name.value}`, (p) => `The default value ${p}`]);
        nodes.push(...(node.directives ?? []), node.selectionSet);
        break;
      case Kind.FRAGMENT_DEFINITION:
      case Kind.INLINE_FRAGMENT:
        nodes.push(...(node.directives ?? []), node.selectionSet);
        break;
      case Kind.SELECTION_SET:
        nodes.push(...node.selections);
        break;
      case Kind.FIELD:
        for (const a of node.arguments ?? []) values.push([a.value, a.name.value, (p: string) => `The argument ${p} of ${node.name.value}`]);
        nodes.push(...(node.directives ?? []));
        if (node.selectionSet) nodes.push(node.selectionSet);
        break;
      case Kind.FRAGMENT_SPREAD:
        nodes.push(...(node.directives ?? []));
        break;
      case Kind.DIRECTIVE:
        for (const a of node.arguments ?? []) values.push([a.value, a.name.value, (p: string) => `The argument ${p} of @${node.name.value}`]);
        break;
      default:
        break;
    }
  }
  while (values.length) {
    const [value, path, where] = values.pop()!;
    switch (value.kind) {
      case Kind.STRING: {
        const bad = badCharacterIn(value.value);
        if (bad) return { field: path, reason: "INVALID_CHARACTER", message: `${where(path)} contains ${named(bad)}, which is not accepted` };
        break;
      }
      case Kind.LIST:
        value.values.forEach((v, i) => values.push([v, `${path}.${i}`, where]));
        break;
      case Kind.OBJECT:
        for (const f of value.fields) values.push([f.value, `${path}.${f.name.value}`, where]);
        break;
      default:
        break;
    }
  }
  return null;
}

const refusal = (message: string, code: string) => new GraphQLError(message, { extensions: { code, http: { status: 400 } } });

export function inputGuardPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        // Throws synchronously (no await before): Apollo runs didResolveOperation of every plugin at once
        // and answers with the first rejection, and this plugin is first in the list.
        async didResolveOperation(rc) {
          if (!rc.operation) {
            const name = rc.request.operationName;
            throw refusal(
              typeof name === "string" && name !== ""
                ? "The document holds no operation of the given operationName"
                : "The document holds several operations: name the one to run in operationName",
              ErrorCode.OPERATION_RESOLUTION_FAILURE,
            );
          }
          if (rc.operation.operation === "subscription")
            throw refusal("Subscriptions are not served over HTTP", ErrorCode.SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP);
          const problem = variablesProblem(rc.request.variables) ?? literalsProblem(rc.document);
          if (problem) throw badInput([problem], { status: 400 });
        },
      };
    },
  };
}

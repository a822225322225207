/**
 * The document limits (graphql-armor and graphql-js's token limit), and what a client is told when one is
 * hit: HTTP 400, code GRAPHQL_VALIDATION_FAILED and a stable `reason` naming the limit — never its value,
 * never a location.
 *
 *   DEPTH_LIMIT      fields nested deeper than GRAPHQL_MAX_DEPTH (fragments counted flat)
 *   ALIAS_LIMIT      more than GRAPHQL_MAX_ALIASES aliases
 *   DIRECTIVE_LIMIT  more than GRAPHQL_MAX_DIRECTIVES directives
 *   TOKEN_LIMIT      more than GRAPHQL_MAX_TOKENS lexical tokens (graphql-js stops parsing there)
 *   COST_LIMIT       an estimated cost over GRAPHQL_MAX_COST: graphql-armor's cost (objects 2, scalars 1,
 *                    ×1.5 per level, a list field × its page size `first`/`last`), where the page size is
 *                    the literal, the variable's value or the argument's default alike
 *
 * Depth, aliases and directives are validation rules; the cost is computed once the operation and its
 * variables are known (an Apollo plugin, before any resolver runs), so `first: $n` costs what `first: 100`
 * does.
 */
import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import {
  GraphQLError,
  Kind,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from "graphql";
import { ErrorCode } from "../errors.js";

export const LIMIT_MESSAGES = {
  DEPTH_LIMIT: "The operation nests fields deeper than the gateway accepts",
  ALIAS_LIMIT: "The operation uses more aliases than the gateway accepts",
  DIRECTIVE_LIMIT: "The operation uses more directives than the gateway accepts",
  TOKEN_LIMIT: "The operation is longer than the gateway accepts (too many tokens)",
  COST_LIMIT: "The operation asks for more than the gateway serves in one request (cost limit): ask for smaller pages or fewer fields",
} as const;

export type LimitReason = keyof typeof LIMIT_MESSAGES;

export interface DocumentLimits {
  GRAPHQL_MAX_DEPTH: number;
  GRAPHQL_MAX_ALIASES: number;
  GRAPHQL_MAX_DIRECTIVES: number;
  GRAPHQL_MAX_COST: number;
}

/** graphql-js's own token-limit message ("more that" in graphql 16) */
const TOKEN_LIMIT = /^Syntax Error: Document contains more th(?:at|an) \d+ tokens/;
/** armor prefixes every message with "Syntax Error: " */
const ARMOR_PREFIX = "Syntax Error: ";

/** The limit a formatted parse/validation error reports, or null for any other error. */
export function limitReasonOf(code: string | undefined, message: string): LimitReason | null {
  if (code === ErrorCode.GRAPHQL_PARSE_FAILED && TOKEN_LIMIT.test(message)) return "TOKEN_LIMIT";
  if (code !== ErrorCode.GRAPHQL_VALIDATION_FAILED || !message.startsWith(ARMOR_PREFIX)) return null;
  const text = message.slice(ARMOR_PREFIX.length);
  for (const [reason, m] of Object.entries(LIMIT_MESSAGES)) if (m === text) return reason as LimitReason;
  return null;
}

/** What the client gets for a limit (formatError; the cost plugin). */
export function limitError(reason: LimitReason) {
  return { message: LIMIT_MESSAGES[reason], extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED, reason } };
}

const off = { enabled: false } as const;

/** The validation rules for depth, aliases and directives, and armor's blocking of field suggestions. */
export function validationLimits(limits: DocumentLimits) {
  return new ApolloArmor({
    maxDepth: { n: limits.GRAPHQL_MAX_DEPTH, exposeLimits: false, flattenFragments: true, errorMessage: LIMIT_MESSAGES.DEPTH_LIMIT },
    maxAliases: { n: limits.GRAPHQL_MAX_ALIASES, exposeLimits: false, errorMessage: LIMIT_MESSAGES.ALIAS_LIMIT },
    maxDirectives: { n: limits.GRAPHQL_MAX_DIRECTIVES, exposeLimits: false, errorMessage: LIMIT_MESSAGES.DIRECTIVE_LIMIT },
    // The token limit is graphql-js's own (Apollo's parseOptions.maxLexicalTokens): armor's maxTokens
    // plugin throws from a plugin hook, which Apollo Server 5 answers with HTTP 500 and no request id.
    maxTokens: off,
    // computed with the variables' values (costLimitPlugin below)
    costLimit: off,
    blockFieldSuggestion: { enabled: true },
  }).protect();
}

const PAGE_SIZE_ARGUMENTS = new Set(["first", "last"]);

/**
 * The operation (and the fragments it may use) with every page-size argument written as the integer it
 * will have: a variable's value (or the variable's default), or the field's default when the argument is
 * left out. graphql-armor's cost rule reads only integer literals.
 */
export function withPageSizes(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): DocumentNode {
  const defaults = new Map<string, unknown>();
  for (const d of operation.variableDefinitions ?? [])
    if (d.defaultValue?.kind === Kind.INT) defaults.set(d.variable.name.value, Number(d.defaultValue.value));
  const valueOf = (name: string) => (variables && name in variables ? variables[name] : defaults.get(name));
  const int = (n: number) => ({ kind: Kind.INT, value: String(n) }) as const;
  const only: DocumentNode = {
    ...document,
    definitions: document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION),
  };
  const typeInfo = new TypeInfo(schema);
  return visit(
    only,
    visitWithTypeInfo(typeInfo, {
      Field(node: FieldNode) {
        const def = typeInfo.getFieldDef();
        if (!def) return undefined;
        const args: ArgumentNode[] = [];
        let changed = false;
        for (const a of node.arguments ?? []) {
          if (PAGE_SIZE_ARGUMENTS.has(a.name.value) && a.value.kind === Kind.VARIABLE) {
            const v = valueOf(a.value.name.value);
            // only a value that is a GraphQL Int; anything else is refused by variable coercion (BAD_USER_INPUT)
            if (typeof v === "number" && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) {
              args.push({ ...a, value: int(v) });
              changed = true;
              continue;
            }
          }
          args.push(a);
        }
        for (const d of def.args)
          if (PAGE_SIZE_ARGUMENTS.has(d.name) && typeof d.defaultValue === "number" && !args.some((a) => a.name.value === d.name)) {
            args.push({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: d.name }, value: int(d.defaultValue) });
            changed = true;
          }
        return changed ? { ...node, arguments: args } : undefined;
      },
    }),
  );
}

const VERDICTS_PER_OPERATION = 64;

/** The variables an operation (with the fragments of its document) passes as a page size (`first`/`last`). */
function pageSizeVariables(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  const names = new Set<string>();
  const only: DocumentNode = { ...document, definitions: document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION) };
  visit(only, {
    Argument(a: ArgumentNode) {
      if (PAGE_SIZE_ARGUMENTS.has(a.name.value) && a.value.kind === Kind.VARIABLE) names.add(a.value.name.value);
    },
  });
  return [...names].sort();
}

/**
 * The cost limit, once the operation and its variables are known (before any resolver runs). Throws
 * synchronously like the input guard, so it answers before any other plugin does work.
 */
export function costLimitPlugin<T extends object>(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin<T> {
  const rules: ValidationRule[] = new ApolloArmor({
    costLimit: { maxCost, exposeLimits: false, errorMessage: LIMIT_MESSAGES.COST_LIMIT },
    maxDepth: off,
    maxAliases: off,
    maxDirectives: off,
    maxTokens: off,
    blockFieldSuggestion: off,
  }).protect().validationRules as ValidationRule[];
  // The verdict depends on the document, the operation and the values of the variables it uses as page sizes —
  // nothing else — so it is remembered per parsed document (Apollo hands the same DocumentNode for the same
  // query text) and per those values: a client repeating an operation costs one map lookup, not a visit and a
  // validation of the whole document.
  const verdicts = new WeakMap<DocumentNode, Map<OperationDefinitionNode, { variables: string[]; over: Map<string, boolean> }>>();
  const costOver = (document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown> | undefined): boolean => {
    let byOperation = verdicts.get(document);
    if (!byOperation) verdicts.set(document, (byOperation = new Map()));
    let entry = byOperation.get(operation);
    if (!entry) byOperation.set(operation, (entry = { variables: pageSizeVariables(document, operation), over: new Map() }));
    const key = JSON.stringify(entry.variables.map((n) => (variables && n in variables ? [variables[n]] : 0)));
    let over = entry.over.get(key);
    if (over === undefined) {
      over = validate(schema, withPageSizes(schema, document, operation, variables), rules).length > 0;
      if (entry.over.size >= VERDICTS_PER_OPERATION) entry.over.delete(entry.over.keys().next().value!);
      entry.over.set(key, over);
    }
    return over;
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (!rc.operation) return; // the input guard refuses it
          if (costOver(rc.document, rc.operation, rc.request.variables)) {
            const { message, extensions } = limitError("COST_LIMIT");
            throw new GraphQLError(message, { extensions: { ...extensions, http: { status: 400 } } });
          }
        },
      };
    },
  };
}

/**
 * Applies an operation plan to an execution result: null + FORBIDDEN at every denied path, masks at
 * every masked path. One walk per template over the parts of the result it touches. Under a union or
 * interface field a template applies only to objects of the type it was planned for (the planner's type
 * probe tells them apart; removed here once the plan is applied).
 */
import type { GraphQLFormattedError } from "graphql";
import { applyMask } from "./masks.js";
import { TYPE_PROBE, type OperationPlan, type PathOwners, type PathTemplate } from "./plan.js";
import { ErrorCode, type ForbiddenReason } from "../errors.js";

type Json = unknown;

/** Calls fn(parentObject, key, concretePath) for every object the template reaches in the data. */
function reach(
  data: Json,
  template: PathTemplate,
  owners: PathOwners | undefined,
  fn: (obj: Record<string, Json>, key: string, path: (string | number)[]) => void,
) {
  const step = (node: Json, depth: number, path: (string | number)[]) => {
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => step(item, depth, [...path, i]));
      return;
    }
    if (typeof node !== "object") return;
    const obj = node as Record<string, Json>;
    const owner = owners?.[depth];
    if (owner && obj[TYPE_PROBE] !== owner) return; // an object of another type at this position
    const key = template[depth];
    if (depth === template.length - 1) {
      fn(obj, key, [...path, key]);
      return;
    }
    step(obj[key], depth + 1, [...path, key]);
  };
  step(data, 0, []);
}

export interface ApplyOptions {
  pseudonymize?: (value: string, coordinate: string) => string;
}

export function applyPlan(
  plan: OperationPlan,
  data: Record<string, Json> | null | undefined,
  options: ApplyOptions = {},
): GraphQLFormattedError[] {
  const errors: GraphQLFormattedError[] = [];
  if (!data) return errors;
  for (const { template, coordinate, owners } of plan.denied) {
    reach(data, template, owners, (obj, key, path) => {
      obj[key] = null;
      errors.push({
        message: `Not authorized to read ${coordinate}`,
        path,
        extensions: { code: ErrorCode.FORBIDDEN, reason: "FIELD_NOT_ALLOWED" satisfies ForbiddenReason },
      });
    });
  }
  for (const { template, kind, coordinate, owners } of plan.masked) {
    reach(data, template, owners, (obj, key, path) => {
      const value = obj[key];
      if (value === null || value === undefined) return;
      if (kind === "pseudonym") {
        obj[key] = options.pseudonymize ? options.pseudonymize(String(value), coordinate) : null;
        return;
      }
      obj[key] = Array.isArray(value) ? value.map((v) => applyMask(kind, v)) : applyMask(kind, value);
    });
  }
  for (const probe of plan.probes) reach(data, [...probe, TYPE_PROBE], undefined, (obj, key) => delete obj[key]);
  return errors;
}

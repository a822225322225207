/**
 * Whether a query asks for a field of the object a resolver returns — through inline fragments and named
 * fragments too — so that a resolver can skip work nobody asked for (a connection's totalCount). Pure.
 */
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";

function asks(set: SelectionSetNode | undefined, field: string, info: GraphQLResolveInfo, seen: Set<string>): boolean {
  if (!set) return false;
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (s.name.value === field) return true;
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      if (asks(s.selectionSet, field, info, seen)) return true;
    } else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      if (asks(info.fragments[s.name.value]?.selectionSet, field, info, seen)) return true;
    }
  }
  return false;
}

/** The resolver's result is asked for `field` (directly, or in a fragment; @skip/@include not evaluated: asked). */
export function selectsField(info: GraphQLResolveInfo, field: string): boolean {
  const seen = new Set<string>();
  return info.fieldNodes.some((node) => asks(node.selectionSet, field, info, seen));
}

/**
 * How needs are named: by id for officials, by the charity's own reference (nd_…, src/policy/pseudonym.ts)
 * for a charity — so two charities cannot link what they know about one need, nor the household behind
 * it. Page cursors carry the same reference.
 */
import type { RequestDeps } from "../request.js";
import { isUuid } from "../households/cursor.js";

type Deps = Pick<RequestDeps, "principal" | "pseudonyms">;

const charityOf = (deps: Deps) => (deps.principal.audience === "charity" ? deps.principal.charityId : null);

/** The need id behind what the caller gave, or null when it is not one of the caller's references. */
export function needIdFrom(deps: Deps, given: string): string | null {
  const charity = charityOf(deps);
  if (charity) return deps.pseudonyms.decode(charity, "need", given);
  return isUuid(given) ? given : null;
}

/** What the caller calls a need. */
export function needRefFor(deps: Deps, id: string): string {
  const charity = charityOf(deps);
  return charity ? deps.pseudonyms.encode(charity, "need", id) : id;
}

export function encodeNeedCursor(deps: Deps, id: string): string {
  return Buffer.from(`n:${needRefFor(deps, id)}`, "utf8").toString("base64url");
}

export function decodeNeedCursor(deps: Deps, cursor: string): string | null {
  if (cursor.length > 64) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  return text.startsWith("n:") ? needIdFrom(deps, text.slice(2)) : null;
}

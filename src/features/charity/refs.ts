/**
 * How needs are named: by id for officials, by the charity's own reference (nd_…, src/policy/pseudonym.ts)
 * for a charity — so two charities cannot link what they know about one need, nor the household behind
 * it. Page cursors carry the same reference.
 */
import type { GatewayContext } from "../../graphql/context.js";
import { isUuid } from "../households/cursor.js";

const charityOf = (ctx: GatewayContext) => (ctx.principal.audience === "charity" ? ctx.principal.charityId : null);

/** The need id behind what the caller gave, or null when it is not one of the caller's references. */
export function needIdFrom(ctx: GatewayContext, given: string): string | null {
  const charity = charityOf(ctx);
  if (charity) return ctx.pseudonyms.decode(charity, "need", given);
  return isUuid(given) ? given : null;
}

/** What the caller calls a need. */
export function needRefFor(ctx: GatewayContext, id: string): string {
  const charity = charityOf(ctx);
  return charity ? ctx.pseudonyms.encode(charity, "need", id) : id;
}

export function encodeNeedCursor(ctx: GatewayContext, id: string): string {
  return Buffer.from(`n:${needRefFor(ctx, id)}`, "utf8").toString("base64url");
}

export function decodeNeedCursor(ctx: GatewayContext, cursor: string): string | null {
  if (cursor.length > 64) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  return text.startsWith("n:") ? needIdFrom(ctx, text.slice(2)) : null;
}

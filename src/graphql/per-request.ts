/**
 * Memoisation for one request: a value per (request context, key), computed once and shared by every
 * resolver of that request, dropped with the context. The computed fields use it so eligibility, the aid
 * chain and the alerts of a household share one gathering of facts and one evaluation.
 */
import type { GatewayContext } from "./context.js";

export function perRequestMemo<V>(): (ctx: GatewayContext, key: string, make: () => V) => V {
  const byRequest = new WeakMap<GatewayContext, Map<string, V>>();
  return (ctx, key, make) => {
    let values = byRequest.get(ctx);
    if (!values) byRequest.set(ctx, (values = new Map()));
    let value = values.get(key);
    if (value === undefined) values.set(key, (value = make()));
    return value;
  };
}

import type { FastifyPluginAsync } from "fastify";

/**
 * Marks a plugin as not encapsulated (Fastify's documented `skip-override` symbol, which is what
 * `fastify-plugin` sets): its hooks and decorations apply to the scope that registers it, e.g. the
 * authentication hook to every route of the GraphQL scope.
 */
export function inScope<Options>(plugin: FastifyPluginAsync<NonNullable<Options>>): FastifyPluginAsync<NonNullable<Options>> {
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for("skip-override")] = true;
  return plugin;
}

/**
 * GET /metrics: the Prometheus registry (upstream families, GraphQL operations, errors, authentication
 * failures, rate limits, access-log appends, load shedding, rate-limit store, process; README "Telemetry").
 * With METRICS_TOKEN set it answers only `Authorization: Bearer <token>` (401 UNAUTHENTICATED otherwise, in any
 * environment). In production without METRICS_TOKEN it is not served (403 FORBIDDEN): the families name
 * departments, audiences and error rates, not for the public.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import type { Registry } from "prom-client";

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Whether an Authorization header carries exactly `Bearer <token>` (compared in constant time). */
export function bearerMatches(header: string | string[] | undefined, token: string): boolean {
  if (typeof header !== "string") return false;
  const m = /^Bearer +(\S+) *$/i.exec(header);
  return m !== null && timingSafeEqual(digest(m[1]), digest(token));
}

export const metricsRoute: FastifyPluginAsync<{ registry: Registry; token?: string; production?: boolean }> = async (app, { registry, token, production = false }) => {
  app.get("/metrics", async (req, reply) => {
    const refuse = (status: 401 | 403, code: string, message: string) =>
      reply.code(status).type("application/json").send({ errors: [{ message, extensions: { code, requestId: req.id } }] });
    if (token) {
      if (!bearerMatches(req.headers.authorization, token)) {
        reply.header("www-authenticate", 'Bearer realm="safetynet-gateway metrics"');
        return refuse(401, "UNAUTHENTICATED", "Metrics need the metrics bearer token");
      }
    } else if (production) return refuse(403, "FORBIDDEN", "Metrics are not served in production without METRICS_TOKEN");
    return reply.type(registry.contentType).send(await registry.metrics());
  });
};

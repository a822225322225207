/** GET /metrics: the Prometheus registry (upstream families, load shedding, rate-limit store, process). */
import type { FastifyPluginAsync } from "fastify";
import type { Registry } from "prom-client";

export const metricsRoute: FastifyPluginAsync<{ registry: Registry }> = async (app, { registry }) => {
  app.get("/metrics", async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
};

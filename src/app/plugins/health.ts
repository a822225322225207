/**
 * GET /healthz (the process answers) and GET /readyz (can it serve, and what each dependency is doing:
 * src/app/edge/readiness.ts). Neither needs a token.
 */
import type { FastifyPluginAsync } from "fastify";
import { readinessCheck, readinessHttpStatus, type ReadinessDeps } from "../edge/readiness.js";

export const health: FastifyPluginAsync<ReadinessDeps> = async (app, deps) => {
  const readiness = readinessCheck(deps);
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const report = await readiness();
    return reply.code(readinessHttpStatus(report)).send(report);
  });
};

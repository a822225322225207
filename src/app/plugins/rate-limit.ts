/**
 * How often a caller may ask: RATE_LIMIT_PER_MINUTE per principal (audience and subject), shared through
 * Redis when REDIS_URL is set (this process's memory while Redis does not answer), and the same limit per
 * client address for failed authentications. Register after the authentication plugin: the count is
 * keyed by the principal it verified.
 */
import type { FastifyRequest } from "fastify";
import rateLimit from "@fastify/rate-limit";
import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import { failoverRateLimitStore } from "../edge/rate-limit-store.js";
import { ErrorCode } from "../../errors.js";
import { inScope } from "./in-scope.js";

export interface RateLimitOptions {
  perMinute: number;
  redis?: Redis;
  metrics: Registry;
}

export const rateLimiting = inScope<RateLimitOptions>(async (app, { perMinute, redis, metrics }) => {
  await app.register(rateLimit, {
    hook: "preHandler",
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => (req.principal ? `${req.principal.audience}:${req.principal.subject}` : req.ip),
    ...(redis ? { store: failoverRateLimitStore({ redis, nameSpace: "safetynet-rl:", registry: metrics, log: app.log }) } : {}),
    errorResponseBuilder: (_req, ctx) => ({
      statusCode: 429,
      errors: [{ message: "Too many requests; slow down", extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: Math.ceil(ctx.ttl / 1000) } }],
    }),
  });
  app.failedAuthenticationLimit = app.createRateLimit({ keyGenerator: (req: FastifyRequest) => `auth-failed:${req.ip}` });
});

/**
 * The HTTP server: Fastify with the edge's error shape, security headers and CORS, then one plugin per
 * concern (src/app/plugins/): health and readiness, metrics, the explorer, and the GraphQL scope —
 * load shedding, authentication, rate limit, persisted operations, Apollo Server at /graphql.
 */
import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import helmet from "helmet";
import cors from "@fastify/cors";
import type { Registry } from "prom-client";
import type { Redis } from "ioredis";
import { explorerEnabled, type Config } from "./config.js";
import type { Database } from "../db/database.js";
import { servedSchema } from "../graphql/schema.js";
import type { Connectors, MirrorService } from "../../connectors/kit/index.js";
import type { Verifier } from "../auth/verify.js";
import type { Pseudonymizer } from "../policy/pseudonym.js";
import type { Manifest } from "./edge/persisted-operations.js";
import { addLoadShedding } from "./edge/load-shedding.js";
import { serveSubscriptions } from "./edge/subscriptions.js";
import type { AlertFeed } from "../features/monitoring/raised.js";
import { clientErrorHandler, installHttpErrors } from "./edge/http-errors.js";
import type { AuditWriter } from "../audit/writer.js";
import type { Digester } from "../audit/digest.js";
import { graphqlRoute } from "./apollo.js";
import { authentication } from "./plugins/authentication.js";
import { rateLimiting } from "./plugins/rate-limit.js";
import { persistedOperations } from "./plugins/persisted-operations.js";
import { explorer } from "./plugins/explorer.js";
import { health } from "./plugins/health.js";
import { metricsRoute } from "./plugins/metrics.js";
import { gatewayTelemetry } from "../telemetry/index.js";

export type EdgeConfig = Pick<
  Config,
  | "NODE_ENV"
  | "LOG_LEVEL"
  | "BODY_LIMIT_BYTES"
  | "FIELD_POLICY"
  | "CORS_ORIGINS"
  | "RATE_LIMIT_PER_MINUTE"
  | "GRAPHQL_MAX_DEPTH"
  | "GRAPHQL_MAX_ALIASES"
  | "GRAPHQL_MAX_TOKENS"
  | "GRAPHQL_MAX_DIRECTIVES"
  | "GRAPHQL_MAX_COST"
> &
  Partial<Pick<Config, "GRAPHQL_MAX_IN_FLIGHT" | "SHED_EVENT_LOOP_DELAY_MS" | "SHED_RETRY_AFTER_SECONDS" | "EXPLORER" | "METRICS_TOKEN">>;

export interface ServerDeps {
  config: EdgeConfig;
  db: Database;
  connectors: Connectors;
  verifier: Verifier;
  /** new alerts from the monitoring runs: Subscription.alertRaised over graphql-ws (absent: no subscriptions) */
  alertFeed?: AlertFeed;
  pseudonyms: Pseudonymizer;
  metrics: Registry;
  /** shared rate-limit store (REDIS_URL); in memory when absent */
  redis?: Redis;
  /** persisted-operations manifest; when given, only listed operations run */
  persisted?: Manifest;
  /** Clock for the request's "today" (tests pin it). */
  clock?: () => Date;
  /** the department mirror and its sync (absent: every department read is live) */
  mirror?: MirrorService;
  /** the access log (src/audit); absent only with AUDIT_LOG=off (development/benchmarks; refused in production) */
  audit?: { writer: AuditWriter; digest: Digester };
  /** where log lines go (default: standard output) */
  logStream?: NodeJS.WritableStream;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { config, db, connectors, metrics, redis } = deps;
  const app = Fastify({
    logger: config.LOG_LEVEL === "silent" ? false : { level: config.LOG_LEVEL, ...(deps.logStream && { stream: deps.logStream }) },
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Accept a caller's request id when it is well-formed, so logs correlate across systems.
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    clientErrorHandler, // the HTTP parser's refusals (431 and others) in the GraphQL error shape
    // Fastify's 10 s default per plugin failed a start on a loaded machine (the explorer plugin reads its bundle; CI's
    // PostgreSQL pass runs beside CPU burners): a start that waits is not a start that hangs — 5 min bounds a real hang.
    pluginTimeout: 300_000,
  });
  installHttpErrors(app); // every refusal: { errors: [{ message, extensions: { code, requestId } }] }
  // spans, operation metrics, authentication-failure counts, access-log append timing (src/telemetry)
  const telemetry = gatewayTelemetry(app, { registry: metrics, verifier: deps.verifier, auditWriter: deps.audit?.writer });
  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });
  // Security headers on every answer, refusals included: helmet's middleware built once (@fastify/helmet built it
  // again on every request — its directives parsed each time, ≈ 2.5 % of a mirror-served read's CPU).
  const securityHeaders = helmet({
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], connectSrc: ["'self'"] } },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook("onRequest", (req, reply, done) => securityHeaders(req.raw, reply.raw, (err) => done(err as Error | undefined)));
  const origins = (config.CORS_ORIGINS ?? "").split(",").map((o) => o.trim()).filter(Boolean);
  await app.register(cors, { origin: origins.length ? origins : false, methods: ["GET", "POST"], allowedHeaders: ["authorization", "content-type", "apollo-require-preflight", "x-request-id"] });

  const schema = await servedSchema(); // the client-facing schema as a Federation v2 subgraph (src/graphql/subgraph.ts)
  const withExplorer = explorerEnabled(config);

  // Routes without a token
  await app.register(health, { db, connectors, redis, audit: deps.audit?.writer, mirror: deps.mirror });
  await app.register(metricsRoute, { registry: metrics, token: config.METRICS_TOKEN, production: config.NODE_ENV === "production" });
  if (withExplorer) await app.register(explorer, { endpoint: "/graphql" });

  // /graphql: every request authenticated, counted and (in persisted-operations mode) checked against the manifest
  const graphql = await graphqlRoute(app, schema, deps, { introspection: withExplorer, telemetry });
  await app.register(async (api) => {
    addLoadShedding(api, {
      maxInFlight: config.GRAPHQL_MAX_IN_FLIGHT ?? 0,
      maxEventLoopDelayMs: config.SHED_EVENT_LOOP_DELAY_MS ?? 0,
      retryAfterSeconds: config.SHED_RETRY_AFTER_SECONDS ?? 1,
      registry: metrics,
    });
    // Answers carry personal data: no shared or browser cache may keep them (Apollo's cache-control plugin is off).
    api.addHook("onSend", async (_req, reply, payload) => {
      reply.header("cache-control", "no-store");
      return payload;
    });
    await api.register(authentication, { verifier: telemetry.verifier });
    await api.register(rateLimiting, { perMinute: config.RATE_LIMIT_PER_MINUTE, redis, metrics });
    if (deps.persisted) await api.register(persistedOperations, { manifest: deps.persisted });
    await api.register(graphql);
  });
  // Subscriptions over graphql-ws (WebSocket upgrades of /graphql), authenticated in connection_init
  if (deps.alertFeed) {
    const audit = deps.audit;
    const subscriptions = serveSubscriptions({
      server: app.server,
      schema,
      verifier: telemetry.verifier,
      contextDeps: { prisma: db.prisma, pseudonyms: deps.pseudonyms, sources: () => connectors.loaders(), enforcePolicy: config.FIELD_POLICY !== "off" },
      feed: deps.alertFeed,
      enforcePolicy: config.FIELD_POLICY !== "off",
      audit,
      clock: deps.clock ?? (() => new Date()),
      onError: (err) => app.log.error({ err }, "subscription"),
    });
    app.addHook("onClose", async () => subscriptions.close());
  }
  return app;
}

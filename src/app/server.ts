import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import helmet from "@fastify/helmet";
import cors from "@fastify/cors";
import rateLimit from "@fastify/rate-limit";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import fastifyApollo, { fastifyApolloDrainPlugin } from "@as-integrations/fastify";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import type { Registry } from "prom-client";
import type { Redis } from "ioredis";
import type { Config } from "./config.js";
import type { Database } from "../db/database.js";
import { gatewaySchema } from "../graphql/schema.js";
import { createContext, type GatewayContext } from "../graphql/context.js";
import { errorReportingPlugin, formatError } from "../graphql/format-error.js";
import { authorizationPlugin } from "../graphql/authorization-plugin.js";
import type { Connectors } from "../../connectors/kit/index.js";
import type { Verifier } from "../auth/verify.js";
import { isAuthError, type AuthError } from "../auth/errors.js";
import type { Principal } from "../auth/principal.js";
import type { Pseudonymizer } from "../policy/pseudonym.js";
import { checkPersisted, withoutPersistedQuery, type Manifest } from "./edge/persisted-operations.js";
import { explorerRoutes } from "./edge/explorer.js";
import { readinessCheck, readinessHttpStatus } from "./edge/readiness.js";
import { failoverRateLimitStore } from "./edge/rate-limit-store.js";
import { addLoadShedding } from "./edge/load-shedding.js";
import { authorizationHeaders, clientErrorHandler, installHttpErrors } from "./edge/http-errors.js";
import { inputGuardPlugin } from "./edge/input-guard.js";
import { auditPlugin } from "../audit/plugin.js";
import { trackDisclosures } from "../audit/disclosure.js";
import { RequestAudit } from "../audit/request.js";
import type { AuditWriter } from "../audit/writer.js";
import type { Digester } from "../audit/digest.js";

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
  Partial<Pick<Config, "GRAPHQL_MAX_IN_FLIGHT" | "SHED_EVENT_LOOP_DELAY_MS" | "SHED_RETRY_AFTER_SECONDS">>;

export interface ServerDeps {
  config: EdgeConfig;
  db: Database;
  connectors: Connectors;
  verifier: Verifier;
  pseudonyms: Pseudonymizer;
  metrics: Registry;
  /** shared rate-limit store (REDIS_URL); in memory when absent */
  redis?: Redis;
  /** persisted-operations manifest; when given, only listed operations run */
  persisted?: Manifest;
  /** Clock for the request's "today" (tests pin it). */
  clock?: () => Date;
  /** the access log (src/audit); absent only with AUDIT_LOG=off (development/benchmarks; refused in production) */
  audit?: { writer: AuditWriter; digest: Digester };
}

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

function sendAuthError(reply: FastifyReply, err: AuthError) {
  if (err.httpStatus === 401) reply.header("www-authenticate", err.wwwAuthenticate("safetynet-gateway"));
  return reply
    .code(err.httpStatus)
    .type("application/json")
    .send({ errors: [{ message: err.message, extensions: { code: err.code, reason: err.reason, requestId: reply.request.id } }] });
}

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { config, db, connectors, verifier, pseudonyms, metrics, clock = () => new Date() } = deps;
  const development = config.NODE_ENV !== "production";
  const app = Fastify({
    logger: config.LOG_LEVEL === "silent" ? false : { level: config.LOG_LEVEL },
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Accept a caller's request id when it is well-formed, so logs correlate across systems.
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    clientErrorHandler, // the HTTP parser's refusals (431 and others) in the GraphQL error shape
  });
  installHttpErrors(app); // every refusal: { errors: [{ message, extensions: { code, requestId } }] }
  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });

  await app.register(helmet, {
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], connectSrc: ["'self'"] } },
    crossOriginEmbedderPolicy: false,
  });
  const origins = (config.CORS_ORIGINS ?? "").split(",").map((o) => o.trim()).filter(Boolean);
  await app.register(cors, { origin: origins.length ? origins : false, methods: ["GET", "POST"], allowedHeaders: ["authorization", "content-type", "apollo-require-preflight", "x-request-id"] });

  const schema = await gatewaySchema();
  // Document limits as clients see them (stable; test/edge/hardening.test.ts): depth, aliases, directives,
  // cost and tokens alike answer HTTP 400 with one error { message: "Syntax Error: Query validation error.",
  // extensions: { code: "GRAPHQL_VALIDATION_FAILED" } } — no limit value, no location, no hint which one.
  const armor = new ApolloArmor({
    maxDepth: { n: config.GRAPHQL_MAX_DEPTH, exposeLimits: false, flattenFragments: true },
    maxAliases: { n: config.GRAPHQL_MAX_ALIASES, exposeLimits: false },
    // The token limit is graphql-js's own (parseOptions below): armor's maxTokens plugin throws from a
    // plugin hook, which Apollo Server 5 answers with HTTP 500 and no request id.
    maxTokens: { enabled: false },
    maxDirectives: { n: config.GRAPHQL_MAX_DIRECTIVES, exposeLimits: false },
    costLimit: { maxCost: config.GRAPHQL_MAX_COST, exposeLimits: false },
    blockFieldSuggestion: { enabled: true },
  }).protect();

  const apollo = new ApolloServer<GatewayContext>({
    schema,
    introspection: development,
    hideSchemaDetailsFromClientErrors: true,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    persistedQueries: false,
    // Over the limit: a syntax error before validation; formatError words it like armor's other limits.
    parseOptions: { maxLexicalTokens: config.GRAPHQL_MAX_TOKENS },
    validationRules: armor.validationRules,
    formatError,
    plugins: [
      // first: refuses unresolvable operations, subscriptions, NUL/lone surrogates and over-deep variables before any other plugin
      inputGuardPlugin<GatewayContext>(),
      // graphql-armor and the integrations are typed against Apollo's CommonJS build; same objects at run time
      ...(armor.plugins as unknown as ApolloServerPlugin<GatewayContext>[]),
      fastifyApolloDrainPlugin(app) as unknown as ApolloServerPlugin<GatewayContext>,
      ApolloServerPluginLandingPageDisabled() as unknown as ApolloServerPlugin<GatewayContext>,
      // No HTTP caching of personal data, and no per-field cache-hint hook on every resolver (≈ 9 % of a request's CPU)
      ApolloServerPluginCacheControlDisabled() as unknown as ApolloServerPlugin<GatewayContext>,
      // FIELD_POLICY=off (development/benchmarks; refused in production): no field authorization at all
      ...(config.FIELD_POLICY === "off" ? [] : [authorizationPlugin(schema)]),
      // after authorization (it reads the plan), before error reporting; commits the access record before the response leaves
      ...(deps.audit ? [auditPlugin(schema, deps.audit.writer, app.log)] : []),
      errorReportingPlugin(app.log),
    ],
  });
  await apollo.start();

  app.get("/healthz", async () => ({ status: "ok" }));
  const readiness = readinessCheck({ db, connectors, redis: deps.redis, audit: deps.audit?.writer });
  app.get("/readyz", async (_req, reply) => {
    const report = await readiness();
    return reply.code(readinessHttpStatus(report)).send(report);
  });
  app.get("/metrics", async (_req, reply) => reply.type(metrics.contentType).send(await metrics.metrics()));
  if (development) await app.register(explorerRoutes);

  const enforcePolicy = config.FIELD_POLICY !== "off";
  const audit = deps.audit;
  if (audit) trackDisclosures(schema);
  const contextDeps = {
    prisma: db.prisma,
    pseudonyms,
    sources: () => connectors.loaders(),
    enforcePolicy,
    ...(audit && { audit: (requestId: string, principal: Principal) => new RequestAudit(audit.writer, requestId, principal, audit.digest) }),
  };

  await app.register(async (scope) => {
    // 0. too busy to take more: 503 OVERLOADED at once
    addLoadShedding(scope, {
      maxInFlight: config.GRAPHQL_MAX_IN_FLIGHT ?? 0,
      maxEventLoopDelayMs: config.SHED_EVENT_LOOP_DELAY_MS ?? 0,
      retryAfterSeconds: config.SHED_RETRY_AFTER_SECONDS ?? 1,
      registry: metrics,
    });
    // Answers carry personal data: no shared or browser cache may keep them (Apollo's cache-control plugin is off).
    scope.addHook("onSend", async (_req, reply, payload) => {
      reply.header("cache-control", "no-store");
      return payload;
    });
    // 1. who is asking (a bearer JWT), before anything else is looked at
    // Failed authentications are counted per client address (same limit and store as principals), so
    // a flood of bad tokens is answered 429 without a signature check each; assigned once the plugin is in.
    let checkFailedAuth: ReturnType<FastifyInstance["createRateLimit"]> | null = null;
    scope.addHook("preHandler", async (req, reply) => {
      try {
        req.principal = await verifier.verify(authorizationHeaders(req.raw));
      } catch (err) {
        if (!isAuthError(err)) throw err;
        const limit = checkFailedAuth ? await checkFailedAuth(req) : null;
        if (limit && !limit.isAllowed && limit.isExceeded)
          return reply
            .code(429)
            .header("retry-after", limit.ttlInSeconds)
            .send({ errors: [{ message: "Too many requests; slow down", extensions: { code: "RATE_LIMITED", requestId: req.id } }] });
        return sendAuthError(reply, err);
      }
    });
    // 2. how often they may ask (per principal; shared through Redis when configured)
    await scope.register(rateLimit, {
      hook: "preHandler",
      max: config.RATE_LIMIT_PER_MINUTE,
      timeWindow: 60_000,
      keyGenerator: (req: FastifyRequest) => (req.principal ? `${req.principal.audience}:${req.principal.subject}` : req.ip),
      // Redis when it answers, this process's memory while it does not (src/app/edge/rate-limit-store.ts)
      ...(deps.redis ? { store: failoverRateLimitStore({ redis: deps.redis, nameSpace: "safetynet-rl:", registry: metrics, log: app.log }) } : {}),
      errorResponseBuilder: (_req, ctx) => ({
        statusCode: 429,
        errors: [{ message: "Too many requests; slow down", extensions: { code: "RATE_LIMITED", retryAfterSeconds: Math.ceil(ctx.ttl / 1000) } }],
      }),
    });
    checkFailedAuth = scope.createRateLimit({ keyGenerator: (req: FastifyRequest) => `auth-failed:${req.ip}` });
    // 3. which operations may run at all (persisted-operations mode)
    if (deps.persisted) {
      const manifest = deps.persisted;
      scope.addHook("preHandler", async (req, reply) => {
        const source = (req.method === "GET" ? req.query : req.body) as Record<string, unknown> | undefined;
        if (!source || typeof source !== "object" || Array.isArray(source)) return;
        let extensions = source.extensions;
        if (typeof extensions === "string") {
          try {
            extensions = JSON.parse(extensions);
          } catch {
            extensions = undefined;
          }
        }
        const check = checkPersisted(manifest, source.query, extensions);
        if (!check.ok)
          return reply.code(400).send({ errors: [{ message: check.message, extensions: { code: check.code, requestId: req.id } }] });
        // Apollo runs exactly the manifest's text. The hash was resolved here: Apollo's own APQ is off and
        // refuses any request still carrying extensions.persistedQuery (PERSISTED_QUERY_NOT_SUPPORTED).
        // Apollo reads a GET from the URL, not from req.query, so a GET's URL is rewritten.
        const rest = withoutPersistedQuery(extensions);
        if (req.method === "GET") {
          const url = new URL(req.raw.url ?? "/", "http://gateway.invalid");
          url.searchParams.set("query", check.query);
          if (rest) url.searchParams.set("extensions", JSON.stringify(rest));
          else url.searchParams.delete("extensions");
          req.raw.url = `${url.pathname}${url.search}`;
        } else {
          source.query = check.query;
          if (rest) source.extensions = rest;
          else delete source.extensions;
        }
      });
    }
    await scope.register(fastifyApollo(apollo), {
      path: "/graphql",
      method: ["GET", "POST"],
      context: async (req) => createContext(contextDeps, req.id, req.principal as Principal, clock()),
    });
  });

  return app;
}

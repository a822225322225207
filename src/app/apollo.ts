/**
 * Apollo Server for /graphql: the document limits (src/graphql/limits.ts), the input guard, field
 * authorization, the access log and error reporting, as a Fastify plugin to register inside the
 * authenticated scope.
 */
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import type { GraphQLSchema } from "graphql";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import fastifyApollo, { fastifyApolloDrainPlugin } from "@as-integrations/fastify";
import type { ServerDeps } from "./server.js";
import { createContext, type GatewayContext } from "../graphql/context.js";
import { errorReportingPlugin, formatError } from "../graphql/format-error.js";
import { authorizationPlugin } from "../graphql/authorization-plugin.js";
import { costLimitPlugin, validationLimits } from "../graphql/limits.js";
import { inputGuardPlugin } from "./edge/input-guard.js";
import { auditPlugin } from "../audit/plugin.js";
import { trackDisclosures } from "../audit/disclosure.js";
import { RequestAudit } from "../audit/request.js";
import type { Principal } from "../auth/principal.js";
import { mirroredLoaders, type DepartmentMode, type LoaderOptions } from "../../connectors/kit/index.js";
import type { GatewayTelemetry } from "../telemetry/index.js";
import { withOperationName } from "../telemetry/request.js";

/** Starts Apollo Server and returns the plugin that serves it at /graphql (GET and POST). */
export async function graphqlRoute(
  app: FastifyInstance,
  schema: GraphQLSchema,
  deps: ServerDeps,
  options: { introspection: boolean; telemetry: GatewayTelemetry },
): Promise<FastifyPluginAsync> {
  const { config, db, connectors, pseudonyms, clock = () => new Date() } = deps;
  const limits = validationLimits(config);
  // Apollo's integrations and graphql-armor are typed against Apollo's CommonJS build; same objects at run time
  const common = (p: unknown) => p as ApolloServerPlugin<GatewayContext>;
  const apollo = new ApolloServer<GatewayContext>({
    schema,
    // GraphiQL reads the schema by introspection: on wherever the explorer is (development, or EXPLORER=on)
    introspection: options.introspection,
    hideSchemaDetailsFromClientErrors: true,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    persistedQueries: false,
    // Over the limit: a syntax error before validation; formatError names it TOKEN_LIMIT like armor's other limits.
    parseOptions: { maxLexicalTokens: config.GRAPHQL_MAX_TOKENS },
    validationRules: limits.validationRules,
    formatError,
    plugins: [
      // first: refuses unresolvable operations, subscriptions, NUL/lone surrogates and over-deep variables before any other plugin
      inputGuardPlugin<GatewayContext>(),
      // names the operation for its span, its metrics and its log lines (src/telemetry)
      options.telemetry.plugin,
      // second: the cost, with the variables' page sizes
      costLimitPlugin<GatewayContext>(schema, config.GRAPHQL_MAX_COST),
      ...limits.plugins.map(common),
      common(fastifyApolloDrainPlugin(app)),
      common(ApolloServerPluginLandingPageDisabled()),
      // No HTTP caching of personal data, and no per-field cache-hint hook on every resolver (≈ 9 % of a request's CPU)
      common(ApolloServerPluginCacheControlDisabled()),
      // A subgraph schema turns on Apollo's inline traces (per-field timings in every response a router asks them
      // for): off — a per-field hook on every resolver, and traces are OpenTelemetry's business here
      common(ApolloServerPluginInlineTraceDisabled()),
      // FIELD_POLICY=off (development/benchmarks; refused in production): no field authorization at all
      ...(config.FIELD_POLICY === "off" ? [] : [authorizationPlugin(schema)]),
      // after authorization (it reads the plan), before error reporting; commits the access record before the response leaves
      ...(deps.audit ? [auditPlugin(schema, deps.audit.writer, withOperationName(app.log))] : []),
      errorReportingPlugin(withOperationName(app.log)),
    ],
  });
  await apollo.start();

  const audit = deps.audit;
  if (audit) trackDisclosures(schema);
  const contextDeps = {
    prisma: db.prisma,
    sql: db.sql,
    pseudonyms,
    // the department mirror first while a source is fresh (connectors/kit/mirrored-loaders.ts), else live
    sources: deps.mirror
      ? (mode: DepartmentMode, live: LoaderOptions) => mirroredLoaders(() => connectors.loaders(live), deps.mirror!.mirror, mode, deps.mirror!.clock)
      : (_mode: DepartmentMode, live: LoaderOptions) => connectors.loaders(live),
    ...(deps.mirror && { mirror: deps.mirror }),
    enforcePolicy: config.FIELD_POLICY !== "off",
    ...(audit && { audit: (requestId: string, principal: Principal) => new RequestAudit(audit.writer, requestId, principal, audit.digest) }),
  };
  return async (scope) => {
    await scope.register(fastifyApollo(apollo), {
      path: "/graphql",
      method: ["GET", "POST"],
      context: async (req) => options.telemetry.bindContext(req, createContext(contextDeps, req.id, req.principal as Principal, clock())),
    });
  };
}

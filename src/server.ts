import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import fastifyApollo, { fastifyApolloDrainPlugin } from "@as-integrations/fastify";
import type { Config } from "./config.js";
import type { Database } from "./db/database.js";
import { gatewaySchema } from "./graphql/schema.js";
import { createContext, type GatewayContext } from "./graphql/context.js";
import { errorReportingPlugin, formatError } from "./graphql/format-error.js";

export interface ServerDeps {
  config: Pick<Config, "NODE_ENV" | "LOG_LEVEL" | "BODY_LIMIT_BYTES">;
  db: Database;
  /** Clock for the request's "today" (tests pin it). */
  clock?: () => Date;
}

const UUID_HEADER = /^[A-Za-z0-9._-]{8,64}$/;

export async function buildServer({ config, db, clock = () => new Date() }: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: config.LOG_LEVEL === "silent" ? false : { level: config.LOG_LEVEL },
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Accept a caller's request id when it is well-formed, so logs correlate across systems.
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && UUID_HEADER.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
  });
  app.addHook("onSend", async (req, reply) => {
    reply.header("x-request-id", req.id);
  });

  const development = config.NODE_ENV !== "production";
  const apollo = new ApolloServer<GatewayContext>({
    schema: await gatewaySchema(),
    introspection: development,
    hideSchemaDetailsFromClientErrors: !development,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    formatError,
    plugins: [fastifyApolloDrainPlugin(app), ApolloServerPluginLandingPageDisabled(), errorReportingPlugin(app.log)],
  });
  await apollo.start();

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    try {
      await db.sql.query("SELECT 1");
      return { status: "ready", database: db.target.kind };
    } catch {
      return reply.code(503).send({ status: "unavailable", database: db.target.kind });
    }
  });

  await app.register(fastifyApollo(apollo), {
    path: "/graphql",
    method: ["GET", "POST"],
    context: async (req) => createContext(db.prisma, req.id, clock()),
  });

  return app;
}

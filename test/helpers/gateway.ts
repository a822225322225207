import type { FastifyInstance } from "fastify";
import { buildServer } from "../../src/server.js";
import type { Database } from "../../src/db/database.js";
import { openTestDatabase } from "./database.js";

export interface GqlResult<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  headers: Headers;
}

export interface TestGateway {
  url: string;
  db: Database;
  app: FastifyInstance;
  gql<T = any>(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

/** A real gateway on an ephemeral loopback port over a fresh database; requests go over real HTTP. */
export async function startGateway(opts: { seed?: (db: Database) => Promise<void>; now?: Date } = {}): Promise<TestGateway> {
  const db = await openTestDatabase();
  if (opts.seed) await opts.seed(db);
  const app = await buildServer({
    config: { NODE_ENV: "test", LOG_LEVEL: "silent", BODY_LIMIT_BYTES: 1024 * 1024 },
    db,
    clock: opts.now ? () => opts.now as Date : undefined,
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    db,
    app,
    async gql(query, variables, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as any;
      return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
    },
    async close() {
      await app.close();
      await db.close();
    },
  };
}

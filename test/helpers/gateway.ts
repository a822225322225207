import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import type { EdgeConfig } from "../../src/app/server.js";
import type { Database } from "../../src/db/database.js";
import { openTestDatabase } from "./database.js";
import { loadConfig } from "../../src/app/config.js";
import { startGateway as startProductionGateway } from "../../src/app/gateway.js";
import { loadOrCreateDevKeys, type DevKeys, type MintOptions } from "../../dev/keys/dev-keys.js";
import { authConfigFromEnv } from "../../src/auth/config.js";
import type { Pseudonymizer } from "../../src/policy/pseudonym.js";
import type { Connectors, MirrorService } from "../../connectors/kit/index.js";
import type { GatewayDeps } from "../../src/app/gateway.js";
import { startSandboxes, type RunningSandboxes, type StartSandboxesOptions } from "../../dev/sandboxes/index.js";
import type { Manifest } from "../../src/app/edge/persisted-operations.js";
import type { SourceName } from "../../src/domain/records.js";
import type { Verifier } from "../../src/auth/verify.js";
import type { Redis } from "ioredis";
import type { AuditKeys } from "../../src/audit/keys.js";
import type { AuditWriter } from "../../src/audit/writer.js";

export interface GqlResult<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  headers: Headers;
  body: any;
}

export interface TestGateway {
  url: string;
  db: Database;
  app: FastifyInstance;
  metrics: Registry;
  connectors: Connectors;
  sandboxes: RunningSandboxes | null;
  pseudonyms: Pseudonymizer;
  /** the department mirror (never synced unless the test runs gw.mirror.run; read while fresh) */
  mirror: MirrorService;
  /** the access log (on unless the test turns it off with `audit: false`) */
  audit: { writer: AuditWriter; keys: AuditKeys } | null;
  /** a token minted with the test's own development key pair */
  token(options: MintOptions): Promise<string>;
  /** POST /graphql; `as` is a token or mint options (default: civil affairs, whole city) */
  gql<T = any>(query: string, variables?: Record<string, unknown>, as?: string | MintOptions | null, headers?: Record<string, string>): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

export interface StartOptions {
  seed?: (db: Database) => Promise<void>;
  now?: Date;
  /** start the department sandboxes (over `households`, or a generated population) */
  sandboxes?: Omit<StartSandboxesOptions, "host" | "ports">;
  /** per-source connector overrides (timeouts, breaker, ...) */
  connectors?: Partial<Record<SourceName, Record<string, unknown>>>;
  edge?: Partial<EdgeConfig>;
  persisted?: Manifest;
  /** verify tokens with this instead of the test's development key pair (gw.token() then mints tokens it rejects) */
  verifier?: Verifier;
  /** share rate-limit counts through this Redis client (as REDIS_URL does) */
  redis?: Redis;
  /** department mirror settings (the schedule is off under NODE_ENV=test: the test runs syncs with gw.mirror.run) */
  mirror?: GatewayDeps["mirror"];
  /** the access log: on (AUDIT_LOG=on, as in production) unless false */
  audit?: boolean;
  /**
   * The process's own schedules, as `npm start` runs them (default: neither — a test syncs with gw.mirror.run and
   * runs monitoring through test/monitoring/helpers.ts): the mirror's sync schedule and monitoring runs in-process.
   */
  schedules?: { mirrorSync: boolean; monitorInterval: number };
  /** the server's log lines (with `edge: { LOG_LEVEL }` other than silent) */
  logStream?: NodeJS.WritableStream;
}

export const TEST_EDGE: EdgeConfig = {
  NODE_ENV: "test",
  LOG_LEVEL: "silent",
  BODY_LIMIT_BYTES: 1024 * 1024,
  FIELD_POLICY: "enforce",
  CORS_ORIGINS: undefined,
  RATE_LIMIT_PER_MINUTE: 100_000,
  GRAPHQL_MAX_DEPTH: 8,
  GRAPHQL_MAX_ALIASES: 15,
  GRAPHQL_MAX_TOKENS: 1000,
  GRAPHQL_MAX_DIRECTIVES: 20,
  GRAPHQL_MAX_COST: 200_000, // the production default (src/app/config.ts)
};

/**
 * The test gateway's connector settings unless a test gives its own (`connectors`): an upstream call that
 * should succeed must never miss its deadline because the machine is loaded (CI runs the suite beside other
 * work; test/stress runs it beside CPU burners), so the deadline is 30 s rather than the production 2 s, and
 * an opened breaker stays open for the rest of a file rather than going half-open after 10 s. A test about a
 * deadline sets its own `timeoutMs` and makes the upstream hang (a sandbox `hang` fault), so that its deadline
 * fires on any machine; a test about the breaker sets its own `breaker`. The breaker's threshold keeps the
 * production default: with this deadline only a real fault (down, hang, errors) opens it.
 */
export const TEST_CONNECTOR_DEFAULTS = { timeoutMs: 30_000, breaker: { halfOpenAfterMs: 600_000 } } as const;

/** Configuration variables from a test's settings: only defined values, as strings (as the environment holds them). */
const asEnv = (o: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));

/**
 * The production assembly (src/app/gateway.ts startGateway, as `npm start` runs it) on an ephemeral loopback port,
 * configured as an operator would — environment variables through loadConfig: a temporary DATA_DIR (development
 * keys, pseudonym secret, audit key, the audit head witness), the department systems' URLs (the sandboxes on free
 * ports, or a closed port), the access log ON — over a fresh database of the test file's own (in-memory PGlite, or
 * a schema of its own on DATABASE_URL's server), seeded before the gateway starts. Real JWTs (the key pair the
 * gateway made in DATA_DIR/keys), real connectors, real sandboxes over HTTP when asked. What no variable can say
 * is given as the assembly's explicit dependencies: the database, a fixed clock, another verifier, a Redis
 * client, per-department connector settings.
 */
export async function startGateway(opts: StartOptions = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "gw-data-"));
  const db = await openTestDatabase();
  let sandboxes: RunningSandboxes | null = null;
  let gateway: Awaited<ReturnType<typeof startProductionGateway>> | null = null;
  let devMint: DevKeys["mint"];
  try {
    if (opts.seed) await opts.seed(db);
    sandboxes = opts.sandboxes ? await startSandboxes({ ...opts.sandboxes, host: "127.0.0.1" }) : null;
    const nowhere = "http://127.0.0.1:9"; // discard port: nothing listens, a call fails at once
    const edge = { ...TEST_EDGE, ...opts.edge };
    const production = edge.NODE_ENV === "production";
    const keysDir = path.join(dataDir, "keys");
    // the test's key pair, made where the gateway looks for development keys (DATA_DIR/keys); in production the
    // gateway is given its public key set as a file, as an operator would give the identity provider's
    const devAuth = authConfigFromEnv({ NODE_ENV: "test", DATA_DIR: dataDir });
    if (!devAuth.ok) throw new Error(devAuth.problems.join("; "));
    const dev = await loadOrCreateDevKeys(keysDir, devAuth.config);
    devMint = dev.mint;
    const env: Record<string, string> = {
      ...asEnv(edge),
      DATA_DIR: dataDir,
      HOST: "127.0.0.1",
      PORT: "0",
      SEED_ON_START: "false",
      // monitoring runs are the monitoring tests' own (test/monitoring): a test gateway starts none
      MONITOR_INTERVAL: String(opts.schedules?.monitorInterval ?? 0),
      // the mirror's schedule is off (whatever NODE_ENV a test asks for): a test syncs with gw.mirror.run
      MIRROR_SYNC: String(opts.schedules?.mirrorSync ?? false),
      MIGRATE_ON_START: "true",
      AUDIT_LOG: opts.audit === false ? "off" : "on",
      DEPARTMENT_SANDBOXES: "false",
      EDUCATION_URL: sandboxes?.urls.education ?? nowhere,
      EMPLOYMENT_URL: sandboxes?.urls.employment ?? nowhere,
      HOUSING_URL: sandboxes?.urls.housing ?? nowhere,
      MEDICAL_INSURANCE_URL: sandboxes?.urls.medicalInsurance ?? nowhere,
      MEDICAL_INSURANCE_CLIENT_ID: sandboxes?.medicalCredentials.clientId ?? "x",
      MEDICAL_INSURANCE_CLIENT_SECRET: sandboxes?.medicalCredentials.clientSecret ?? "x",
      DISABILITY_URL: sandboxes?.urls.disability ?? nowhere,
      UPSTREAM_TIMEOUT_MS: String(TEST_CONNECTOR_DEFAULTS.timeoutMs),
      BREAKER_HALF_OPEN_MS: String(TEST_CONNECTOR_DEFAULTS.breaker.halfOpenAfterMs),
      ...(production && {
        PSEUDONYM_SECRET: randomBytes(32).toString("hex"),
        AUDIT_SIGNING_KEY: randomBytes(32).toString("hex"),
        JWT_JWKS_FILE: dev.jwksPath,
        JWT_ISSUER: devAuth.config.issuer,
        JWT_AUDIENCE: devAuth.config.audience,
      }),
    };
    if (opts.persisted) {
      const file = path.join(dataDir, "persisted-operations.json");
      const operations = [...opts.persisted].map(([id, body]) => ({ id, body }));
      writeFileSync(file, JSON.stringify({ format: "apollo-persisted-query-manifest", version: 1, operations }));
      Object.assign(env, { PERSISTED_OPERATIONS: "enforce", PERSISTED_OPERATIONS_MANIFEST: file });
    }
    gateway = await startProductionGateway(loadConfig(env), () => {}, {
      db,
      clock: opts.now ? () => opts.now as Date : undefined,
      verifier: opts.verifier,
      redis: opts.redis,
      connectors: opts.connectors,
      logStream: opts.logStream,
      mirror: { pageSize: 100, ...opts.mirror },
    });
  } catch (err) {
    if (!gateway) await db.close().catch(() => {});
    await sandboxes?.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  const running = gateway;
  const { app, connectors, metrics, pseudonyms, audit, mirror } = running;
  // Idle keep-alive connections: the test's client (fetch) closes one after 4 s; the server here never does. With
  // both closing them (Fastify's default is 72 s, announced to the client), a request the client sends on a
  // connection the server is just closing fails as "fetch failed" — a race a loaded machine's timer lag makes
  // real. The server still closes them when the gateway closes.
  app.server.keepAliveTimeout = 0;
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  const tokens = new Map<string, Promise<string>>();
  const token = (m: MintOptions) => {
    const key = JSON.stringify(m);
    if (!tokens.has(key)) tokens.set(key, devMint({ ttl: "1h", ...m }));
    return tokens.get(key)!;
  };
  return {
    url,
    db,
    app,
    metrics,
    connectors,
    sandboxes,
    pseudonyms,
    audit,
    mirror,
    token,
    async gql(query, variables, as = { audience: "civil_affairs", city: "500000" }, headers = {}) {
      const bearer = as === null ? null : typeof as === "string" ? as : await token(as);
      const res = await fetch(`${url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...headers },
        body: JSON.stringify({ query, variables }),
      }).catch((e: Error & { cause?: { code?: string; message?: string } }) => {
        // fetch's own message is only "fetch failed": say why
        throw new Error(`POST ${url}/graphql: ${e.message} (${e.cause?.code ?? e.cause?.message ?? "no cause"})`, { cause: e });
      });
      const text = await res.text();
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        body = { raw: text };
      }
      return { status: res.status, data: body.data, errors: body.errors, headers: res.headers, body };
    },
    async close() {
      await running.close(); // the server, the access log's writer, connectors and the database
      await sandboxes?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

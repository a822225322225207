import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { buildServer, type EdgeConfig } from "../../src/app/server.js";
import type { Database } from "../../src/db/database.js";
import { openTestDatabase } from "./database.js";
import { authConfigFromEnv } from "../../src/auth/config.js";
import { setupAuthentication } from "../../src/auth/index.js";
import type { MintOptions } from "../../dev/keys/dev-keys.js";
import { Pseudonymizer } from "../../src/policy/pseudonym.js";
import { MirrorService, createConnectors, createMetricsRegistry, type Connectors, type ConnectorsConfig, type MirrorSettings } from "../../connectors/kit/index.js";
import { SOURCES } from "../../src/domain/records.js";
import { startSandboxes, type RunningSandboxes, type StartSandboxesOptions } from "../../dev/sandboxes/index.js";
import type { Manifest } from "../../src/app/edge/persisted-operations.js";
import type { SourceName } from "../../src/domain/records.js";
import type { Verifier } from "../../src/auth/verify.js";
import type { Redis } from "ioredis";
import { auditKeysFromSeed, type AuditKeys } from "../../src/audit/keys.js";
import { AuditWriter, type AuditWriterOptions } from "../../src/audit/writer.js";
import { hmacDigester } from "../../src/audit/digest.js";
import { AlertFeed } from "../../src/features/monitoring/raised.js";

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
  /** the department mirror, when started with `mirror` */
  mirror: MirrorService | null;
  /** the access log, when started with `audit` */
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
  /** keep the department mirror (no schedule: the test runs syncs with gw.mirror.run), reads from it while fresh */
  mirror?: Partial<Omit<MirrorSettings, "maxAgeMs">> & { maxAgeMs?: Partial<Record<SourceName, number>> };
  /** record every operation in the access log (as AUDIT_LOG=on does), with a fresh audit key */
  audit?: boolean | Omit<AuditWriterOptions, "keys">;
  /** serve Subscription.alertRaised over graphql-ws from the monitoring runs' notifications */
  alertFeed?: boolean;
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

/**
 * A real gateway on an ephemeral loopback port over a fresh database, with real JWTs (a key pair made
 * for the test), real connectors and — when asked — the real department sandboxes over HTTP.
 */
export async function startGateway(opts: StartOptions = {}): Promise<TestGateway> {
  const keysDir = mkdtempSync(path.join(os.tmpdir(), "gw-keys-"));
  const db = await openTestDatabase();
  if (opts.seed) await opts.seed(db);
  const sandboxes = opts.sandboxes ? await startSandboxes({ ...opts.sandboxes, host: "127.0.0.1" }) : null;
  const nowhere = "http://127.0.0.1:9"; // discard port: nothing listens, a call fails at once
  const o = opts.connectors ?? {};
  const t = TEST_CONNECTOR_DEFAULTS;
  const cfg: ConnectorsConfig = {
    education: { baseUrl: sandboxes?.urls.education ?? nowhere, ...t, ...o.education },
    employment: { baseUrl: sandboxes?.urls.employment ?? nowhere, ...t, ...o.employment },
    housing: { baseUrl: sandboxes?.urls.housing ?? nowhere, ...t, ...o.housing },
    medicalInsurance: {
      baseUrl: sandboxes?.urls.medicalInsurance ?? nowhere,
      clientId: sandboxes?.medicalCredentials.clientId ?? "x",
      clientSecret: sandboxes?.medicalCredentials.clientSecret ?? "x",
      ...t,
      ...o.medicalInsurance,
    },
    disability: { baseUrl: sandboxes?.urls.disability ?? nowhere, ...t, ...o.disability },
    ...(opts.now ? { clock: () => opts.now as Date } : {}),
  };
  const metrics = createMetricsRegistry();
  const connectors = createConnectors(cfg, metrics);
  const auth = authConfigFromEnv({ NODE_ENV: "test", DATA_DIR: keysDir });
  if (!auth.ok) throw new Error(auth.problems.join("; "));
  const { verifier, dev } = await setupAuthentication({ ...auth.config, keySource: { kind: "dev", dir: keysDir } });
  const pseudonyms = new Pseudonymizer(randomBytes(32));
  let audit: TestGateway["audit"] = null;
  if (opts.audit) {
    const keys = auditKeysFromSeed(randomBytes(32).toString("hex"));
    audit = { keys, writer: new AuditWriter(db.sql, { keys, ...(typeof opts.audit === "object" ? opts.audit : {}) }) };
  }
  const bySource = (ms: number) => Object.fromEntries(SOURCES.map((s) => [s, ms])) as Record<SourceName, number>;
  const mirror = opts.mirror
    ? new MirrorService(
        db.sql,
        connectors,
        {
          schedule: false,
          intervalMs: bySource(300_000),
          pageSize: 100,
          ...opts.mirror,
          maxAgeMs: { ...bySource(900_000), ...opts.mirror.maxAgeMs },
        },
        metrics,
      )
    : null;
  await mirror?.start();
  const alertFeed = opts.alertFeed ? await AlertFeed.start(db) : undefined;
  const app = await buildServer({
    alertFeed,
    config: { ...TEST_EDGE, ...opts.edge },
    db,
    connectors,
    verifier: opts.verifier ?? verifier,
    pseudonyms,
    metrics,
    persisted: opts.persisted,
    redis: opts.redis,
    clock: opts.now ? () => opts.now as Date : undefined,
    audit: audit ? { writer: audit.writer, digest: hmacDigester(audit.keys.digestKey) } : undefined,
    ...(mirror && { mirror }),
    logStream: opts.logStream,
  });
  // Idle keep-alive connections: the test's client (fetch) closes one after 4 s; the server here never does. With
  // both closing them (Fastify's default is 72 s, announced to the client), a request the client sends on a
  // connection the server is just closing fails as "fetch failed" — a race a loaded machine's timer lag makes
  // real. The server still closes them when the gateway closes.
  app.server.keepAliveTimeout = 0;
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  const tokens = new Map<string, Promise<string>>();
  const token = (m: MintOptions) => {
    const key = JSON.stringify(m);
    if (!tokens.has(key)) tokens.set(key, dev!.mint({ ttl: "1h", ...m }));
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
      await app.close();
      await mirror?.stop();
      await alertFeed?.close();
      await audit?.writer.close();
      await connectors.close();
      await sandboxes?.close();
      await db.close();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}

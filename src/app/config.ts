import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { AUTH_VARIABLES, authConfigFromEnv, type AuthConfig } from "../auth/config.js";
import type { SourceName } from "../domain/records.js";
import { envFileOf, readEnvFile } from "./env-file.js";

/**
 * Configuration, from environment variables and `.env` (src/app/env-file.ts: the real environment wins),
 * validated at start. Every variable is listed in .env.example; a bad value stops the start with one
 * line per problem naming the variable (and the file, when the value came from `.env`).
 */
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** "15m", "30s", "2h", "500ms"; a bare number is seconds. To milliseconds. */
export function parseDuration(v: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number.isFinite(n) && n > 0 ? Math.round(n) : null;
}
const duration = (dflt: string) =>
  z
    .string()
    .default(dflt)
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === null) {
        ctx.issues.push({ code: "custom", message: "must be a duration like 30s, 15m or 2h", input: v });
        return z.NEVER;
      }
      return ms;
    });

const httpUrl = z.string().refine((v) => /^https?:\/\/[^\s]+$/.test(v), "must be an http(s) URL");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"], { message: "must be development, production or test" }).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(0).max(65535, "must be 0..65535").default(4000),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgresql:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  // Gateway processes serving the port (node:cluster): a number, or `auto` (one per core). More than one needs PostgreSQL.
  GATEWAY_PROCESSES: z
    .union([z.literal("auto"), z.coerce.number().int("must be a whole number").min(1, "must be 1 or more").max(64, "must be at most 64")], { message: "must be a number of processes or auto" })
    .default(1),
  SEED: z.coerce.number({ message: "must be a number" }).int().min(0).default(20190101),
  SEED_ON_START: bool.optional(),
  MIGRATE_ON_START: bool.optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),

  // Department systems. Unset URLs are served by the built-in sandboxes when DEPARTMENT_SANDBOXES is on.
  DEPARTMENT_SANDBOXES: bool.optional(),
  SANDBOX_LATENCY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  EDUCATION_URL: httpUrl.optional(),
  EMPLOYMENT_URL: httpUrl.optional(),
  HOUSING_URL: httpUrl.optional(),
  MEDICAL_INSURANCE_URL: httpUrl.optional(),
  MEDICAL_INSURANCE_CLIENT_ID: z.string().min(1).optional(),
  MEDICAL_INSURANCE_CLIENT_SECRET: z.string().min(1).optional(),
  DISABILITY_URL: httpUrl.optional(),
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(2000),
  UPSTREAM_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  BREAKER_THRESHOLD: z.coerce.number().int().min(1).max(1000).default(5),
  BREAKER_HALF_OPEN_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  STALE_AFTER_DAYS: z.coerce.number().int().min(1).max(10_000).default(365),
  EMPLOYMENT_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  UPSTREAM_MAX_QUEUE: z.coerce.number().int().min(0).max(1_000_000).default(1000),

  // The department mirror (issue 15): sync schedule per source, and how old a sync may be for reads to use it
  MIRROR_SYNC: bool.optional(),
  SYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(10_000).default(5000),
  EDUCATION_SYNC_INTERVAL: duration("5m"),
  EMPLOYMENT_SYNC_INTERVAL: duration("5m"),
  HOUSING_SYNC_INTERVAL: duration("5m"),
  MEDICAL_INSURANCE_SYNC_INTERVAL: duration("5m"),
  DISABILITY_SYNC_INTERVAL: duration("5m"),
  EDUCATION_MAX_AGE: duration("15m"),
  EMPLOYMENT_MAX_AGE: duration("15m"),
  HOUSING_MAX_AGE: duration("15m"),
  MEDICAL_INSURANCE_MAX_AGE: duration("15m"),
  DISABILITY_MAX_AGE: duration("15m"),
  // the sandboxes' records change: this share per simulated day; a simulated day every SANDBOX_DAY_SECONDS (0: only when told)
  SANDBOX_CHANGE_RATE: z.coerce.number().min(0).max(1).default(0.01),
  SANDBOX_DAY_SECONDS: z.coerce.number().int().min(0).max(86_400).default(0),
  SANDBOX_FEED_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  // Monitoring runs (src/monitoring): the schedule of incremental runs in the gateway (seconds; 0 = no runs in the
  // gateway), households per shard, attempts per shard, and the time a shard may take before its job is retried elsewhere
  MONITOR_INTERVAL: z.coerce.number({ message: "must be a number of seconds" }).int().min(0).max(7 * 86_400).default(900),
  MONITOR_SHARD_SIZE: z.coerce.number().int().min(1).max(100_000).default(500),
  MONITOR_SHARD_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  MONITOR_SHARD_TIMEOUT: z.coerce.number().int().min(2).max(86_400).default(600),

  // Access
  PSEUDONYM_SECRET: z.string().regex(/^[0-9a-fA-F]{64,}$/, "must be at least 64 hex characters (32 bytes)").optional(),
  FIELD_POLICY: z.enum(["enforce", "off"], { message: "must be enforce or off" }).default("enforce"),

  // Audit trail (src/audit)
  AUDIT_LOG: z.enum(["on", "off"], { message: "must be on or off" }).default("on"),
  AUDIT_SIGNING_KEY: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex characters (a 32-byte Ed25519 seed)").optional(),
  AUDIT_CHECKPOINT_EVERY: z.coerce.number({ message: "must be a number" }).int().min(0).max(100_000_000).default(1000),
  AUDIT_CHECKPOINT_SECONDS: z.coerce.number({ message: "must be a number" }).int().min(0).max(86_400).default(300),
  /** every signed head also goes to this file (outside the database); `off` to disable */
  AUDIT_WITNESS_FILE: z.string().min(1).optional(),

  // Edge
  CORS_ORIGINS: z.string().optional(), // comma-separated exact origins; unset = no cross-origin access
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  REDIS_URL: z.string().refine((v) => /^rediss?:\/\//.test(v), "must be a redis:// URL").optional(),
  PERSISTED_OPERATIONS: z.enum(["off", "enforce"], { message: "must be off or enforce" }).default("off"),
  PERSISTED_OPERATIONS_MANIFEST: z.string().optional(),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(50).default(8),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).max(1000).default(15),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(50).max(100_000).default(1000),
  GRAPHQL_MAX_DIRECTIVES: z.coerce.number().int().min(0).max(1000).default(20),
  // graphql-armor's estimate (src/graphql/limits.ts). 200,000 admits the heaviest documented read — a charity's
  // needs(first: 100) with matches(first: 50) each, 150,181 — and refuses a page size beyond the fields' own maxima
  // multiplied through nested lists (households(first: 99999999) costs 3.4 billion).
  GRAPHQL_MAX_COST: z.coerce.number().int().min(10).max(10_000_000).default(200_000),
  GRAPHQL_MAX_IN_FLIGHT: z.coerce.number().int().min(0).max(1_000_000).default(256),
  SHED_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  SHED_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(1),
  /** the GraphiQL explorer at `/`: default on outside production */
  EXPLORER: z.enum(["on", "off"], { message: "must be on or off" }).optional(),

  // Telemetry (src/telemetry; traces are configured by the standard OTEL_* variables, read by the SDK)
  /** GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset: public in development, not served in production */
  METRICS_TOKEN: z.string().regex(/^\S{16,}$/, "must be at least 16 characters without spaces").optional(),
});

export type RawConfig = z.output<typeof schema>;

/** Every environment variable the gateway reads (all listed in .env.example; a test checks). */
export const CONFIG_VARIABLES: readonly string[] = [...new Set([...Object.keys(schema.shape), ...AUTH_VARIABLES])];

export interface Config extends RawConfig {
  /** Embedded PGlite directory (absolute) when DATABASE_URL is unset. */
  pgliteDir: string;
  /** Development keys, pseudonym secret (absolute). */
  keysDir: string;
  /** The access log's head witness (absolute), null when AUDIT_WITNESS_FILE=off. */
  auditWitnessFile: string | null;
  seedOnStart: boolean;
  migrateOnStart: boolean;
  sandboxes: boolean;
  /** base URL per source; null = served by the built-in sandbox */
  upstreamUrls: Record<SourceName, string | null>;
  /** the mirror's sync schedule runs (MIRROR_SYNC; default on, off under NODE_ENV=test) */
  mirrorSync: boolean;
  /** per source, ms: between syncs, and the most a sync may be behind for reads to use the mirror */
  syncIntervalMs: Record<SourceName, number>;
  mirrorMaxAgeMs: Record<SourceName, number>;
  /** GATEWAY_PROCESSES resolved (`auto`: the cores available) */
  gatewayProcesses: number;
  auth: AuthConfig;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (env === process.env) readEnvFile(env);
  try {
    return loadConfigFrom(env);
  } catch (err) {
    // a value that came from .env: say so, so the fix is made where the value is
    if (err instanceof ConfigError)
      throw new ConfigError(
        err.problems.map((p) => {
          const file = envFileOf(env, /^[A-Z][A-Z0-9_]*/.exec(p)?.[0] ?? "");
          return file ? `${p} (set in ${file})` : p;
        }),
      );
    throw err;
  }
}

function loadConfigFrom(env: NodeJS.ProcessEnv): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(input);
  const problems: string[] = [];
  if (!parsed.success)
    for (const i of parsed.error.issues) {
      const name = String(i.path[0]);
      problems.push(`${name}=${JSON.stringify(env[name])}: ${i.message}`);
    }
  const auth = authConfigFromEnv(env);
  if (!auth.ok) problems.push(...auth.problems);
  if (!parsed.success || !auth.ok) throw new ConfigError(problems);
  const c = parsed.data;
  const embedded = c.DATABASE_URL === undefined;
  const production = c.NODE_ENV === "production";
  const upstreamUrls: Record<SourceName, string | null> = {
    education: c.EDUCATION_URL ?? null,
    employment: c.EMPLOYMENT_URL ?? null,
    housing: c.HOUSING_URL ?? null,
    medicalInsurance: c.MEDICAL_INSURANCE_URL ?? null,
    disability: c.DISABILITY_URL ?? null,
  };
  const sandboxes = c.DEPARTMENT_SANDBOXES ?? !production;
  // The sandboxes and the synthetic data set are development fixtures (dev/): production never loads them.
  if (production && c.DEPARTMENT_SANDBOXES) problems.push("DEPARTMENT_SANDBOXES=true is refused in production (the sandboxes are development fixtures): set the department URLs");
  if (production && c.SEED_ON_START) problems.push("SEED_ON_START=true is refused in production (the synthetic data set is a development fixture)");
  const missing = Object.entries(upstreamUrls).filter(([, u]) => u === null);
  if (!sandboxes && missing.length)
    problems.push(`DEPARTMENT_SANDBOXES is off: set ${missing.map(([s]) => envNameOf(s as SourceName)).join(", ")}`);
  if (c.MEDICAL_INSURANCE_URL && !(c.MEDICAL_INSURANCE_CLIENT_ID && c.MEDICAL_INSURANCE_CLIENT_SECRET))
    problems.push("MEDICAL_INSURANCE_URL is set: set MEDICAL_INSURANCE_CLIENT_ID and MEDICAL_INSURANCE_CLIENT_SECRET too");
  if (production && !c.PSEUDONYM_SECRET) problems.push("PSEUDONYM_SECRET: required in production (64+ hex characters)");
  if (production && c.FIELD_POLICY === "off") problems.push("FIELD_POLICY=off is refused in production");
  if (production && !c.AUDIT_SIGNING_KEY) problems.push("AUDIT_SIGNING_KEY: required in production (64 hex characters, an Ed25519 seed)");
  if (production && c.AUDIT_LOG === "off") problems.push("AUDIT_LOG=off is refused in production");
  if (c.PERSISTED_OPERATIONS === "enforce" && !c.PERSISTED_OPERATIONS_MANIFEST)
    problems.push("PERSISTED_OPERATIONS=enforce: set PERSISTED_OPERATIONS_MANIFEST to the manifest file");
  const gatewayProcesses = c.GATEWAY_PROCESSES === "auto" ? os.availableParallelism() : c.GATEWAY_PROCESSES;
  if (embedded && gatewayProcesses > 1)
    problems.push(
      `GATEWAY_PROCESSES=${c.GATEWAY_PROCESSES}${c.GATEWAY_PROCESSES === "auto" ? ` (${gatewayProcesses} cores)` : ""}: several gateway processes need PostgreSQL (set DATABASE_URL); the embedded PGlite database is owned by one process — use GATEWAY_PROCESSES=1`,
    );
  if (problems.length) throw new ConfigError(problems);
  return {
    gatewayProcesses,
    ...c,
    pgliteDir: path.resolve(c.DATA_DIR, "pglite"),
    keysDir: path.resolve(c.DATA_DIR, "keys"),
    auditWitnessFile: c.AUDIT_WITNESS_FILE === "off" ? null : path.resolve(c.AUDIT_WITNESS_FILE ?? path.join(c.DATA_DIR, "audit-witness.ndjson")),
    // The embedded default migrates and seeds itself (seeding: outside production only); a server is
    // migrated by `npm run db:migrate`.
    seedOnStart: c.SEED_ON_START ?? (embedded && !production),
    migrateOnStart: c.MIGRATE_ON_START ?? embedded,
    sandboxes,
    upstreamUrls,
    mirrorSync: c.MIRROR_SYNC ?? c.NODE_ENV !== "test",
    syncIntervalMs: {
      education: c.EDUCATION_SYNC_INTERVAL,
      employment: c.EMPLOYMENT_SYNC_INTERVAL,
      housing: c.HOUSING_SYNC_INTERVAL,
      medicalInsurance: c.MEDICAL_INSURANCE_SYNC_INTERVAL,
      disability: c.DISABILITY_SYNC_INTERVAL,
    },
    mirrorMaxAgeMs: {
      education: c.EDUCATION_MAX_AGE,
      employment: c.EMPLOYMENT_MAX_AGE,
      housing: c.HOUSING_MAX_AGE,
      medicalInsurance: c.MEDICAL_INSURANCE_MAX_AGE,
      disability: c.DISABILITY_MAX_AGE,
    },
    auth: auth.config,
  };
}

/** The explorer (GraphiQL at `/`, and introspection with it): EXPLORER, else on outside production. */
export function explorerEnabled(config: Pick<Config, "NODE_ENV" | "EXPLORER">): boolean {
  return config.EXPLORER ? config.EXPLORER === "on" : config.NODE_ENV !== "production";
}

export function envNameOf(source: SourceName): string {
  return { education: "EDUCATION_URL", employment: "EMPLOYMENT_URL", housing: "HOUSING_URL", medicalInsurance: "MEDICAL_INSURANCE_URL", disability: "DISABILITY_URL" }[source];
}

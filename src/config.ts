import path from "node:path";
import { z } from "zod";

/**
 * Configuration, from environment variables only, validated at start. Every variable is listed in
 * .env.example; a bad value stops the start with one line per problem naming the variable.
 */
const bool = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"], { message: "must be development, production or test" }).default("development"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number({ message: "must be a number" }).int("must be a whole number").min(0).max(65535, "must be 0..65535").default(4000),
  DATABASE_URL: z
    .string()
    .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgresql:// URL")
    .optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  SEED: z.coerce.number({ message: "must be a number" }).int().min(0).default(20190101),
  SEED_ON_START: bool.optional(),
  MIGRATE_ON_START: bool.optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
});

export type RawConfig = z.output<typeof schema>;

export interface Config extends RawConfig {
  /** Embedded PGlite directory (absolute) when DATABASE_URL is unset. */
  pgliteDir: string;
  seedOnStart: boolean;
  migrateOnStart: boolean;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0]);
        return `${name}=${JSON.stringify(env[name])}: ${i.message}`;
      }),
    );
  }
  const c = parsed.data;
  const embedded = c.DATABASE_URL === undefined;
  return {
    ...c,
    pgliteDir: path.resolve(c.DATA_DIR, "pglite"),
    // The embedded default migrates and seeds itself; a server is migrated by `npm run db:migrate`.
    seedOnStart: c.SEED_ON_START ?? embedded,
    migrateOnStart: c.MIGRATE_ON_START ?? embedded,
  };
}

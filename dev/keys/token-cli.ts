#!/usr/bin/env node
/**
 * Mints a development token with the development key pair (DATA_DIR/keys) and prints ONLY the token on
 * stdout, so that `TOKEN=$(npm run -s token -- --audience education)` works. Errors go to stderr with
 * the usage line, exit code 1. Uses the same environment configuration as the gateway (JWT_ISSUER,
 * JWT_AUDIENCE, JWT_TYP, JWT_CLAIM_*, AUTH_CITY_CODE, DATA_DIR); refuses when the gateway is configured
 * with real keys (JWT_JWKS_FILE/JWT_JWKS_URL) or runs in production.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { authConfigFromEnv } from "../../src/auth/config.js";
import { readEnvFile } from "../../src/app/env-file.js";
import { loadOrCreateDevKeys, MintError, type MintOptions } from "./dev-keys.js";
import { AUDIENCES, isAudience } from "../../src/auth/principal.js";

export { devTokensForAllAudiences } from "./dev-keys.js";

export const USAGE =
  "usage: token-cli --audience <" +
  AUDIENCES.join("|") +
  "> [--district 500103 | --street 500103001 | --city 500000] [--purpose <text>] [--charity <id>] [--roles a,b] [--ttl 1h] [--subject <s>]";

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** Runs the CLI; returns the exit code (0 printed a token, 1 anything else). */
export async function main(argv: string[], env: Record<string, string | undefined> = process.env, io: CliIo = defaultIo): Promise<number> {
  const error = (message: string) => {
    io.stderr(`token-cli: ${message}\n${USAGE}\n`);
    return 1;
  };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        audience: { type: "string" },
        district: { type: "string" },
        street: { type: "string" },
        city: { type: "string" },
        purpose: { type: "string" },
        charity: { type: "string" },
        roles: { type: "string" },
        ttl: { type: "string" },
        subject: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    return error((err as Error).message);
  }
  if (values.help) {
    io.stderr(`${USAGE}\n`);
    return 0;
  }
  const audience = values.audience;
  if (typeof audience !== "string") return error("--audience is required");
  if (!isAudience(audience)) return error(`unknown audience "${audience}"`);
  if (audience === "auditor" && !(typeof values.purpose === "string" && values.purpose.trim())) {
    return error("auditor tokens need --purpose <text> (the stated purpose of the audit)");
  }

  if (env === process.env) readEnvFile(env); // .env, as the gateway reads it (the real environment wins)
  const auth = authConfigFromEnv(env);
  if (!auth.ok) return error(`configuration problems:\n  ${auth.problems.join("\n  ")}`);
  const { config } = auth;
  if (config.keySource.kind !== "dev") {
    return error("the gateway is configured with real keys (JWT_JWKS_FILE/JWT_JWKS_URL); mint tokens with your identity provider");
  }

  const str = (v: string | boolean | undefined) => (typeof v === "string" ? v : undefined);
  const options: MintOptions = {
    audience,
    district: str(values.district),
    street: str(values.street),
    city: str(values.city),
    purpose: str(values.purpose),
    charityId: str(values.charity),
    roles: str(values.roles)
      ?.split(",")
      .map((r) => r.trim())
      .filter(Boolean),
    ttl: str(values.ttl),
    subject: str(values.subject),
  };
  for (const key of Object.keys(options) as (keyof MintOptions)[]) if (options[key] === undefined) delete options[key];

  try {
    const dev = await loadOrCreateDevKeys(config.keySource.dir, config);
    if (dev.created) io.stderr(`token-cli: created a development key pair in ${config.keySource.dir}\n`);
    const token = await dev.mint(options);
    io.stdout(`${token}\n`);
    return 0;
  } catch (err) {
    if (err instanceof MintError) return error(err.message);
    io.stderr(`token-cli: ${(err as Error).message}\n`);
    return 1;
  }
}

function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`token-cli: ${(err as Error)?.message ?? err}\n`);
      process.exitCode = 1;
    },
  );
}

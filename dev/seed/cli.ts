/**
 * npm run seed -- [--persons N] [--seed S] [--batch N] [--concurrency N] [--as-of YYYY-MM-DD] [--force]
 *
 * Seeds the civil-affairs registry with the synthetic population: DATABASE_URL (PostgreSQL, honouring
 * ?schema=) or the embedded PGlite database in $DATA_DIR/pglite (default ./data/pglite).
 * Without --persons: the default Yuzhong set of DOMAIN.md §6. Refuses a non-empty registry unless --force.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { AlreadySeededError, runSeed } from "./run.js";
import { DatabaseConnectError } from "../../src/db/database.js";
import { DatabaseBusyError } from "../../src/db/owner-lock.js";
import { readEnvFile } from "../../src/app/env-file.js";

export { runSeed, seedTarget, AlreadySeededError, DEFAULT_SEED, type RunSeedOptions, type RunSeedResult } from "./run.js";

const USAGE = `usage: npm run seed -- [--persons N] [--seed S] [--batch N] [--concurrency N] [--as-of YYYY-MM-DD] [--force]
  --persons N      city-wide population of about N persons (default: the Yuzhong set, ~17,000 persons)
  --seed S         generator seed (default: env SEED or 20190101)
  --batch N        households per insert batch / transaction (default 2000)
  --concurrency N  batches written at once on PostgreSQL (default 3)
  --as-of DATE     the data set's "today" (default: the current UTC date)
  --force          empty the registry tables first if they hold data
  --if-empty       seed only an empty registry; one that holds data is left as it is (exit 0)`;

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ""));
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  readEnvFile(); // .env, as the gateway reads it (the real environment wins)
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        persons: { type: "string" },
        seed: { type: "string" },
        batch: { type: "string" },
        concurrency: { type: "string" },
        "as-of": { type: "string" },
        force: { type: "boolean", default: false },
        "if-empty": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    const asOf = values["as-of"];
    if (asOf !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || asOf < "2017-01-01")) throw new UsageError("--as-of must be a date YYYY-MM-DD from 2017-01-01 on");
    const started = process.hrtime.bigint();
    const result = await runSeed({
      persons: int("persons", values.persons, 1),
      seed: int("seed", values.seed, 0),
      batchSize: int("batch", values.batch, 1),
      concurrency: int("concurrency", values.concurrency, 1),
      asOf,
      force: values.force,
      ifEmpty: values["if-empty"],
    });
    if (result.skipped) {
      console.log("the registry already holds data: not seeded");
      return 0;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const s = result.stats!;
    const rssMb = process.resourceUsage().maxRSS / 1024;
    console.log(
      `seeded ${s.persons.toLocaleString("en")} persons in ${s.households.toLocaleString("en")} households ` +
        `(${s.incomes.toLocaleString("en")} incomes, ${s.assets.toLocaleString("en")} assets, ${s.cases.toLocaleString("en")} cases, ${s.aid.toLocaleString("en")} aid records; seed ${result.seed}, as of ${result.asOf})\n` +
        `elapsed ${seconds.toFixed(1)} s, peak RSS ${rssMb.toFixed(0)} MB`,
    );
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n${USAGE}`);
      return 2;
    }
    const plain = err instanceof AlreadySeededError || err instanceof DatabaseBusyError || err instanceof DatabaseConnectError;
    console.error(plain ? `${err instanceof AlreadySeededError ? "" : "seed: "}${err.message}` : `seeding failed: ${(err as Error)?.stack ?? err}`);
    return 1;
  }
}

function invokedDirectly(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  process.exitCode = await main(process.argv.slice(2));
}

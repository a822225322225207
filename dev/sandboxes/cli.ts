/**
 * Starts the five department sandboxes standalone and prints their URLs, e.g.
 *   node dist/dev/sandboxes/cli.js --seed 20190101 --as-of 2026-11-22 --port-education 5101
 * Options (or environment variables): --seed (SEED, default 20190101), --as-of (SEED_AS_OF, default
 * today, UTC), --persons (SEED_PERSONS, default the generator's default set), --host (SANDBOX_HOST,
 * default 127.0.0.1), --base-port N (SANDBOX_BASE_PORT: N, N+1, ... in the order education,
 * employment, housing, medicalInsurance, disability), --port-<name> N for one sandbox (names as
 * printed, e.g. --port-medicalInsurance or --port-medical-insurance), --client-secret (medical
 * insurance OAuth secret), --only <names> (serve only these sandboxes, comma-separated, e.g. --only education: the
 * benchmarks run each department system as a process of its own, as five separate systems would be), --json (print
 * one JSON line instead of text; `urls` then holds only the sandboxes served). Stops on SIGINT/SIGTERM.
 */
import { startSandboxes } from "./index.js";
import { SOURCES, type SourceName } from "../../src/domain/records.js";

function usage(message: string): never {
  process.stderr.write(`sandboxes: ${message}\nsee the header of dev/sandboxes/cli.ts for the options\n`);
  process.exit(2);
}

function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) usage(`unexpected argument ${a}`);
    const eq = a.indexOf("=");
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (a === "--json") out.set("json", "true");
    else {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      out.set(a.slice(2), v);
    }
  }
  return out;
}

function int(name: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined || v === "") return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) usage(`${name} must be a whole number ${min}..${max}`);
  return Number(v);
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const env = process.env;
  const seed = int("--seed", args.get("seed") ?? env.SEED, 0, 0xffffffff) ?? 20190101;
  const asOf = args.get("as-of") ?? env.SEED_AS_OF ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) usage("--as-of must be YYYY-MM-DD");
  const persons = int("--persons", args.get("persons") ?? env.SEED_PERSONS, 1, 10_000_000);
  const host = args.get("host") ?? env.SANDBOX_HOST ?? "127.0.0.1";
  const base = int("--base-port", args.get("base-port") ?? env.SANDBOX_BASE_PORT, 1, 65535 - SOURCES.length);
  const ports: Partial<Record<SourceName, number>> = {};
  SOURCES.forEach((s, i) => {
    const p = int(`--port-${s}`, args.get(`port-${s}`) ?? args.get(`port-${kebab(s)}`), 0, 65535);
    if (p !== undefined) ports[s] = p;
    else if (base !== undefined) ports[s] = base + i;
  });
  const secret = args.get("client-secret") ?? env.SANDBOX_MEDICAL_CLIENT_SECRET;
  const onlyArg = args.get("only");
  const served: readonly SourceName[] =
    onlyArg === undefined
      ? SOURCES
      : onlyArg.split(",").map((n) => SOURCES.find((s) => s === n || kebab(s) === n) ?? usage(`--only: unknown sandbox ${n} (names: ${SOURCES.join(", ")})`));

  const t0 = performance.now();
  const running = await startSandboxes({
    seed,
    asOf,
    persons,
    host,
    ports,
    medicalCredentials: secret ? { clientId: args.get("client-id") ?? "safetynet-gateway", clientSecret: secret } : undefined,
  });
  // the sandboxes not asked for stop listening at once (their data were derived in the same pass)
  await Promise.all(SOURCES.filter((s) => !served.includes(s)).map((s) => running.apps[s].close()));
  const urls = Object.fromEntries(served.map((s) => [s, running.urls[s]]));
  const ms = Math.round(performance.now() - t0);
  if (args.has("json")) {
    process.stdout.write(JSON.stringify({ seed, asOf, persons: persons ?? null, urls, medicalCredentials: running.medicalCredentials, startedInMs: ms }) + "\n");
  } else {
    process.stdout.write(`department sandboxes (seed ${seed}, as of ${asOf}${persons ? `, ${persons} persons` : ""}) started in ${ms} ms\n`);
    for (const s of served) process.stdout.write(`  ${s.padEnd(17)} ${urls[s]}\n`);
    process.stdout.write(`  medical insurance OAuth client: ${running.medicalCredentials.clientId} / ${running.medicalCredentials.clientSecret}\n`);
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void running.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`sandboxes: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

/**
 * The child-process helpers the benchmarks share (bench.ts, bench-sync.ts, bench-monitor.ts): start a
 * compiled entry point as its own process and keep its last output lines, wait for a line, stop it
 * (SIGTERM, then SIGKILL after 10 s), a free loopback port, run a command to completion, and a process's
 * CPU time and memory from /proc.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { SOURCES } from "../../src/domain/records.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const DIST = path.join(ROOT, "dist");

export interface Child {
  name: string;
  proc: ChildProcess;
  /** the last 500 lines of stdout and stderr */
  output: string[];
}

/** Every child started and not yet stopped (for cleanup on failure). */
export const children: Child[] = [];

/**
 * Starts `node <args>` in the repository root with stdout/stderr collected; with BENCH_CHILD_LOG_DIR set, every line
 * is also appended to <dir>/<name>.log (e.g. the gateway's `--trace-gc` lines, with BENCH_CPU_NODE_ARGS).
 */
export function start(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const child: Child = { name, proc, output: [] };
  const logDir = process.env.BENCH_CHILD_LOG_DIR;
  const collect = (chunk: Buffer) => {
    if (logDir) appendFileSync(path.join(logDir, `${name}.log`), chunk);
    child.output.push(...chunk.toString("utf8").split("\n").filter((l) => l !== ""));
    if (child.output.length > 500) child.output.splice(0, child.output.length - 500);
  };
  proc.stdout!.on("data", collect);
  proc.stderr!.on("data", collect);
  children.push(child);
  return child;
}

/** SIGTERM, then SIGKILL after 10 s; resolves when the process has exited. */
export async function stop(child: Child): Promise<void> {
  const i = children.indexOf(child);
  if (i >= 0) children.splice(i, 1);
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.proc.once("exit", () => resolve()));
  child.proc.kill("SIGTERM");
  const killed = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!killed) {
    child.proc.kill("SIGKILL");
    await exited;
  }
}

/** Stops every child still running, newest first. */
export async function stopAll(): Promise<void> {
  for (const c of [...children].reverse()) await stop(c);
}

/** Resolves with the first output line matching `re` (rejects when the process exits first or after `ms`). */
export function waitForLine(child: Child, re: RegExp, ms: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      for (const line of child.output) {
        const m = line.match(re);
        if (m) return finish(() => resolve(m));
      }
    };
    const onData = () => setImmediate(check);
    const onExit = (code: number | null) =>
      finish(() => reject(new Error(`${child.name} exited (${code}) before it was ready:\n${child.output.slice(-30).join("\n")}`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`${child.name} not ready after ${ms} ms:\n${child.output.slice(-30).join("\n")}`))), ms);
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      child.proc.stdout!.off("data", onData);
      child.proc.stderr!.off("data", onData);
      child.proc.off("exit", onExit);
      fn();
    };
    child.proc.stdout!.on("data", onData);
    child.proc.stderr!.on("data", onData);
    child.proc.once("exit", onExit);
    check();
  });
}

/** A port free on 127.0.0.1 at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs `file args` to completion in the repository root; rejects with its stderr on a non-zero exit. */
export function exec(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${args.join(" ")}: ${stderr || err.message}`)) : resolve({ stdout, stderr }),
    ),
  );
}

/** `node <args>` to completion; its stdout. */
export async function run(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return (await exec(process.execPath, args, env)).stdout;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** A process's CPU time (user + system) in ms, from /proc (Linux; NaN elsewhere). */
export function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

function statusMb(pid: number | undefined, field: "VmRSS" | "VmHWM"): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** A process's resident set size in MB, from /proc (NaN elsewhere). */
export function rssMbOf(pid: number | undefined): number {
  return statusMb(pid, "VmRSS");
}

/** A running process's peak resident set size so far (VmHWM) in MB, from /proc (NaN elsewhere). */
export function peakRssMbOf(pid: number | undefined): number {
  return statusMb(pid, "VmHWM");
}

// ---------------------------------------------------------------------------------------------------
// The gateway as the benches start it over their sandboxes and a PostgreSQL schema

/** A PostgreSQL URL with `?schema=` set (the gateway and the CLIs honour it). */
export function schemaUrl(base: string, schema: string): string {
  const u = new URL(base);
  u.searchParams.set("schema", schema);
  return u.toString();
}

/** The sandboxes (`dev/sandboxes/cli.js --json`) as the gateway's configuration: each system's URL, medical insurance's credentials. */
export function departmentEnv(sb: { urls: Record<string, string>; medicalCredentials: { clientId: string; clientSecret: string } }): NodeJS.ProcessEnv {
  return {
    EDUCATION_URL: sb.urls.education,
    EMPLOYMENT_URL: sb.urls.employment,
    HOUSING_URL: sb.urls.housing,
    MEDICAL_INSURANCE_URL: sb.urls.medicalInsurance,
    MEDICAL_INSURANCE_CLIENT_ID: sb.medicalCredentials.clientId,
    MEDICAL_INSURANCE_CLIENT_SECRET: sb.medicalCredentials.clientSecret,
    DISABILITY_URL: sb.urls.disability,
  };
}

/** Waits until the gateway's /readyz says every source's mirror is fresh (its sync schedule's first runs ended). */
export async function waitForFreshMirror(url: string): Promise<void> {
  for (let i = 0; ; i++) {
    const r: any = await fetch(`${url}/readyz`).then((x) => x.json(), () => null);
    if (r?.mirror && SOURCES.every((s) => r.mirror[s]?.state === "up")) return;
    if (i > 600) throw new Error(`the mirror did not become fresh: ${JSON.stringify(r?.mirror)}`);
    await sleep(500);
  }
}

/** A civil-affairs token for the whole city, minted by the token CLI from the gateway's DATA_DIR (its development keys). */
export async function civilAffairsToken(dataDir: string): Promise<string> {
  return (await run([path.join(DIST, "dev/keys/token-cli.js"), "--audience", "civil_affairs", "--city", "500000"], { ...process.env, DATA_DIR: dataDir, NODE_ENV: "development" })).trim();
}

/** The id of the first household in the registry (id order), read through the gateway. */
export async function firstHouseholdId(url: string, token: string): Promise<string> {
  const first: any = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: `{ households(first: 1) { edges { node { id } } } }` }),
  }).then((r) => r.json());
  return first.data.households.edges[0].node.id;
}

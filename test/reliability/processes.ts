/**
 * Real processes for the reliability tests: the project compiled once per test file (its own output
 * directory, so test files running side by side never write the same files), the gateway started as
 * `npm start` starts it (dist/src/app/main.js) and the CLIs run as `npm run <cli>` runs them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
export const REPO = path.resolve(import.meta.dirname, "../..");

/**
 * Compiles the project into node_modules/.cache/reliability-<random> (inside the repository, so the
 * compiled code finds node_modules and prisma/migrations as dist/ does). Returns the output directory.
 */
export async function buildProject(): Promise<string> {
  const out = path.join(REPO, "node_modules", ".cache", `reliability-${randomBytes(6).toString("hex")}`);
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, "package.json"), JSON.stringify({ type: "module" }));
  await execFileAsync(process.execPath, [path.join(REPO, "node_modules/typescript/bin/tsc"), "-p", path.join(REPO, "tsconfig.json"), "--outDir", out, "--sourceMap", "false"], {
    cwd: REPO,
  });
  return out;
}

export async function removeBuild(out: string | undefined): Promise<void> {
  if (out) await rm(out, { recursive: true, force: true });
}

/** A minimal environment: no DATABASE_URL or other settings leak in from the test runner. */
export function baseEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NODE_ENV: "development", LOG_LEVEL: "warn", PORT: "0", ...extra };
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a compiled script (relative to the build) to its end; a non-zero exit is returned, not thrown. */
export function runNode(out: string, script: string, args: string[], env: Record<string, string>, timeoutMs = 300_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(out, script), ...args], { env, cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface GatewayProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** the development civil_affairs token the gateway printed */
  token: string;
  output(): string;
  /** resolves when the process has ended */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts dist/src/app/main.js and waits until it printed its URL and /readyz answers 200. */
export async function startGatewayProcess(out: string, env: Record<string, string>, timeoutMs = 400_000): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [path.join(out, "src/app/main.js")], { env, cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout!.on("data", (d) => (text += d));
  child.stderr!.on("data", (d) => (text += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  let ended = false;
  void exited.then(() => (ended = true));
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  let token: string | undefined;
  while (!url || !token) {
    if (ended) throw new Error(`the gateway ended before it was ready:\n${text}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the gateway was not ready in time:\n${text}`);
    }
    url = /GraphQL\s+(http:\/\/\S+)\/graphql/.exec(text)?.[1];
    // the banner shows the civil-affairs token as `TOKEN_CIVIL_AFFAIRS=<jwt>` above its curl (src/app/banner.ts)
    token = /^TOKEN_CIVIL_AFFAIRS=(\S+)\s*$/m.exec(text)?.[1];
    await new Promise((r) => setTimeout(r, 200));
  }
  for (;;) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (ended || Date.now() > deadline) throw new Error(`/readyz never answered 200:\n${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, pid: child.pid!, url, token, output: () => text, exited };
}

/** One recorded GraphQL operation; returns the request id the gateway answered with (null: no answer). */
export async function recordedQuery(g: { url: string; token: string }): Promise<string | null> {
  try {
    const res = await fetch(`${g.url}/graphql`, {
      method: "POST",
      headers: { authorization: `Bearer ${g.token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "{ households(first: 1) { totalCount } }" }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: unknown };
    if (res.status !== 200 || body.errors) throw new Error(`unexpected answer ${res.status}: ${JSON.stringify(body)}`);
    return res.headers.get("x-request-id");
  } catch (err) {
    if (err instanceof Error && err.message.startsWith("unexpected answer")) throw err;
    return null; // the connection failed: no response was sent
  }
}

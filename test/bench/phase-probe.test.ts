/**
 * dev/bench/phase-probe.ts, the bench's split of a request into its department calls and the rest, loaded as the
 * bench loads it (`node --import`) into a small server of known shape: each GraphQL request waits PRE ms, sends three
 * undici requests at once to an upstream that answers after UPSTREAM ms, waits POST ms and answers. The oracle is
 * that shape: the counts exactly, the times as lower bounds only (timers never fire early by more than the clock's
 * rounding; a loaded machine only makes every span longer), so the test holds on a busy machine.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, test } from "vitest";
import { collectPhases } from "../../dev/bench/phase-probe.js";

const REPO = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);
const PRE = 15;
const UPSTREAM = 40;
const POST = 10;
/** a timer may fire this much before its delay as measured by hrtime (libuv rounds its loop time to the millisecond) */
const SLOP = 2;

// inside the repository so that the server script finds undici in node_modules
const dir = path.join(REPO, "node_modules", ".cache", `phase-probe-${randomBytes(6).toString("hex")}`);
const phaseFile = path.join(dir, "phases.json");
let server: ChildProcess;
let port: number;
/** the server's output: its port, then a line "done <url>" per GraphQL request it finished (answered or not) */
let out = "";
const done = (url: string) => out.split("\n").filter((l) => l === `done ${url}`).length;

const SERVER = `
import http from "node:http";
import { request } from "undici";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const upstream = http.createServer((req, res) => setTimeout(() => res.end("{}"), ${UPSTREAM}));
await new Promise((r) => upstream.listen(0, "127.0.0.1", r));
const up = "http://127.0.0.1:" + upstream.address().port;
let paired = 0;
const gateway = http.createServer(async (req, res) => {
  if (req.url === "/other") return void res.end("ok");
  for await (const _ of req);
  // "?pair": held until a second such request has arrived, so that the two are certainly in flight together
  if (req.url.endsWith("?pair") && ++paired % 2 === 1) while (paired % 2 === 1) await sleep(5);
  await sleep(${PRE});
  const calls = Promise.all([1, 2, 3].map(async (i) => (await request(up + "/" + i)).body.text()));
  // "?abandon": the connection is dropped while the calls are out (as a client that went away); they still end
  if (req.url.endsWith("?abandon")) setImmediate(() => req.socket.destroy());
  await calls;
  await sleep(${POST});
  res.end("{}");
  process.stdout.write("done " + req.url + "\\n");
});
gateway.listen(0, "127.0.0.1", () => process.stdout.write("port " + gateway.address().port + "\\n"));
`;

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  // compiled on its own with the project's tsc, as the bench runs it (dist/dev/bench/phase-probe.js)
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type: "module" }));
  await run(process.execPath, [
    path.join(REPO, "node_modules/typescript/bin/tsc"),
    path.join(REPO, "dev/bench/phase-probe.ts"),
    ...["--outDir", dir, "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--types", "node", "--strict", "--skipLibCheck", "--ignoreConfig"],
  ]);
  writeFileSync(path.join(dir, "server.mjs"), SERVER);
  server = spawn(process.execPath, ["--import", path.join(dir, "phase-probe.js"), path.join(dir, "server.mjs")], {
    env: { PATH: process.env.PATH ?? "", BENCH_PHASE_FILE: phaseFile },
    stdio: ["ignore", "pipe", "inherit"],
  });
  port = await new Promise<number>((resolve, reject) => {
    server.stdout!.on("data", (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    server.on("exit", (code) => reject(new Error(`the server exited (${code})`)));
  });
});

afterAll(() => {
  server?.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

/** What the probe saw finish since the last call, read as the bench reads it. */
const records = () => collectPhases(server, phaseFile);

function post(path = "/graphql", agent?: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: "POST", agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end("{}");
  });
}

test("one request at a time: three calls sent and answered, the wave at least the upstream's delay, the rest at least the server's own waits", async () => {
  await records(); // nothing before
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 5; i++) await post("/graphql", agent);
  await post("/other", agent); // not a GraphQL request: not recorded
  agent.destroy();
  const seen = await records();
  expect(seen).toHaveLength(5);
  for (const r of seen) {
    expect(r).toMatchObject({ sent: 3, answered: 3, overlapped: false });
    const wave = r.lastAnswered! - r.firstSent!;
    const total = r.finish - r.start;
    expect(r.firstSent! - r.start).toBeGreaterThanOrEqual(PRE - SLOP);
    expect(wave).toBeGreaterThanOrEqual(UPSTREAM - SLOP);
    expect(r.finish - r.lastAnswered!).toBeGreaterThanOrEqual(POST - SLOP);
    expect(total - wave).toBeGreaterThanOrEqual(PRE + POST - 2 * SLOP);
  }
  // asked again: what was written is forgotten
  expect(await records()).toEqual([]);
});

test("two requests at once are both marked overlapped (their calls cannot be told apart)", async () => {
  await records();
  await Promise.all([post("/graphql?pair"), post("/graphql?pair")]);
  const seen = await records();
  expect(seen).toHaveLength(2);
  expect(seen.map((r) => r.overlapped)).toEqual([true, true]);
});

test("a request whose connection went away is dropped, and does not mark the next one overlapped", async () => {
  await records();
  await expect(post("/graphql?abandon")).rejects.toThrow();
  // the abandoned request runs to its end in the server: its calls are answered after its connection closed
  while (done("/graphql?abandon") === 0) await sleep(10);
  await post();
  const seen = await records();
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ sent: 3, answered: 3, overlapped: false });
});

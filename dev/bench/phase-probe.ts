/**
 * Loaded into the bench's gateway process (`node --import dist/dev/bench/phase-probe.js …`) to split each GraphQL
 * request's time, seen from outside the gateway's code: Node's own diagnostics channels for the inbound HTTP request
 * and undici's for the department calls, nothing the gateway reports about itself.
 *
 * Per request: when it arrived (`http.server.request.start`), when its first department request was sent and its last
 * department answer ended (undici's `undici:client:sendHeaders` and `undici:request:trailers`), when its response was
 * finished (`http.server.response.finish`). The span from the first call sent to the last answer is the request's
 * *wave*: the slowest of its department calls as the gateway's own HTTP client saw it; the rest of the request is
 * what the gateway adds. Department events are attributed to the one request in flight: the probe is meant for runs
 * at one connection, and a request during which another was in flight is marked `overlapped`. A response closed before it
 * finished (the client went away) is dropped.
 *
 * On SIGUSR2 the requests finished since the previous signal are written to BENCH_PHASE_FILE as JSON (written to a
 * temporary name and renamed, so a reader never sees half a file) and forgotten. Times are milliseconds of the
 * system's monotonic clock.
 */
import dc from "node:diagnostics_channel";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import type { IncomingMessage, ServerResponse } from "node:http";

export interface PhaseRecord {
  /** request arrived, first department request sent, last department answer ended, response finished (ms) */
  start: number;
  firstSent: number | null;
  lastAnswered: number | null;
  finish: number;
  sent: number;
  answered: number;
  /** another request was in flight meanwhile: its department events cannot be attributed */
  overlapped: boolean;
}

type InFlight = Omit<PhaseRecord, "finish">;

const file = process.env.BENCH_PHASE_FILE;
if (file) {
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  const inFlight = new Map<IncomingMessage, InFlight>();
  let finished: PhaseRecord[] = [];
  const only = (): InFlight | undefined => (inFlight.size === 1 ? inFlight.values().next().value : undefined);

  dc.subscribe("http.server.request.start", (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    if (!request.url?.startsWith("/graphql")) return;
    const overlapped = inFlight.size > 0;
    for (const r of inFlight.values()) r.overlapped = true;
    inFlight.set(request, { start: now(), firstSent: null, lastAnswered: null, sent: 0, answered: 0, overlapped });
    // a response that never finishes (the client went away, e.g. the load generator stopping mid-request) is no request to split
    response.once("close", () => inFlight.delete(request));
  });
  dc.subscribe("undici:client:sendHeaders", () => {
    const r = only();
    if (!r) return;
    r.firstSent ??= now();
    r.sent++;
  });
  dc.subscribe("undici:request:trailers", () => {
    const r = only();
    if (!r) return;
    r.lastAnswered = now();
    r.answered++;
  });
  dc.subscribe("http.server.response.finish", (message) => {
    const { request } = message as { request: IncomingMessage };
    const r = inFlight.get(request);
    if (!r) return;
    inFlight.delete(request);
    finished.push({ ...r, finish: now() });
  });
  process.on("SIGUSR2", () => {
    const out = finished;
    finished = [];
    writeFileSync(`${file}.tmp`, JSON.stringify(out));
    renameSync(`${file}.tmp`, file);
  });
}

/**
 * The reader's side (the bench, its test): the requests the probe in `child` saw finish since the last call — it is
 * signalled, writes them to `file` and forgets them.
 */
export async function collectPhases(child: ChildProcess, file: string): Promise<PhaseRecord[]> {
  rmSync(file, { force: true });
  child.kill("SIGUSR2");
  for (let i = 0; i < 1000; i++) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as PhaseRecord[];
    await sleep(10);
  }
  throw new Error(`the phase probe wrote nothing to ${file} within 10 s`);
}

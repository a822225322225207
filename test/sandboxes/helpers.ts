import { generatePopulation } from "../../dev/seed/generator.js";
import type { SynthHousehold } from "../../dev/seed/model.js";

export const AS_OF = "2026-11-22";
export const SEED = 4242;

const cache = new Map<string, SynthHousehold[]>();

/** The generator's population, memoised per (seed, persons) within a test file. */
export function population(persons: number, seed = SEED): SynthHousehold[] {
  const key = `${seed}|${persons}`;
  let hh = cache.get(key);
  if (!hh) cache.set(key, (hh = [...generatePopulation({ seed, persons, asOf: AS_OF })]));
  return hh;
}

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function request<T = any>(url: string, init: RequestInit & { json?: unknown } = {}): Promise<JsonResponse<T>> {
  const { json, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set("content-type", "application/json");
  const res = await fetch(url, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

export const put = (url: string, json: unknown) => request(url, { method: "PUT", json });
export const post = (url: string, json: unknown, headers?: Record<string, string>) => request(url, { method: "POST", json, headers });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until `check` holds, asking again every few milliseconds: for a state that the test cannot await as
 * an event (e.g. a request the sandbox has taken in). No deadline of its own — if the state never comes, the
 * test's timeout fails it — so a slow machine only makes it wait longer.
 */
export async function until(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await sleep(5);
}

/** Listens on an ephemeral loopback port; returns the base URL. */
export async function listen(app: { listen(o: { host: string; port: number }): Promise<string> }): Promise<string> {
  return app.listen({ host: "127.0.0.1", port: 0 });
}

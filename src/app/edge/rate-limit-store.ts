/**
 * Rate-limit counting that survives a Redis outage.
 *
 * With REDIS_URL the counts live in Redis (shared by every gateway process). When Redis cannot be reached
 * (not connected, or a command fails), @fastify/rate-limit's RedisStore would fail the request (HTTP 500);
 * here the count moves to this process's memory (@fastify/rate-limit's own LocalStore: the same fixed
 * window, the same limit, per process) until Redis answers again, then goes back to Redis. Counts made in
 * memory during the outage are not carried over; Redis's counts resume where Redis had them.
 *
 * One warning per outage (when counting moves to memory) and one line when it moves back, through the
 * server's logger; `gateway_rate_limit_store_fallback` is 1 while counting in memory, and
 * `gateway_rate_limit_store_fallbacks_total` counts the outages.
 */
import { createRequire } from "node:module";
import type { FastifyBaseLogger } from "fastify";
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { Redis } from "ioredis";
import { Counter, Gauge, type Registry } from "prom-client";

type StoreResult = { current: number; ttl: number };
type Callback = (error: Error | null, result?: StoreResult) => void;
interface Store extends FastifyRateLimitStore {
  read?(key: string, callback: Callback, timeWindow: number, max: number): void;
  child(routeOptions: unknown): Store;
}

// @fastify/rate-limit's two stores (CommonJS, not in its type definitions)
const require = createRequire(import.meta.url);
const LocalStore = require("@fastify/rate-limit/store/LocalStore") as new (continueExceeding: boolean, exponentialBackoff: boolean, cache?: number) => Store;
const RedisStore = require("@fastify/rate-limit/store/RedisStore") as new (continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key?: string) => Store;

/** After a failed command on a connection that looks ready, count in memory this long before trying Redis again. */
const RETRY_AFTER_FAILURE_MS = 5_000;

/** A short, address-free description of a Redis error (shown on /readyz). */
function describeRedisError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ETIMEDOUT" || /timed? ?out/i.test(message)) return "timed out";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  if (code === "ECONNRESET" || code === "EPIPE") return "connection reset";
  if (/NOAUTH|WRONGPASS|invalid password/i.test(message)) return "authentication failed";
  if (/enableOfflineQueue|Stream isn't writeable|Connection is closed/i.test(message)) return "not connected";
  return message.replace(/\d{1,3}(\.\d{1,3}){3}(:\d+)?/g, "").trim().slice(0, 120) || "error";
}

export type RedisState = "up" | "down";

/**
 * Watches one Redis client: whether rate-limit counting may use it now, and the transitions, logged once
 * each. Attaching it also gives the client an `error` listener, so ioredis prints no "Unhandled error
 * event" traces on stderr while it reconnects.
 */
export class RedisWatch {
  private failedUntil = 0;
  private current: RedisState | "unknown" = "unknown";
  private log: FastifyBaseLogger | null = null;
  private pendingWarning = false;
  private lastError: string | undefined;
  private since = new Date();
  private readonly changeListeners = new Set<(state: RedisState) => void>();

  constructor(readonly redis: Redis) {
    redis.on("error", (err: unknown) => {
      this.lastError = describeRedisError(err);
      this.update();
    });
    for (const event of ["ready", "close", "end", "reconnecting"]) redis.on(event, () => this.update());
  }

  /** May counting use Redis now? */
  usable(): boolean {
    return this.redis.status === "ready" && Date.now() >= this.failedUntil;
  }

  get state(): RedisState {
    this.update();
    return this.current === "up" ? "up" : "down";
  }

  /** The last state reached (`unknown` until the first connection attempt ends). */
  get settled(): RedisState | "unknown" {
    this.update();
    return this.current;
  }

  /** What is wrong (when down), e.g. "connection refused". */
  get detail(): string | undefined {
    if (this.state === "up") return undefined;
    return this.lastError ?? (this.redis.status === "ready" ? "command failed" : "not connected");
  }

  /** Since when the current state holds. */
  get stateSince(): Date {
    return this.since;
  }

  /** A command failed (the connection may still look ready). */
  failed(err: unknown): void {
    this.lastError = describeRedisError(err);
    this.failedUntil = Date.now() + RETRY_AFTER_FAILURE_MS;
    this.update();
  }

  /** A command succeeded. */
  succeeded(): void {
    this.failedUntil = 0;
    this.update();
  }

  /** Log through `log` from now on (a warning already due is written now). */
  attachLogger(log: FastifyBaseLogger): void {
    this.log = log;
    if (this.pendingWarning) this.warn();
  }

  onChange(fn: (state: RedisState) => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  private update(): void {
    const next: RedisState = this.usable() ? "up" : "down";
    if (next === this.current) return;
    // the first connection attempt is still under way: neither up nor (yet) an outage
    if (this.current === "unknown" && next === "down" && this.lastError === undefined && this.redis.status !== "end") return;
    const previous = this.current;
    this.current = next;
    this.since = new Date();
    if (next === "down") {
      this.pendingWarning = true;
      if (this.log) this.warn();
    } else {
      this.pendingWarning = false;
      if (previous === "down") {
        this.lastError = undefined;
        this.log?.info({ rateLimitStore: "redis" }, "Redis is reachable again: rate limiting counts in Redis");
      }
    }
    for (const fn of this.changeListeners) fn(next);
  }

  private warn(): void {
    this.pendingWarning = false;
    this.log?.warn(
      { rateLimitStore: "memory", redis: { reason: this.lastError ?? "not connected" } },
      "Redis is unreachable: rate limiting counts in this process's memory until it returns",
    );
  }
}

const watches = new WeakMap<Redis, RedisWatch>();

/** The (one) watch of a Redis client; attach it as soon as the client exists. */
export function watchRedis(redis: Redis): RedisWatch {
  let w = watches.get(redis);
  if (!w) {
    w = new RedisWatch(redis);
    watches.set(redis, w);
  }
  return w;
}

const metricsByRegistry = new WeakMap<Registry, { fallback: Gauge; fallbacks: Counter }>();

function storeMetrics(registry: Registry) {
  let m = metricsByRegistry.get(registry);
  if (!m) {
    m = {
      fallback: new Gauge({
        name: "gateway_rate_limit_store_fallback",
        help: "1 while rate limiting counts in memory because Redis (REDIS_URL) cannot be reached, else 0",
        registers: [registry],
      }),
      fallbacks: new Counter({
        name: "gateway_rate_limit_store_fallbacks_total",
        help: "Times rate limiting moved from Redis to memory (Redis outages seen)",
        registers: [registry],
      }),
    };
    metricsByRegistry.set(registry, m);
  }
  return m;
}

/**
 * A store class for @fastify/rate-limit's `store` option: Redis while it answers, memory while it does not.
 */
export function failoverRateLimitStore(options: { redis: Redis; nameSpace: string; registry: Registry; log: FastifyBaseLogger }): FastifyRateLimitStoreCtor {
  const watch = watchRedis(options.redis);
  const metrics = storeMetrics(options.registry);
  const show = (state: RedisState) => metrics.fallback.set(state === "up" ? 0 : 1);
  watch.onChange((state) => {
    show(state);
    if (state === "down") metrics.fallbacks.inc();
  });
  show(watch.state);
  if (watch.settled === "down") metrics.fallbacks.inc(); // an outage seen before the server was built
  watch.attachLogger(options.log);

  class FailoverStore implements Store {
    private readonly remote: Store;
    private readonly local: Store;

    constructor(params: { continueExceeding?: boolean; exponentialBackoff?: boolean; cache?: number }, parts?: { remote: Store; local: Store }) {
      if (parts) {
        this.remote = parts.remote;
        this.local = parts.local;
      } else {
        const continueExceeding = params.continueExceeding ?? false;
        const exponentialBackoff = params.exponentialBackoff ?? false;
        this.remote = new RedisStore(continueExceeding, exponentialBackoff, options.redis, options.nameSpace);
        this.local = new LocalStore(continueExceeding, exponentialBackoff, params.cache);
      }
    }

    private use(method: "incr" | "read", key: string, callback: Callback, timeWindow: number, max: number): void {
      const local = () => {
        const fn = this.local[method];
        if (!fn) return callback(new Error(`rate-limit store has no ${method}`));
        fn.call(this.local, key, callback, timeWindow, max);
      };
      const remoteFn = this.remote[method];
      if (!watch.usable() || !remoteFn) return local();
      remoteFn.call(
        this.remote,
        key,
        (err: Error | null, result?: StoreResult) => {
          if (err) {
            watch.failed(err);
            return local();
          }
          watch.succeeded();
          callback(null, result);
        },
        timeWindow,
        max,
      );
    }

    incr(key: string, callback: Callback, timeWindow: number, max: number): void {
      this.use("incr", key, callback, timeWindow, max);
    }

    read(key: string, callback: Callback, timeWindow: number, max: number): void {
      this.use("read", key, callback, timeWindow, max);
    }

    child(routeOptions: unknown): Store {
      return new FailoverStore({}, { remote: this.remote.child(routeOptions), local: this.local.child(routeOptions) });
    }
  }
  return FailoverStore as unknown as FastifyRateLimitStoreCtor;
}

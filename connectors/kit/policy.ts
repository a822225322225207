import {
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  RetryPolicy,
  TimeoutPolicy,
  TimeoutStrategy,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from "cockatiel";
import type { SourceName } from "../../src/domain/records.js";
import { UpstreamError, timeoutError, toUpstreamError, unavailableError } from "./errors.js";
import { ConcurrencyLimiter, LimiterRejection } from "./limiter.js";
import type { AttemptOutcome, SourceMetrics } from "./metrics.js";

/**
 * The resilience policy of one department system, composed from cockatiel policies:
 *
 *   deadline (TimeoutPolicy, aggressive, `timeoutMs` for the whole call, retries and queueing included)
 *   ∘ circuit breaker (ConsecutiveBreaker(threshold), halfOpenAfter)
 *   ∘ retry (exponential backoff with decorrelated jitter, raised to Retry-After when the upstream sends one)
 *   ∘ the call (a connector's loadBatch)
 *
 * and a concurrency limit (ConcurrencyLimiter, `maxConcurrency`, a queue of at most `maxQueue`) that every
 * single HTTP request to the system passes through (see `limit`). A queued request whose deadline passes
 * (or whose caller gives up) leaves the queue at once; a request that finds the queue full is refused at
 * once (UPSTREAM_UNAVAILABLE, reason "queue full"). Neither counts towards opening the breaker: they say
 * the gateway is busy, not that the system fails (the system's own timeouts and errors still count). The bulkhead sits at the HTTP request rather than around the
 * logical call so that the limit is exactly "concurrent HTTP requests to this system" — housing follows
 * several pages per call and medical insurance fetches tokens — and so that a retry's backoff does not
 * hold a slot. Because the breaker is outside the bulkhead, an open breaker rejects at once, never
 * waiting behind requests queued for the dead system.
 *
 * While the breaker is half-open (one probe call in flight), other calls are rejected at once as well,
 * instead of waiting on the probe.
 */

export type BreakerState = "closed" | "half-open" | "open" | "isolated";

export interface PolicyOptions {
  timeoutMs: number;
  /** total attempts, first included (1 = no retry) */
  maxAttempts: number;
  maxConcurrency: number;
  /** most HTTP requests waiting for a slot; beyond it a request is refused at once */
  maxQueue: number;
  breaker: { threshold: number; halfOpenAfterMs: number };
  backoff: { initialDelayMs: number; maxDelayMs: number };
}

export interface UpstreamPolicy {
  readonly source: SourceName;
  /**
   * Run `fn` (one attempt; it gets the attempt's AbortSignal, aborted at the deadline or when `signal`
   * aborts) under deadline, breaker and retry. Resolves with fn's value or rejects with an UpstreamError
   * — never anything else.
   */
  execute<T>(fn: (signal: AbortSignal, attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Run one HTTP request through the concurrency limit. */
  limit<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T>;
  state(): BreakerState;
  /** HTTP requests running and waiting in the concurrency limit now. */
  load(): { active: number; queued: number; maxConcurrency: number; maxQueue: number };
  /** For an attempt's signal that aborted: was it the caller giving up (`cancelled`) rather than the deadline (`timeout`)? */
  abortOutcome(signal: AbortSignal): "timeout" | "cancelled";
  /** Hold the breaker open by hand (e.g. maintenance); dispose() to release. */
  isolate(): { dispose(): void };
  dispose(): void;
}

const STATE_NAME: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "closed",
  [CircuitState.HalfOpen]: "half-open",
  [CircuitState.Open]: "open",
  [CircuitState.Isolated]: "isolated",
};

/** gauge value: 0 closed, 1 half-open, 2 open, 3 isolated */
export const BREAKER_GAUGE: Record<BreakerState, 0 | 1 | 2 | 3> = { closed: 0, "half-open": 1, open: 2, isolated: 3 };

/** Raise the (jittered, exponential) backoff to the upstream's Retry-After when it sent one. */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(private readonly inner: IBackoffFactory<unknown>) {}
  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const innerNext = this.inner.next(context) as IBackoff<unknown>;
    const reason = context.result;
    const retryAfter = "error" in reason && reason.error instanceof UpstreamError ? (reason.error.retryAfterMs ?? 0) : 0;
    return {
      duration: Math.max(innerNext.duration, retryAfter),
      next: (ctx: IRetryBackoffContext<unknown>) => new RetryAfterBackoff(innerNext).next(ctx),
    };
  }
}

/** The reason a failed attempt's leftover requests are aborted with (made once: an abort without a reason builds a DOMException each time). */
const ATTEMPT_FAILED = Object.freeze(new Error("the attempt failed: its remaining requests are abandoned"));

/** Errors that mean "the system is not working" (count towards opening the breaker). */
function isSourceFailure(e: Error): boolean {
  return e instanceof UpstreamError && !e.callerCancelled && !e.overload && (e.code === "UPSTREAM_TIMEOUT" || e.code === "UPSTREAM_UNAVAILABLE");
}

export function createPolicy(source: SourceName, opts: PolicyOptions, metrics: SourceMetrics): UpstreamPolicy {
  // Not aborted on return: cockatiel would abort the deadline's signal after every call, a DOMException with its stack
  // trace and an abort event each time (≈ 3 % of a live one-household read's CPU, session 10's profile). Each attempt
  // runs on a signal of its own instead, which follows the deadline's and is aborted, with a reason made once, only
  // when the attempt failed — so that what it still has in flight (housing's other pages) stops.
  const deadline: TimeoutPolicy = timeout(opts.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
  const breaker: CircuitBreakerPolicy = circuitBreaker(handleWhen(isSourceFailure), {
    halfOpenAfter: opts.breaker.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(opts.breaker.threshold),
  });
  const retries: RetryPolicy = retry(
    handleWhen((e) => e instanceof UpstreamError && e.retryable && !e.callerCancelled),
    {
      maxAttempts: Math.max(0, opts.maxAttempts - 1), // cockatiel counts retries, we count attempts
      backoff: new RetryAfterBackoff(
        new ExponentialBackoff({ initialDelay: opts.backoff.initialDelayMs, maxDelay: opts.backoff.maxDelayMs }),
      ),
    },
  );
  const requests = new ConcurrencyLimiter({ maxConcurrency: opts.maxConcurrency, maxQueue: opts.maxQueue });
  // attempt signal -> the caller's signal, to tell a caller giving up from a deadline passing
  const callers = new WeakMap<AbortSignal, AbortSignal>();
  const abortOutcome = (s: AbortSignal): "timeout" | "cancelled" => (callers.get(s)?.aborted ? "cancelled" : "timeout");
  // attempt signal -> when its first HTTP request left the queue (performance.now())
  const sentAt = new WeakMap<AbortSignal, number>();

  const subscriptions = [
    retries.onRetry(() => metrics.retry()),
    breaker.onStateChange((s) => metrics.breakerState(BREAKER_GAUGE[STATE_NAME[s]])),
  ];
  metrics.breakerState(0);
  metrics.observeQueue(() => requests.queued);

  return {
    source,
    async execute<T>(fn: (signal: AbortSignal, attempt: number) => Promise<T>, signal?: AbortSignal): Promise<T> {
      const state = breaker.state;
      if (state === CircuitState.HalfOpen || state === CircuitState.Isolated) {
        metrics.attempt("rejected");
        throw unavailableError(source, { reason: `circuit breaker ${STATE_NAME[state]}` });
      }
      if (signal?.aborted) throw Object.assign(timeoutError(source, { reason: "cancelled by caller" }), { callerCancelled: true });
      const deadlineAt = Date.now() + opts.timeoutMs;
      const deadlinePerf = performance.now() + opts.timeoutMs;
      try {
        return await deadline.execute(
          ({ signal: deadlineSignal }) =>
            breaker.execute(
              () =>
                retries.execute(async ({ signal: callSignal, attempt }) => {
                  if (callSignal.aborted) {
                    // the deadline (or the caller) ended the call during a retry's backoff: a failed attempt too
                    metrics.attempt(signal?.aborted ? "cancelled" : "timeout");
                    throw timeoutError(source, { reason: "deadline exceeded before attempt" });
                  }
                  const own = new AbortController();
                  const attemptSignal = own.signal;
                  const relay = () => own.abort(callSignal.reason);
                  callSignal.addEventListener("abort", relay, { once: true });
                  if (signal) callers.set(attemptSignal, signal);
                  let succeeded = false;
                  try {
                    const value = await fn(attemptSignal, attempt + 1);
                    succeeded = true;
                    return value;
                  } catch (e) {
                    const err = toUpstreamError(e, source);
                    if (signal?.aborted) err.callerCancelled = true;
                    // A timeout counts against the system only when it had at least half the deadline to answer:
                    // a request that waited in the queue (or a retry) and then ran out of time says the gateway is busy.
                    if (err.code === "UPSTREAM_TIMEOUT" && !err.overload) {
                      const sent = sentAt.get(attemptSignal);
                      if (sent === undefined || deadlinePerf - sent < opts.timeoutMs / 2) err.overload = true;
                    }
                    // Retry-After that does not fit in what is left of the deadline: fail fast.
                    if (err.retryable && err.retryAfterMs !== undefined && Date.now() + err.retryAfterMs >= deadlineAt) {
                      err.retryable = false;
                    }
                    throw err;
                  } finally {
                    callSignal.removeEventListener("abort", relay);
                    if (!succeeded && !attemptSignal.aborted) own.abort(ATTEMPT_FAILED);
                  }
                }, deadlineSignal),
              deadlineSignal,
            ),
          signal,
        );
      } catch (e) {
        if (e instanceof UpstreamError) throw e;
        const err = toUpstreamError(e, source);
        if (err.code === "UPSTREAM_UNAVAILABLE" && err.detail.reason === "circuit breaker open") metrics.attempt("rejected");
        if (signal?.aborted) {
          err.callerCancelled = true;
          if (err.code === "UPSTREAM_TIMEOUT") err.detail.reason = "cancelled by caller";
        }
        throw err;
      }
    },
    limit<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
      const run = (s: AbortSignal) => {
        if (!sentAt.has(signal)) sentAt.set(signal, performance.now());
        return fn(s);
      };
      return requests.run(run, signal).catch((e: unknown) => {
        if (!(e instanceof LimiterRejection)) throw e;
        let outcome: AttemptOutcome;
        let err: UpstreamError;
        if (e.kind === "queue_full") {
          outcome = "queue_full";
          err = unavailableError(source, { reason: "queue full" });
        } else {
          const cancelled = abortOutcome(signal) === "cancelled";
          outcome = cancelled ? "cancelled" : "queue_timeout";
          err = timeoutError(source, { reason: cancelled ? "cancelled by caller while queued" : "deadline exceeded while queued" });
          err.callerCancelled = cancelled;
        }
        err.overload = true;
        metrics.attempt(outcome);
        throw err;
      });
    },
    state() {
      return STATE_NAME[breaker.state];
    },
    load() {
      return { active: requests.active, queued: requests.queued, maxConcurrency: opts.maxConcurrency, maxQueue: opts.maxQueue };
    },
    abortOutcome,
    isolate() {
      return breaker.isolate();
    },
    dispose() {
      requests.clear();
      for (const s of subscriptions) s.dispose();
    },
  };
}

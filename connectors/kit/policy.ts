import {
  BulkheadPolicy,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  RetryPolicy,
  TimeoutPolicy,
  TimeoutStrategy,
  bulkhead,
  circuitBreaker,
  handleWhen,
  retry,
  timeout,
  type IBackoff,
  type IBackoffFactory,
  type IRetryBackoffContext,
} from "cockatiel";
import type { SourceName } from "../unified.js";
import { UpstreamError, timeoutError, toUpstreamError, unavailableError } from "./errors.js";
import type { SourceMetrics } from "./metrics.js";

/**
 * The resilience policy of one department system, composed from cockatiel policies:
 *
 *   deadline (TimeoutPolicy, aggressive, `timeoutMs` for the whole call, retries and queueing included)
 *   ∘ circuit breaker (ConsecutiveBreaker(threshold), halfOpenAfter)
 *   ∘ retry (exponential backoff with decorrelated jitter, raised to Retry-After when the upstream sends one)
 *   ∘ the call (a connector's loadBatch)
 *
 * and a bulkhead (BulkheadPolicy, `maxConcurrency`, unbounded queue) that every single HTTP request to
 * the system passes through (see `limit`). The bulkhead sits at the HTTP request rather than around the
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

/** Errors that mean "the system is not working" (count towards opening the breaker). */
function isSourceFailure(e: Error): boolean {
  return e instanceof UpstreamError && !e.callerCancelled && (e.code === "UPSTREAM_TIMEOUT" || e.code === "UPSTREAM_UNAVAILABLE");
}

export function createPolicy(source: SourceName, opts: PolicyOptions, metrics: SourceMetrics): UpstreamPolicy {
  const deadline: TimeoutPolicy = timeout(opts.timeoutMs, TimeoutStrategy.Aggressive);
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
  const requests: BulkheadPolicy = bulkhead(opts.maxConcurrency, Number.POSITIVE_INFINITY);

  const subscriptions = [
    retries.onRetry(() => metrics.retry()),
    breaker.onStateChange((s) => metrics.breakerState(BREAKER_GAUGE[STATE_NAME[s]])),
  ];
  metrics.breakerState(0);

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
      try {
        return await deadline.execute(
          ({ signal: deadlineSignal }) =>
            breaker.execute(
              () =>
                retries.execute(async ({ signal: attemptSignal, attempt }) => {
                  if (attemptSignal.aborted) throw timeoutError(source, { reason: "deadline exceeded before attempt" });
                  try {
                    return await fn(attemptSignal, attempt + 1);
                  } catch (e) {
                    const err = toUpstreamError(e, source);
                    if (signal?.aborted) err.callerCancelled = true;
                    // Retry-After that does not fit in what is left of the deadline: fail fast.
                    if (err.retryable && err.retryAfterMs !== undefined && Date.now() + err.retryAfterMs >= deadlineAt) {
                      err.retryable = false;
                    }
                    throw err;
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
      return requests.execute(({ signal: s }) => fn(s), signal);
    },
    state() {
      return STATE_NAME[breaker.state];
    },
    isolate() {
      return breaker.isolate();
    },
    dispose() {
      for (const s of subscriptions) s.dispose();
    },
  };
}

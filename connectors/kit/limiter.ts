/**
 * A concurrency limit with a bounded FIFO queue, for the HTTP requests to one department system.
 *
 * Replaces cockatiel 3.2.1's BulkheadPolicy, which keeps a queued entry after its signal aborted; when a
 * slot frees and dequeues that entry, its `execute` throws at once and the slot's wake-up chain ends, so
 * live entries behind stale ones wait until their own deadline (seen on main: after an overload and 30 s
 * idle, a third of one-household answers still timed out). Here:
 *
 *   - a queued entry whose signal aborts (deadline or caller) leaves the queue at once and rejects with
 *     `LimiterRejection("expired")`; it never holds or blocks anything afterwards;
 *   - when a slot frees, it goes to the oldest live entry (aborted ones are not in the queue);
 *   - beyond `maxQueue` waiting entries a call is refused at once (`LimiterRejection("queue_full")`).
 *
 * Invariant: `active ≤ maxConcurrency`, and `queued > 0` only while `active === maxConcurrency`.
 */

export type RejectionKind = "queue_full" | "expired";

/** The limiter refused or dropped a call; the call's function never ran. */
export class LimiterRejection extends Error {
  override readonly name = "LimiterRejection";
  constructor(
    readonly kind: RejectionKind,
    /** how long the call waited in the queue (ms; 0 for queue_full) */
    readonly waitedMs: number,
  ) {
    super(kind === "queue_full" ? "queue full" : "aborted while queued");
  }
}

interface Waiter {
  start(): void;
  drop(): void;
}

export interface LimiterOptions {
  maxConcurrency: number;
  /** most calls waiting for a slot; 0 = no queue (refuse when every slot is busy) */
  maxQueue: number;
}

export class ConcurrencyLimiter {
  private running = 0;
  // a Set keeps insertion order (FIFO) and removes an aborted waiter in O(1)
  private readonly waiting = new Set<Waiter>();

  constructor(readonly options: LimiterOptions) {
    if (!Number.isInteger(options.maxConcurrency) || options.maxConcurrency < 1) throw new Error("maxConcurrency must be a whole number ≥ 1");
    if (!Number.isInteger(options.maxQueue) || options.maxQueue < 0) throw new Error("maxQueue must be a whole number ≥ 0");
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.size;
  }

  /** Run `fn` when a slot is free; rejects with LimiterRejection when refused or aborted while queued, else as fn does. */
  run<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(new LimiterRejection("expired", 0));
    if (this.running < this.options.maxConcurrency) return this.start(fn, signal);
    if (this.waiting.size >= this.options.maxQueue) return Promise.reject(new LimiterRejection("queue_full", 0));
    const queuedAt = performance.now();
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        if (!this.waiting.delete(waiter)) return;
        reject(new LimiterRejection("expired", performance.now() - queuedAt));
      };
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener("abort", onAbort);
          this.start(fn, signal).then(resolve, reject);
        },
        drop: () => {
          signal.removeEventListener("abort", onAbort);
          reject(new LimiterRejection("expired", performance.now() - queuedAt));
        },
      };
      this.waiting.add(waiter);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  private start<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T> {
    this.running++;
    let p: Promise<T>;
    try {
      p = Promise.resolve(fn(signal));
    } catch (e) {
      p = Promise.reject(e);
    }
    return p.finally(() => this.release());
  }

  private release(): void {
    this.running--;
    while (this.running < this.options.maxConcurrency && this.waiting.size > 0) {
      const next: Waiter = this.waiting.values().next().value!;
      this.waiting.delete(next);
      next.start();
    }
  }

  /** Reject every queued call (the connectors are closing). */
  clear(): void {
    const all = [...this.waiting];
    this.waiting.clear();
    for (const w of all) w.drop();
  }
}

/** Request counters of one sandbox instance: total, per route, and the most requests in flight at once. */
export interface StatsSnapshot {
  requests: number;
  byRoute: Record<string, number>;
  maxInFlight: number;
  /** the W3C `traceparent` header of the latest request that carried one (null: none yet) */
  lastTraceparent: string | null;
}

export class SandboxStats {
  private requests = 0;
  private byRoute = new Map<string, number>();
  private inFlight = 0;
  private maxInFlight = 0;
  private lastTraceparent: string | null = null;

  /** Counts a request that has started; call the returned function once when it has ended. */
  begin(route: string, traceparent?: string | string[]): () => void {
    if (typeof traceparent === "string") this.lastTraceparent = traceparent;
    this.requests++;
    this.byRoute.set(route, (this.byRoute.get(route) ?? 0) + 1);
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
    };
  }

  snapshot(): StatsSnapshot {
    return { requests: this.requests, byRoute: Object.fromEntries(this.byRoute), maxInFlight: this.maxInFlight, lastTraceparent: this.lastTraceparent };
  }

  /** Zeroes the counters; maxInFlight restarts from the requests still in flight. */
  reset(): void {
    this.requests = 0;
    this.byRoute.clear();
    this.maxInFlight = this.inFlight;
    this.lastTraceparent = null;
  }
}

/**
 * A token bucket: `ratePerSecond` tokens refill continuously up to `burst`; each request takes one.
 * When empty, `retryAfterSeconds` says how long until a token is back, in whole seconds ≥ 1.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    private capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = now();
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  get burst(): number {
    return this.capacity;
  }

  setRate(ratePerSecond: number): void {
    this.refill();
    this.rate = ratePerSecond;
  }

  /** Changes the capacity and fills the bucket to it (a fresh start, as after a reconfiguration). */
  setBurst(burst: number): void {
    this.capacity = burst;
    this.tokens = burst;
    this.last = this.now();
  }

  /** Takes a token: `0` when granted, else the whole seconds (≥ 1) to wait. */
  take(): number {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.rate));
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }
}

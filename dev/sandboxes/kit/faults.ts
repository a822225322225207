/**
 * Fault injection for a sandbox (WIRE.md "Common to every sandbox"): added latency, a share of
 * requests answered 500 (drawn from a seeded PRNG, so a test sees the same sequence every run),
 * `down` (503 at once) and `hang` (never answered). One controller per sandbox instance.
 */
import { Rng } from "../../seed/rng.js";

export interface FaultSettings {
  latencyMs: number;
  errorRate: number;
  down: boolean;
  hang: boolean;
}

export const NO_FAULTS: Readonly<FaultSettings> = Object.freeze({ latencyMs: 0, errorRate: 0, down: false, hang: false });

/** A department-specific numeric setting also set through `PUT /__sandbox/faults` (e.g. `burst`). */
export interface NumericSetting {
  get(): number;
  set(value: number): void;
  /** smallest allowed value */
  min: number;
  /** the value must be > min (not ≥) */
  exclusiveMin?: boolean;
  integer?: boolean;
}

export type FaultDecision =
  | { kind: "pass" }
  | { kind: "down" }
  | { kind: "hang" }
  | { kind: "error" };

export class FaultController {
  private settings: FaultSettings;
  private rng: Rng;

  constructor(
    seed: number,
    initial: Partial<FaultSettings> = {},
    readonly extra: Readonly<Record<string, NumericSetting>> = {},
  ) {
    this.settings = { ...NO_FAULTS, ...initial };
    this.rng = new Rng(seed);
  }

  current(): FaultSettings & Record<string, number | boolean> {
    const out: FaultSettings & Record<string, number | boolean> = { ...this.settings };
    for (const [k, s] of Object.entries(this.extra)) out[k] = s.get();
    return out;
  }

  /**
   * Applies a (partial) settings object: omitted fields keep their value; `seed` restarts the error
   * PRNG. All fields are checked before any is applied; returns the problems, empty when applied.
   */
  update(patch: unknown): string[] {
    if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return ["body must be a JSON object"];
    const problems: string[] = [];
    const p = patch as Record<string, unknown>;
    const num = (k: string, v: unknown, min: number, max = Infinity, exclusiveMin = false, integer = false): void => {
      if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max || (exclusiveMin && v === min) || (integer && !Number.isInteger(v))) {
        problems.push(`${k} must be ${integer ? "a whole number" : "a number"} ${exclusiveMin ? ">" : "≥"} ${min}${max < Infinity ? ` and ≤ ${max}` : ""}`);
      }
    };
    for (const [k, v] of Object.entries(p)) {
      switch (k) {
        case "latencyMs":
          num(k, v, 0, 600_000);
          break;
        case "errorRate":
          num(k, v, 0, 1);
          break;
        case "seed":
          num(k, v, 0, 0xffffffff, false, true);
          break;
        case "down":
        case "hang":
          if (typeof v !== "boolean") problems.push(`${k} must be true or false`);
          break;
        default: {
          const s = this.extra[k];
          if (!s) problems.push(`unknown setting ${k}`);
          else num(k, v, s.min, Infinity, s.exclusiveMin, s.integer);
        }
      }
    }
    if (problems.length > 0) return problems;
    for (const [k, v] of Object.entries(p)) {
      if (k === "latencyMs" || k === "errorRate") this.settings[k] = v as number;
      else if (k === "down" || k === "hang") this.settings[k] = v as boolean;
      else if (k === "seed") this.rng = new Rng(v as number);
      else this.extra[k].set(v as number);
    }
    return [];
  }

  get latencyMs(): number {
    return this.settings.latencyMs;
  }

  /** What to do with a request before latency is added (down and hang act at once). */
  immediate(): FaultDecision {
    if (this.settings.down) return { kind: "down" };
    if (this.settings.hang) return { kind: "hang" };
    return { kind: "pass" };
  }

  /** Drawn after the latency: is this request answered 500? */
  drawError(): boolean {
    const rate = this.settings.errorRate;
    if (rate <= 0) return false;
    return this.rng.next() < rate;
  }
}

/** Authentication failures counted by reason, at the verifier (every refusal of a token passes there). */
import type { Verifier } from "../auth/verify.js";
import { isAuthError } from "../auth/errors.js";
import type { GatewayMetrics } from "./metrics.js";

export function countingVerifier(verifier: Verifier, metrics: GatewayMetrics): Verifier {
  return new Proxy(verifier, {
    get(target, prop) {
      if (prop === "verify")
        return async (...args: Parameters<Verifier["verify"]>) => {
          try {
            return await target.verify(...args);
          } catch (err) {
            if (isAuthError(err)) metrics.authFailures.inc({ reason: err.reason });
            throw err;
          }
        };
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * Who is asking: a bearer JWT on every request of the scope that registers this plugin, verified before
 * anything else is looked at. `request.principal` is declared with `decorateRequest` (null until verified).
 *
 * A failed authentication answers 401/403 with the GraphQL error shape, or 429 once the client address
 * has failed too often (the rate-limit plugin's `failedAuthenticationLimit`, when registered after this one).
 */
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Verifier } from "../../auth/verify.js";
import { isAuthError, type AuthError } from "../../auth/errors.js";
import type { Principal } from "../../auth/principal.js";
import { authorizationHeaders } from "../edge/http-errors.js";
import { ErrorCode } from "../../errors.js";
import { inScope } from "./in-scope.js";

type FailedAuthenticationLimit = ReturnType<FastifyInstance["createRateLimit"]>;

declare module "fastify" {
  interface FastifyRequest {
    /** the verified caller; null before the authentication hook ran (never null in a GraphQL context) */
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** counts failed authentications per client address (set by the rate-limit plugin) */
    failedAuthenticationLimit: FailedAuthenticationLimit | null;
  }
}

export interface AuthenticationOptions {
  verifier: Verifier;
}

function sendAuthError(reply: FastifyReply, err: AuthError) {
  if (err.httpStatus === 401) reply.header("www-authenticate", err.wwwAuthenticate("safetynet-gateway"));
  return reply
    .code(err.httpStatus)
    .type("application/json")
    .send({ errors: [{ message: err.message, extensions: { code: err.code, reason: err.reason, requestId: reply.request.id } }] });
}

export const authentication = inScope<AuthenticationOptions>(async (app, { verifier }) => {
  app.decorateRequest("principal", null);
  app.decorate("failedAuthenticationLimit", null);
  app.addHook("preHandler", async (req, reply) => {
    try {
      req.principal = await verifier.verify(authorizationHeaders(req.raw));
    } catch (err) {
      if (!isAuthError(err)) throw err;
      // a flood of bad tokens is answered 429 without a signature check each
      const limit = app.failedAuthenticationLimit ? await app.failedAuthenticationLimit(req) : null;
      if (limit && !limit.isAllowed && limit.isExceeded)
        return reply
          .code(429)
          .header("retry-after", limit.ttlInSeconds)
          .send({ errors: [{ message: "Too many requests; slow down", extensions: { code: ErrorCode.RATE_LIMITED, requestId: req.id } }] });
      return sendAuthError(reply, err);
    }
  });
});

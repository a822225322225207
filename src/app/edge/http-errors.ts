/**
 * The whole HTTP edge answers refusals in the GraphQL error shape
 *
 *     { errors: [{ message, extensions: { code, requestId, reason? } }] }
 *
 * with a stable code (src/errors.ts), whoever refused: Fastify (413 body too large, 415 media type, 400
 * malformed JSON, 404 route, any thrown error), Apollo before a request context exists (CSRF prevention,
 * batching, a malformed GraphQL request), the rate limiter, and Node's HTTP parser (431 headers too
 * large, 400 malformed HTTP, 408) through Fastify's `clientErrorHandler`, which has no request and so
 * makes a request id of its own and sends it as x-request-id too.
 *
 *   installHttpErrors(app)           error handler, not-found handler and an onSend hook that stamps
 *                                    `requestId` (and a code) on any error answer that lacks them
 *   clientErrorHandler               Fastify option: what the HTTP parser's refusals answer
 *   authorizationHeaders(req)        every Authorization header as sent (Node keeps only the first)
 */
import { isUtf8 } from "node:buffer";
import { randomUUID } from "node:crypto";
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ErrorCode, type BadRequestReason, type ErrorCodeName } from "../../errors.js";

export interface EdgeError {
  message: string;
  extensions: { code: string; requestId: string; reason?: string } & Record<string, unknown>;
}

const body = (message: string, code: ErrorCodeName | string, requestId: string, reason?: BadRequestReason | string) => ({
  errors: [{ message, extensions: { code, ...(reason ? { reason } : {}), requestId } }] as EdgeError[],
});

/** Fastify's own error codes → what a client sees. Anything else below 500 is BAD_REQUEST; 500 and above, internal. */
const FASTIFY: Record<string, { status: number; code: ErrorCodeName; reason?: BadRequestReason; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: ErrorCode.PAYLOAD_TOO_LARGE, message: "The request body is too large" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: ErrorCode.UNSUPPORTED_MEDIA_TYPE, message: "The request body must be application/json" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: ErrorCode.BAD_REQUEST, reason: "MALFORMED_REQUEST", message: "The Content-Length does not match the body" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: ErrorCode.BAD_REQUEST, reason: "EMPTY_BODY", message: "The request body is empty" },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: ErrorCode.BAD_REQUEST, reason: "MALFORMED_JSON", message: "The request body is not valid JSON" },
  EDGE_INVALID_UTF8: { status: 400, code: ErrorCode.BAD_REQUEST, reason: "INVALID_UTF8", message: "The request body is not valid UTF-8" },
  FST_ERR_CTP_INSTANCE_ALREADY_STARTED: { status: 500, code: ErrorCode.INTERNAL_SERVER_ERROR, message: "Internal server error" },
  FST_ERR_BAD_URL: { status: 400, code: ErrorCode.BAD_REQUEST, reason: "MALFORMED_REQUEST", message: "The request URL is malformed" },
  FST_ERR_ASYNC_CONSTRAINT: { status: 500, code: ErrorCode.INTERNAL_SERVER_ERROR, message: "Internal server error" },
};

const STATUS_CODE: Record<number, ErrorCodeName> = {
  404: ErrorCode.ROUTE_NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  408: ErrorCode.REQUEST_TIMEOUT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: ErrorCode.RATE_LIMITED,
  431: ErrorCode.HEADERS_TOO_LARGE,
};

/** The code an error answer with this status gets when whoever refused gave none. */
export function codeForStatus(status: number): string {
  return STATUS_CODE[status] ?? (status >= 500 ? ErrorCode.INTERNAL_SERVER_ERROR : ErrorCode.BAD_REQUEST);
}

/** Apollo's own refusals before a request context exists: BAD_REQUEST, with a reason by message. */
export function badRequestReason(message: string): BadRequestReason {
  if (message.startsWith("This operation has been blocked as a potential Cross-Site Request Forgery")) return "CSRF_PREVENTION";
  if (message.startsWith("Operation batching disabled")) return "BATCHING_DISABLED";
  if (message.startsWith("GET requests only support query operations")) return "GET_NOT_QUERY";
  return "MALFORMED_REQUEST";
}

interface ErrorLog {
  error(obj: object, msg: string): void;
}

export function installHttpErrors(app: FastifyInstance): void {
  // JSON bodies must be valid UTF-8: decoding a malformed sequence would silently turn it into U+FFFD
  // and store that. Otherwise Fastify's own parser (the same prototype-poisoning refusals).
  const json = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (req, raw, done) => {
    const buffer = raw as Buffer;
    if (!isUtf8(buffer)) return done(Object.assign(new Error("The request body is not valid UTF-8"), { statusCode: 400, code: "EDGE_INVALID_UTF8" }), undefined);
    json(req, buffer.toString("utf8"), done);
  });

  app.setErrorHandler((err: FastifyError & { errors?: unknown }, req: FastifyRequest, reply: FastifyReply) => {
    // an error answer built elsewhere in the GraphQL shape (the rate limiter's errorResponseBuilder throws one)
    if (Array.isArray(err.errors) && err.errors.length) {
      const status = typeof err.statusCode === "number" && err.statusCode >= 400 ? err.statusCode : 400;
      return reply.code(status).type("application/json").send({ errors: err.errors });
    }
    const known = err.code ? FASTIFY[err.code] : undefined;
    if (known) {
      if (known.status >= 500) (req.log as ErrorLog).error({ err }, "unexpected error at the HTTP edge");
      return reply.code(known.status).type("application/json").send(body(known.message, known.code, req.id, known.reason));
    }
    const status = typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) {
      (req.log as ErrorLog).error({ err }, "unexpected error at the HTTP edge");
      return reply.code(status).type("application/json").send(body("Internal server error", ErrorCode.INTERNAL_SERVER_ERROR, req.id));
    }
    // another 4xx from a plugin: its status, a generic message (a plugin's message may name internals)
    return reply
      .code(status)
      .type("application/json")
      .send(body(STATUS_CODES[status] ?? "Bad request", codeForStatus(status), req.id, status === 400 ? "MALFORMED_REQUEST" : undefined));
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).type("application/json").send(body("No such route", ErrorCode.ROUTE_NOT_FOUND, req.id));
  });

  // Any error answer in the GraphQL shape gets the request id (and a code) on every error: Apollo's
  // refusals before a request context exists (CSRF, batching, a malformed request) and the rate
  // limiter's carry neither request id nor, in some cases, anything but a message.
  app.addHook("onSend", async (req, reply, payload) => {
    if (reply.statusCode < 400 || typeof payload !== "string" || payload.length > 65_536) return payload;
    if (!/json/.test(String(reply.getHeader("content-type") ?? ""))) return payload;
    let parsed: { errors?: unknown };
    try {
      parsed = JSON.parse(payload);
    } catch {
      return payload;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return payload;
    if (!Array.isArray(parsed.errors)) {
      // Fastify's default error body ({ statusCode, error, message }) from a plugin that answered by itself:
      // the same answer in the GraphQL shape. Any other JSON (a readiness report's 503) is left alone.
      const p = parsed as Record<string, unknown>;
      if (typeof p.statusCode === "number" && typeof p.error === "string")
        return JSON.stringify(body(STATUS_CODES[reply.statusCode] ?? "Error", codeForStatus(reply.statusCode), req.id));
      return payload;
    }
    let changed = false;
    const errors = (parsed.errors as { message?: unknown; extensions?: Record<string, unknown> }[]).map((e) => {
      const extensions = { ...(e?.extensions ?? {}) };
      if (typeof extensions.code !== "string") {
        extensions.code = codeForStatus(reply.statusCode);
        changed = true;
      }
      if (extensions.code === ErrorCode.BAD_REQUEST && extensions.reason === undefined && typeof e?.message === "string") {
        extensions.reason = badRequestReason(e.message);
        changed = true;
      }
      if (extensions.requestId !== req.id) {
        extensions.requestId = req.id;
        changed = true;
      }
      return { ...e, message: typeof e?.message === "string" ? e.message : STATUS_CODES[reply.statusCode] ?? "Error", extensions };
    });
    return changed ? JSON.stringify({ ...parsed, errors }) : payload;
  });
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser refuses before any request exists — headers
 * larger than the server accepts (431 HEADERS_TOO_LARGE), a request that is not HTTP (400 BAD_REQUEST,
 * reason MALFORMED_HTTP), a request that did not arrive in time (408 REQUEST_TIMEOUT) — answered in the
 * GraphQL error shape with a request id made here, then the connection is closed.
 */
export function clientErrorHandler(this: { log?: { trace(o: object, m: string): void } }, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const requestId = randomUUID();
  let status: number;
  let payload: ReturnType<typeof body>;
  if (err.code === "HPE_HEADER_OVERFLOW") {
    status = 431;
    payload = body("The request headers are too large", ErrorCode.HEADERS_TOO_LARGE, requestId);
  } else if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    status = 408;
    payload = body("The request did not arrive in time", ErrorCode.REQUEST_TIMEOUT, requestId);
  } else {
    status = 400;
    payload = body("The request is not well-formed HTTP", ErrorCode.BAD_REQUEST, requestId, "MALFORMED_HTTP");
  }
  this?.log?.trace({ err }, "client error");
  if (socket.writable) {
    const text = JSON.stringify(payload);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n` +
        `X-Request-Id: ${requestId}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(err);
}

/**
 * Every Authorization header value as the client sent it. Node's `req.headers.authorization` keeps only
 * the first of duplicates (and drops the rest silently); `rawHeaders` has them all. One header: the
 * string; several: all of them (the verifier refuses that); none: undefined.
 */
export function authorizationHeaders(req: Pick<IncomingMessage, "rawHeaders" | "headers">): string | string[] | undefined {
  const raw = req.rawHeaders;
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i].toLowerCase() === "authorization") values.push(raw[i + 1]);
  if (values.length > 1) return values;
  return values[0] ?? req.headers.authorization;
}

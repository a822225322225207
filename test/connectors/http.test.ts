import diagnostics from "node:diagnostics_channel";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { errors as undiciErrors } from "undici";
import {
  type HttpClient,
  type Limiter,
  UpstreamError,
  createHttpClient,
  createMetricsRegistry,
  sourceMetrics,
  toUpstreamError,
  upstreamMetrics,
} from "../../connectors/kit/index.js";
import { metric, settle, sleep } from "./helpers.js";

/**
 * The kit's HTTP client (undici request() over a keep-alive Agent) against a raw node:http server, so that
 * connections, half-sent bodies and resets are under the test's control.
 */

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe("kit HTTP client", () => {
  let server: http.Server;
  let base: string;
  let handler: Handler = (_req, res) => res.end("{}");
  const sockets = new Set<Socket>();
  let connections = 0;

  beforeAll(async () => {
    server = http.createServer((req, res) => handler(req, res));
    // idle connections stay open for minutes (Node announces it in a Keep-Alive header, which the client's pool
    // follows): only the client's close() closes them within a test, so waiting for their close events proves it
    server.keepAliveTimeout = 300_000;
    server.on("connection", (s: Socket) => {
      connections++;
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    // a stalled response keeps its server socket half-open after the client went away: start clean
    for (const s of sockets) s.destroy();
    connections = 0;
    handler = (_req, res) => res.end("{}");
  });

  const unlimited: Limiter = (fn, signal) => fn(signal);
  function client(): { http: HttpClient; registry: ReturnType<typeof createMetricsRegistry> } {
    const registry = createMetricsRegistry();
    const m = sourceMetrics(upstreamMetrics(registry), "employment");
    return { http: createHttpClient("employment", m, unlimited), registry };
  }
  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };
  // a generous deadline for calls that should succeed: a loaded machine never misses it
  const signal = () => AbortSignal.timeout(30_000);

  it("reuses its keep-alive connections across sequential requests, whatever the status (bodies are consumed)", async () => {
    const { http: h } = client();
    // warm the pool (the very first connection is not free again at once, so a second one may open)
    for (let n = 0; n < 3; n++) await h.getJson(`${base}/warm`, { signal: signal() });
    await sleep(20);
    const warm = connections;
    expect(warm).toBeLessThanOrEqual(2);
    const statuses = [200, 404, 503, 500, 418, 200, 429, 200, 400, 401];
    let i = 0;
    handler = (req, res) => {
      const status = statuses[i++ % statuses.length];
      // bodies bigger than a stream's buffer: one left unread would hold its connection
      json(res, status, { ok: status === 200, method: req.method, padding: "x".repeat(300_000) }, status === 429 ? { "retry-after": "0" } : {});
    };
    for (let n = 0; n < 3 * statuses.length; n++) {
      await settle(h.getJson(`${base}/x?n=${n}`, { signal: signal(), okStatuses: [200, 404] }));
    }
    await settle(h.postJson(`${base}/y`, { a: 1 }, { signal: signal() }));
    expect(i).toBe(3 * statuses.length + 1);
    expect(connections).toBe(warm); // no new connection: every response was read to its end
    await h.close();
  });

  it("sends JSON and form bodies with their content types, and accept: application/json", async () => {
    const seen: { method?: string; url?: string; type?: string; accept?: string; body: string }[] = [];
    handler = (req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, type: req.headers["content-type"], accept: req.headers.accept, body });
        json(res, 200, { ok: true });
      });
    };
    const { http: h } = client();
    const a = await h.postJson(`${base}/json?q=1`, { idNumbers: ["a", "b"] }, { signal: signal(), headers: { authorization: "Bearer t" } });
    await h.postForm(`${base}/form`, { grant_type: "client_credentials", client_id: "x y" }, { signal: signal() });
    expect(a).toMatchObject({ status: 200, body: { ok: true }, url: `${base}/json?q=1` });
    expect(a.headers["content-type"]).toBe("application/json");
    expect(seen).toEqual([
      { method: "POST", url: "/json?q=1", type: "application/json", accept: "application/json", body: '{"idNumbers":["a","b"]}' },
      { method: "POST", url: "/form", type: "application/x-www-form-urlencoded", accept: "application/json", body: "grant_type=client_credentials&client_id=x+y" },
    ]);
    await h.close();
  });

  it("does not follow redirects: a 302 is UPSTREAM_BAD_RESPONSE", async () => {
    handler = (_req, res) => {
      res.writeHead(302, { location: "/elsewhere" });
      res.end();
    };
    const { http: h } = client();
    const r = await settle(h.getJson(`${base}/moved`, { signal: signal() }));
    expect(r.ok === false && [r.error.code, r.error.detail.status]).toEqual(["UPSTREAM_BAD_RESPONSE", 302]);
    await h.close();
  });

  it("a connection reset in the middle of the body is a retryable UPSTREAM_UNAVAILABLE (network error)", async () => {
    handler = (req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"partial":');
      setTimeout(() => req.socket.destroy(), 20);
    };
    const { http: h, registry } = client();
    const r = await settle(h.getJson(`${base}/reset`, { signal: signal() }));
    expect(r.ok).toBe(false);
    const err = (r as { error: UpstreamError }).error;
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(err.retryable).toBe(true);
    expect(err.detail.reason).toMatch(/^network error /);
    expect(await metric(registry, "gateway_upstream_requests_total", { source: "employment", outcome: "error" })).toBe(1);
    expect(await metric(registry, "gateway_upstream_in_flight", { source: "employment" })).toBe(0);
    await h.close();
  });

  it("an abort while the body is arriving is UPSTREAM_TIMEOUT; in-flight returns to 0 and the next request works", async () => {
    let stall = true;
    handler = (_req, res) => {
      if (!stall) return json(res, 200, { ok: true });
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"slow":'); // and never the rest
    };
    const { http: h, registry } = client();
    const ac = new AbortController();
    // abort once the client has the response's headers (undici reports them on its diagnostics channel): the
    // body is then arriving, whatever the machine's speed
    const headersIn = new Promise<void>((resolve) => {
      const onHeaders = (message: unknown) => {
        const { request } = message as { request: { path: string } };
        if (request.path !== "/stall") return;
        diagnostics.unsubscribe("undici:request:headers", onHeaders);
        resolve();
      };
      diagnostics.subscribe("undici:request:headers", onHeaders);
    });
    const pending = settle(h.getJson(`${base}/stall`, { signal: ac.signal }));
    await headersIn;
    ac.abort();
    const r = await pending;
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_TIMEOUT");
    expect(await metric(registry, "gateway_upstream_requests_total", { source: "employment", outcome: "timeout" })).toBe(1);
    expect(await metric(registry, "gateway_upstream_in_flight", { source: "employment" })).toBe(0);
    stall = false;
    expect((await h.getJson(`${base}/ok`, { signal: signal() })).body).toEqual({ ok: true });
    await h.close();
  });

  it("a body announced larger than 32 MiB is UPSTREAM_BAD_RESPONSE without reading it", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(40 * 1024 * 1024) });
      res.write("[");
    };
    const { http: h } = client();
    const r = await settle(h.getJson(`${base}/huge`, { signal: signal() }));
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_BAD_RESPONSE");
    expect(r.ok === false && r.error.detail.reason).toMatch(/body too large/);
    await h.close();
  });

  it("close() closes its connections; a request after it fails UPSTREAM_UNAVAILABLE without connecting", async () => {
    const { http: h } = client();
    await h.getJson(`${base}/a`, { signal: signal() });
    expect(sockets.size).toBeGreaterThan(0);
    // the server sees each of them close (waited for as events, not for a while)
    const closing = [...sockets].map((s) => (s.destroyed ? Promise.resolve() : once(s, "close")));
    await h.close();
    await Promise.all(closing);
    expect(sockets.size).toBe(0);
    const before = connections;
    const r = await settle(h.getJson(`${base}/b`, { signal: signal() }));
    expect(r.ok === false && r.error.code).toBe("UPSTREAM_UNAVAILABLE");
    expect(connections).toBe(before);
  });
});

describe("toUpstreamError and undici's errors", () => {
  const map = (e: unknown) => {
    const err = toUpstreamError(e, "education");
    return { code: err.code, retryable: err.retryable };
  };
  const sysError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:9`), { code, syscall: "connect" });

  it("connection-level failures are retryable UPSTREAM_UNAVAILABLE", () => {
    const unavailable = { code: "UPSTREAM_UNAVAILABLE", retryable: true };
    expect(map(new undiciErrors.SocketError("other side closed"))).toEqual(unavailable);
    expect(map(new undiciErrors.ConnectTimeoutError())).toEqual(unavailable);
    expect(map(new undiciErrors.HeadersTimeoutError())).toEqual(unavailable);
    expect(map(new undiciErrors.BodyTimeoutError())).toEqual(unavailable);
    expect(map(new undiciErrors.ResponseContentLengthMismatchError())).toEqual(unavailable);
    for (const code of ["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]) {
      expect(map(sysError(code)), code).toEqual(unavailable);
    }
    // fetch's wrapping (TypeError "fetch failed" with the cause) still maps the same way
    expect(map(Object.assign(new TypeError("fetch failed"), { cause: sysError("ECONNREFUSED") }))).toEqual(unavailable);
    expect(toUpstreamError(sysError("ECONNREFUSED"), "education").detail.reason).toBe("network error ECONNREFUSED");
  });

  it("an abort is UPSTREAM_TIMEOUT; a closed client is UPSTREAM_UNAVAILABLE, not retried; a too-large body is UPSTREAM_BAD_RESPONSE", () => {
    expect(map(new undiciErrors.RequestAbortedError())).toEqual({ code: "UPSTREAM_TIMEOUT", retryable: false });
    expect(map(new undiciErrors.ClientDestroyedError())).toEqual({ code: "UPSTREAM_UNAVAILABLE", retryable: false });
    expect(map(new undiciErrors.ClientClosedError())).toEqual({ code: "UPSTREAM_UNAVAILABLE", retryable: false });
    expect(map(new undiciErrors.ResponseExceededMaxSizeError())).toEqual({ code: "UPSTREAM_BAD_RESPONSE", retryable: false });
  });

  it("programming errors (Node's ERR_* codes, invalid arguments) are not network errors", () => {
    expect(map(Object.assign(new TypeError("Invalid URL"), { code: "ERR_INVALID_URL" }))).toEqual({ code: "UPSTREAM_BAD_RESPONSE", retryable: false });
    expect(map(new undiciErrors.InvalidArgumentError("invalid method"))).toEqual({ code: "UPSTREAM_BAD_RESPONSE", retryable: false });
  });
});

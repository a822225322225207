/**
 * Issue 17 (2): OTLP export configured by the standard OTEL_* variables only. A tiny OTLP/HTTP receiver in the
 * test (a plain HTTP server) gets the gateway's spans when OTEL_EXPORTER_OTLP_ENDPOINT points at it; nothing
 * is started when no variable asks for export, or when OTEL_SDK_DISABLED=true.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { trace } from "@opentelemetry/api";
import { startTracing, tracingRequested, type RunningTracing } from "../../src/telemetry/tracing.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";

describe("which variables start the SDK", () => {
  test.each([
    [{}, false],
    [{ OTEL_SERVICE_NAME: "x" }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:4318/v1/traces" }, true],
    [{ OTEL_TRACES_EXPORTER: "otlp" }, true],
    [{ OTEL_TRACES_EXPORTER: "console" }, true],
    [{ OTEL_TRACES_EXPORTER: "none", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }, false],
    [{ OTEL_SDK_DISABLED: "true", OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318" }, false],
    [{ OTEL_SDK_DISABLED: "false", OTEL_TRACES_EXPORTER: "otlp" }, true],
  ] as [NodeJS.ProcessEnv, boolean][])("%j → %s", (env, expected) => {
    expect(tracingRequested(env)).toBe(expected);
  });

  test("off by default: startTracing starts nothing and the tracer records nothing", async () => {
    expect(await startTracing({})).toBeNull();
    const span = trace.getTracer("t").startSpan("x");
    expect(span.isRecording()).toBe(false);
    span.end();
  });
});

describe("export to an OTLP/HTTP receiver", () => {
  const received: { path: string; contentType: string; body: Buffer }[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", contentType: String(req.headers["content-type"]), body: Buffer.concat(chunks) });
      res.writeHead(200, { "content-type": String(req.headers["content-type"]) }).end();
    });
  });
  const saved = { ...process.env };
  let tracing: RunningTracing | null = null;
  let gw: TestGateway;

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.address() as AddressInfo;
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${port}`;
    process.env.OTEL_SERVICE_NAME = "gateway-otlp-test";
    delete process.env.OTEL_TRACES_EXPORTER;
    delete process.env.OTEL_SDK_DISABLED;
    tracing = await startTracing();
    gw = await startGateway();
  });

  afterAll(async () => {
    await gw?.close();
    await tracing?.shutdown();
    await new Promise((resolve) => receiver.close(resolve));
    process.env = saved;
  });

  test("one query's spans arrive at /v1/traces, under the configured service name and the caller's trace id", async () => {
    expect(tracing).not.toBeNull();
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const res = await gw.gql(`query ExportMe { households(first: 1) { totalCount } }`, {}, undefined, { traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    expect(res.errors).toBeUndefined();
    await tracing!.shutdown(); // flushes the batch processor
    tracing = null;
    expect(received.length).toBeGreaterThan(0);
    for (const r of received) expect(r.path).toBe("/v1/traces");
    const body = Buffer.concat(received.map((r) => r.body));
    // OTLP/HTTP protobuf (the default protocol) or JSON: either way the strings are there as they are, the
    // trace id as 16 raw bytes (protobuf) or hex (JSON)
    const json = received.every((r) => r.contentType.includes("json"));
    expect(body.includes(json ? Buffer.from(traceId) : Buffer.from(traceId, "hex"))).toBe(true);
    for (const s of ["gateway-otlp-test", "query ExportMe", "graphql.operation.name", "POST /graphql", "db.query"]) expect(body.includes(Buffer.from(s)), s).toBe(true);
  });
});

/**
 * Issue 11, point 5: every bad input gets a stable code, never a 500, and changes nothing.
 *
 * A table of bad inputs sent over real HTTP to a real gateway (the department sandboxes behind it, the
 * access log on, a generated registry). For each one: the HTTP status, the answer in the GraphQL error
 * shape { errors: [{ message, extensions: { code, requestId } }] } with the expected code (and reason or
 * field where one is stable), the request id equal to the x-request-id header, no upstream request (the
 * sandboxes' own counters and the gateway's gateway_upstream_requests_total agree), no change to any
 * registry table (row counts and a digest of every row), and — for a request that reached GraphQL (a
 * verified principal, a request Apollo could read) — exactly one access record with the expected outcome
 * and the code among its error codes; for one refused before GraphQL, no access record at all.
 *
 * Controls: the same requests without the fault do reach the sandboxes, do change the database and do
 * leave a record, so each check can fail.
 */
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startGateway, TEST_EDGE, type TestGateway } from "../helpers/gateway.js";
import { runSeed } from "../../dev/seed/run.js";
import { createVerifier } from "../../src/auth/verify.js";
import { b64json, claims, jwksOf, makeKey, sign, testConfig, type TestKey } from "../auth/helpers.js";
import { makeIdNumber } from "../../src/domain/idnumber.js";
import { MAX_INPUT_DEPTH } from "../../src/app/edge/input-guard.js";

const SEED = 11;
const AS_OF = "2026-11-01";
const PERSONS = 60;

let gw: TestGateway;
let key: TestKey;
let civil: string;
let auditor: string;
let streetOffice: string;
let household: { id: string; streetCode: string; districtCode: string; version: number };
/** a street whose households have members with department records (a query over it calls the sandboxes) */
let busyStreet: string;
/** how many households the registry has in busyStreet (raw rows) */
let busyStreetHouseholds: number;

beforeAll(async () => {
  key = await makeKey("ES256", "bad-inputs-key");
  const verifier = createVerifier(testConfig(), { kind: "local", jwks: jwksOf(key), source: "test" });
  gw = await startGateway({
    verifier,
    audit: true,
    seed: async (db) => {
      await runSeed({ sql: db.sql, seed: SEED, asOf: AS_OF, persons: PERSONS, progress: "none" });
    },
    sandboxes: { seed: SEED, asOf: AS_OF, persons: PERSONS },
  });
  const long = { exp: Math.floor(Date.now() / 1000) + 6 * 3600 };
  civil = await sign(key, claims(long));
  auditor = await sign(key, claims({ ...long, sub: "auditor-1", dept: "auditor", purpose: "edge review" }));
  const h = await gw.db.prisma.household.findFirstOrThrow({ orderBy: { id: "asc" } });
  household = { id: h.id, streetCode: h.streetCode, districtCode: h.districtCode, version: h.version };
  streetOffice = await sign(key, claims({ ...long, sub: "street-1", dept: "street_office", jurisdiction: { streets: [h.streetCode] } }));
  const counts = await gw.db.prisma.household.groupBy({ by: ["streetCode"], _count: true, orderBy: { _count: { streetCode: "desc" } } });
  busyStreet = counts[0].streetCode;
  busyStreetHouseholds = counts[0]._count;
}, 180_000);
afterAll(async () => gw?.close());

// ------------------------------------------------------------------------------------------------
// the oracles: upstream counters, the database, the access log

async function upstreamRequests(): Promise<{ sandboxes: number; metric: number }> {
  let sandboxes = 0;
  for (const url of Object.values(gw.sandboxes!.urls)) sandboxes += ((await (await fetch(`${url}/__sandbox/stats`)).json()) as { requests: number }).requests;
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  const metric = text
    .split("\n")
    .filter((l) => l.startsWith("gateway_upstream_requests_total{"))
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
  return { sandboxes, metric };
}

let tables: string[] | null = null;
/** Every registry table's row count and a digest of all its rows (the access log aside). */
async function registryFingerprint(): Promise<Record<string, string>> {
  tables ??= (
    await gw.db.sql.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
         AND table_name NOT IN ('audit_log', 'audit_checkpoint', 'audit_head', '_prisma_migrations') ORDER BY table_name`,
    )
  ).map((r) => r.t);
  expect(tables.length).toBeGreaterThan(5);
  const out: Record<string, string> = {};
  for (const t of tables) {
    const [row] = await gw.db.sql.query<{ n: string; d: string | null }>(
      `SELECT count(*)::text AS n, md5(string_agg(x::text, '|' ORDER BY x::text)) AS d FROM "${t}" x`,
    );
    out[t] = `${row.n}:${row.d ?? ""}`;
  }
  return out;
}

const auditCount = async () => Number((await gw.db.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM audit_log`))[0].n);
const recordsOf = (requestId: string) =>
  gw.db.sql.query<{ outcome: string; error_codes: string[]; operation_type: string; operation_name: string | null }>(
    `SELECT outcome, error_codes, operation_type, operation_name FROM audit_log WHERE request_id = $1`,
    [requestId],
  );

// ------------------------------------------------------------------------------------------------
// sending: raw HTTP, so that duplicate headers, any content type and any bytes can be sent

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

interface Req {
  method?: string;
  path?: string;
  /** default: the civil-affairs token; null: no Authorization header */
  token?: string | null;
  headers?: Record<string, string | string[]>;
  /** a string or Buffer is sent as is; anything else as JSON */
  body?: unknown;
  contentType?: string | null;
}

function send(r: Req): Promise<Answer> {
  const token = r.token === undefined ? civil : r.token;
  const body = r.body === undefined ? undefined : typeof r.body === "string" || Buffer.isBuffer(r.body) ? r.body : JSON.stringify(r.body);
  const headers: Record<string, string | string[]> = {
    ...(body !== undefined && r.contentType !== null ? { "content-type": r.contentType ?? "application/json" } : {}),
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...r.headers,
  };
  if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
  const url = new URL(r.path ?? "/graphql", gw.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: r.method ?? (body === undefined ? "GET" : "POST"), headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Bytes on a socket, the answer read until the server closes it (for what the HTTP parser refuses). */
function sendRaw(bytes: string): Promise<Answer> {
  const { hostname, port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", () => undefined); // the server destroys the socket after answering
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const [head, ...rest] = text.split("\r\n\r\n");
      const [statusLine, ...lines] = head.split("\r\n");
      const status = Number(statusLine.split(" ")[1]);
      if (!status) return reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const headers: Record<string, string> = {};
      for (const l of lines) headers[l.slice(0, l.indexOf(":")).toLowerCase()] = l.slice(l.indexOf(":") + 1).trim();
      resolve({ status, headers, text: rest.join("\r\n\r\n") });
    });
    socket.write(bytes);
  });
}

const gql = (query: string, variables?: unknown, extra: Partial<Req> & { operationName?: unknown } = {}): Req => {
  const { operationName, ...rest } = extra;
  return { body: { query, ...(variables === undefined ? {} : { variables }), ...(operationName === undefined ? {} : { operationName }) }, ...rest };
};

/** `{"a":{"a":...1...}}` n levels deep, as text (JSON.stringify itself would recurse) */
const deepObject = (n: number) => `${'{"a":'.repeat(n)}"x"${"}".repeat(n)}`;
const deepList = (n: number) => `${"[".repeat(n)}"x"${"]".repeat(n)}`;
const rawGql = (query: string, variablesJson: string) => ({ body: `{"query":${JSON.stringify(query)},"variables":${variablesJson}}` });

// ------------------------------------------------------------------------------------------------
// the table

type Outcome = "REFUSED" | "ERROR";
interface Case {
  name: string;
  send: Req | (() => Promise<Answer>);
  status: number;
  code: string;
  reason?: string;
  field?: string;
  /** the access record it leaves: null = refused before GraphQL (no record at all) */
  record: Outcome | null;
}

const HOUSEHOLDS_BY_STREET = `query ByStreet($s: String) { households(first: 20, filter: { street: $s }) { edges { node { id members { name education { schoolName } employment { status } } } } } }`;
const PERSON = `query P($n: String!) { person(idNumber: $n) { name education { schoolName } } }`;
const HOUSEHOLD = `query H($id: ID!) { household(id: $id) { id members { education { schoolName } } } }`;
const REGISTER = `mutation R($input: RegisterHouseholdInput!) { registerHousehold(input: $input) { id } }`;
const UPDATE = `mutation U($id: ID!, $v: Int!, $input: UpdateHouseholdInput!) { updateHousehold(id: $id, version: $v, input: $input) { id version } }`;
const registration = (over: { address?: string; name?: string; idNumber?: string; description?: string } = {}) => ({
  districtCode: "%DISTRICT%",
  streetCode: "%STREET%",
  address: over.address ?? "重庆市渝中区测试路 1 号",
  hukou: "URBAN",
  assets: [{ kind: "DEPOSIT", valueFen: 100, description: over.description ?? "活期" }],
  members: [
    { idNumber: over.idNumber ?? makeIdNumber("500103", "1980-01-01", 901), name: over.name ?? "测试人", relation: "HEAD", workAbility: "FULL", selfCare: "FULL" },
  ],
});
const NUL = "\u0000";
const HIGH = "\uD800";
const LOW = "\uDC00";

const cases = (): Case[] => [
  // --- refused by Fastify or by Apollo before a GraphQL request exists: no access record
  { name: "body larger than BODY_LIMIT_BYTES", send: gql(`{ __typename }`, { x: "x".repeat(TEST_EDGE.BODY_LIMIT_BYTES) }), status: 413, code: "PAYLOAD_TOO_LARGE", record: null },
  { name: "content-type application/x-www-form-urlencoded", send: { body: "query=%7B__typename%7D", contentType: "application/x-www-form-urlencoded" }, status: 415, code: "UNSUPPORTED_MEDIA_TYPE", record: null },
  { name: "content-type multipart/form-data", send: { body: "--x\r\n\r\n--x--", contentType: "multipart/form-data; boundary=x" }, status: 415, code: "UNSUPPORTED_MEDIA_TYPE", record: null },
  { name: "content-type application/xml", send: { body: "<query/>", contentType: "application/xml" }, status: 415, code: "UNSUPPORTED_MEDIA_TYPE", record: null },
  { name: "content-type text/plain (a CSRF-able simple request)", send: { body: JSON.stringify({ query: "{ __typename }" }), contentType: "text/plain" }, status: 400, code: "BAD_REQUEST", reason: "CSRF_PREVENTION", record: null },
  { name: "malformed JSON", send: { body: `{"query": "{ __typename }"` }, status: 400, code: "BAD_REQUEST", reason: "MALFORMED_JSON", record: null },
  { name: "JSON with a trailing comma", send: { body: `{"query": "{ __typename }",}` }, status: 400, code: "BAD_REQUEST", reason: "MALFORMED_JSON", record: null },
  { name: "not JSON at all", send: { body: "hello" }, status: 400, code: "BAD_REQUEST", reason: "MALFORMED_JSON", record: null },
  {
    name: "a body that is not UTF-8 (a Latin-1 byte in a string)",
    send: { body: Buffer.concat([Buffer.from('{"query":"{ person(idNumber: \\"'), Buffer.from([0xe9]), Buffer.from('\\") { name } }"}')]) },
    status: 400,
    code: "BAD_REQUEST",
    reason: "INVALID_UTF8",
    record: null,
  },
  {
    name: "an overlong UTF-8 NUL (C0 80) in a variable",
    send: { body: Buffer.concat([Buffer.from(`{"query":${JSON.stringify(PERSON)},"variables":{"n":"a`), Buffer.from([0xc0, 0x80]), Buffer.from('"}}')]) },
    status: 400,
    code: "BAD_REQUEST",
    reason: "INVALID_UTF8",
    record: null,
  },
  {
    name: "a surrogate encoded in UTF-8 (ED A0 80) in a variable",
    send: { body: Buffer.concat([Buffer.from(`{"query":${JSON.stringify(PERSON)},"variables":{"n":"a`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}}')]) },
    status: 400,
    code: "BAD_REQUEST",
    reason: "INVALID_UTF8",
    record: null,
  },
  { name: "a __proto__ key in the body", send: { body: `{"query":"{ __typename }","__proto__":{"isAdmin":true}}` }, status: 400, code: "BAD_REQUEST", reason: "MALFORMED_JSON", record: null },
  { name: "a constructor.prototype key in the variables", send: { body: `{"query":"{ __typename }","variables":{"constructor":{"prototype":{"x":1}}}}` }, status: 400, code: "BAD_REQUEST", reason: "MALFORMED_JSON", record: null },
  { name: "an empty JSON body", send: { body: "" }, status: 400, code: "BAD_REQUEST", reason: "EMPTY_BODY", record: null },
  { name: "a JSON array (batched operations)", send: { body: [{ query: "{ __typename }" }, { query: "{ __typename }" }] }, status: 400, code: "BAD_REQUEST", reason: "BATCHING_DISABLED", record: null },
  { name: "a JSON string body", send: { body: `"{ __typename }"` }, status: 400, code: "BAD_REQUEST", reason: "MALFORMED_REQUEST", record: null },
  { name: "a JSON null body", send: { body: "null" }, status: 400, code: "BAD_REQUEST", record: null },
  { name: "an empty JSON object", send: { body: {} }, status: 400, code: "BAD_REQUEST", reason: "MALFORMED_REQUEST", record: null },
  { name: "query is a number", send: { body: { query: 5 } }, status: 400, code: "BAD_REQUEST", reason: "MALFORMED_REQUEST", record: null },
  { name: "variables is a JSON-encoded string", send: { body: { query: HOUSEHOLD, variables: JSON.stringify({ id: "x" }) } }, status: 400, code: "BAD_REQUEST", reason: "MALFORMED_REQUEST", record: null },
  { name: "variables is an array", send: { body: { query: HOUSEHOLD, variables: [1] } }, status: 400, code: "BAD_REQUEST", reason: "MALFORMED_REQUEST", record: null },
  { name: "operationName is a number", send: { body: { query: HOUSEHOLD, operationName: 3 } }, status: 400, code: "BAD_REQUEST", reason: "MALFORMED_REQUEST", record: null },
  { name: "extensions is a string", send: { body: { query: "{ __typename }", extensions: "x" } }, status: 400, code: "BAD_REQUEST", reason: "MALFORMED_REQUEST", record: null },
  { name: "GET without a CSRF preflight header", send: { path: `/graphql?query=${encodeURIComponent("{ __typename }")}` }, status: 400, code: "BAD_REQUEST", reason: "CSRF_PREVENTION", record: null },
  { name: "GET /nope (no such route)", send: { path: "/nope" }, status: 404, code: "ROUTE_NOT_FOUND", record: null },
  { name: "POST /graphql/extra (no such route)", send: { path: "/graphql/extra", body: { query: "{ __typename }" } }, status: 404, code: "ROUTE_NOT_FOUND", record: null },
  { name: "PUT /graphql", send: { method: "PUT", body: { query: "{ __typename }" } }, status: 404, code: "ROUTE_NOT_FOUND", record: null },
  {
    name: "request headers larger than the HTTP parser accepts (431)",
    send: () => sendRaw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`),
    status: 431,
    code: "HEADERS_TOO_LARGE",
    record: null,
  },
  { name: "bytes that are not HTTP", send: () => sendRaw("HELLO THERE\r\n\r\n"), status: 400, code: "BAD_REQUEST", reason: "MALFORMED_HTTP", record: null },

  // --- refused at authentication (401, no principal, no record)
  { name: "no Authorization header", send: { ...gql(`{ __typename }`), token: null }, status: 401, code: "UNAUTHENTICATED", reason: "MISSING_TOKEN", record: null },
  { name: "Basic authentication", send: { ...gql(`{ __typename }`), token: null, headers: { authorization: "Basic dXNlcjpwYXNz" } }, status: 401, code: "UNAUTHENTICATED", reason: "MISSING_TOKEN", record: null },
  { name: "a token that is not a JWT", send: { ...gql(`{ __typename }`), token: "not-a-token" }, status: 401, code: "UNAUTHENTICATED", reason: "MALFORMED_TOKEN", record: null },
  { name: 'alg "none"', send: { ...gql(`{ __typename }`), token: `${b64json({ alg: "none", typ: "JWT" })}.${b64json(claims())}.` }, status: 401, code: "UNAUTHENTICATED", reason: "ALGORITHM_NOT_ALLOWED", record: null },
  {
    name: "two Authorization headers (the second one valid)",
    send: () => send({ ...gql(`{ __typename }`), token: null, headers: { authorization: ["Bearer not-a-token", `Bearer ${civil}`] } }),
    status: 401,
    code: "UNAUTHENTICATED",
    reason: "DUPLICATE_AUTHORIZATION",
    record: null,
  },
  {
    name: "two identical valid Authorization headers",
    send: () => send({ ...gql(`{ __typename }`), token: null, headers: { authorization: [`Bearer ${civil}`, `Bearer ${civil}`] } }),
    status: 401,
    code: "UNAUTHENTICATED",
    reason: "DUPLICATE_AUTHORIZATION",
    record: null,
  },
  {
    name: "iat an hour in the future",
    send: async () => send({ ...gql(`{ __typename }`), token: await sign(key, claims({ iat: Math.floor(Date.now() / 1000) + 3600, exp: Math.floor(Date.now() / 1000) + 7200 })) }),
    status: 401,
    code: "UNAUTHENTICATED",
    reason: "TOKEN_NOT_YET_VALID",
    record: null,
  },
  {
    name: "iat a day in the future",
    send: async () => send({ ...gql(`{ __typename }`), token: await sign(key, claims({ iat: Math.floor(Date.now() / 1000) + 86_400, exp: Math.floor(Date.now() / 1000) + 90_000 })) }),
    status: 401,
    code: "UNAUTHENTICATED",
    reason: "TOKEN_NOT_YET_VALID",
    record: null,
  },
  {
    name: "signed by a key the gateway does not trust",
    send: async () => send({ ...gql(`{ __typename }`), token: await sign(await makeKey("ES256", "bad-inputs-key"), claims()) }),
    status: 401,
    code: "UNAUTHENTICATED",
    reason: "INVALID_SIGNATURE",
    record: null,
  },

  // --- refused by GraphQL before execution: a REFUSED access record
  { name: "a syntax error", send: gql(`{ households(`), status: 400, code: "GRAPHQL_PARSE_FAILED", record: "REFUSED" },
  { name: "an empty query", send: gql(``), status: 400, code: "BAD_REQUEST", record: "REFUSED" },
  { name: "an unknown field", send: gql(`{ nope }`), status: 400, code: "GRAPHQL_VALIDATION_FAILED", record: "REFUSED" },
  { name: "depth 9", send: gql(`query($id: ID!) { household(id: $id) { members { household { members { household { members { education { aid { amountFen } } } } } } } } }`, { id: "x" }), status: 400, code: "GRAPHQL_VALIDATION_FAILED", record: "REFUSED" },
  { name: "16 aliases", send: gql(`{ ${Array.from({ length: 16 }, (_, i) => `a${i}: households(first: 1) { totalCount }`).join(" ")} }`), status: 400, code: "GRAPHQL_VALIDATION_FAILED", record: "REFUSED" },
  { name: "50,000 tokens", send: gql(`{ ${"__typename ".repeat(50_000)}}`), status: 400, code: "GRAPHQL_VALIDATION_FAILED", record: "REFUSED" },
  { name: "first: 99999999 as a literal (cost)", send: gql(`{ households(first: 99999999) { edges { node { members { education { schoolName } } } } } }`), status: 400, code: "GRAPHQL_VALIDATION_FAILED", record: "REFUSED" },
  { name: "a fragment cycle", send: gql(`{ households(first: 1) { ...A } } fragment A on HouseholdConnection { totalCount ...B } fragment B on HouseholdConnection { ...A }`), status: 400, code: "GRAPHQL_VALIDATION_FAILED", record: "REFUSED" },
  { name: "an unused variable", send: gql(`query($x: String) { households(first: 1) { totalCount } }`, { x: "a" }), status: 400, code: "GRAPHQL_VALIDATION_FAILED", record: "REFUSED" },
  {
    name: "two operations without operationName",
    send: gql(`query A { households(first: 1) { totalCount } } query B { households(first: 2) { totalCount } }`),
    status: 400,
    code: "OPERATION_RESOLUTION_FAILURE",
    record: "REFUSED",
  },
  {
    name: "an unknown operationName",
    send: gql(`query A { households(first: 1) { totalCount } } query B { households(first: 2) { totalCount } }`, undefined, { operationName: "C" }),
    status: 400,
    code: "OPERATION_RESOLUTION_FAILURE",
    record: "REFUSED",
  },
  {
    name: "an unknown operationName with one operation",
    send: gql(`query A { households(first: 1) { totalCount } }`, undefined, { operationName: "Nope" }),
    status: 400,
    code: "OPERATION_RESOLUTION_FAILURE",
    record: "REFUSED",
  },
  {
    name: "an operationName holding NUL",
    send: gql(`query A { households(first: 1) { totalCount } }`, undefined, { operationName: `A${NUL}` }),
    status: 400,
    code: "OPERATION_RESOLUTION_FAILURE",
    record: "REFUSED",
  },
  // valid subscriptions (Subscription.alertRaised exists since issue 16): refused over HTTP before anything runs
  { name: "a subscription", send: gql(`subscription S { alertRaised { class } }`), status: 400, code: "SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP", record: "REFUSED" },
  { name: "an anonymous subscription", send: gql(`subscription { alertRaised { class } }`), status: 400, code: "SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP", record: "REFUSED" },
  {
    name: "a subscription picked by operationName",
    send: gql(`query Q { households(first: 1) { totalCount } } subscription S { alertRaised { class } }`, undefined, { operationName: "S" }),
    status: 400,
    code: "SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP",
    record: "REFUSED",
  },
  {
    name: "an automatic persisted query (not served)",
    send: { body: { extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } } },
    status: 200, // Apollo's automatic-persisted-queries protocol: clients expect 200 and fall back to sending the query
    code: "PERSISTED_QUERY_NOT_SUPPORTED",
    record: "REFUSED",
  },
  {
    name: "a mutation over GET",
    send: { path: `/graphql?query=${encodeURIComponent(`mutation { closeNeed(id: "x") { id } }`)}`, headers: { "apollo-require-preflight": "1" } },
    status: 405,
    code: "BAD_REQUEST",
    reason: "GET_NOT_QUERY",
    record: "REFUSED",
  },
  { name: "an auditor calling a mutation", send: { ...gql(UPDATE, { id: "x", v: 1, input: { status: "MONITORED" } }), token: "AUDITOR" }, status: 403, code: "FORBIDDEN", record: "REFUSED" },

  // variables nested deep (the audit digest used to recurse over them)
  { name: `a declared variable nested 5,000 deep`, send: rawGql(`query($f: HouseholdFilter) { households(first: 1, filter: $f) { totalCount } }`, `{"f":${deepObject(5000)}}`), status: 400, code: "BAD_USER_INPUT", reason: "TOO_DEEP", record: "REFUSED" },
  { name: `an undeclared variable nested 5,000 deep`, send: rawGql(HOUSEHOLDS_BY_STREET, `{"s":"x","extra":${deepObject(5000)}}`), status: 400, code: "BAD_USER_INPUT", reason: "TOO_DEEP", record: "REFUSED" },
  { name: `a list variable nested 100,000 deep`, send: rawGql(REGISTER, `{"input":${deepList(100_000)}}`), status: 400, code: "BAD_USER_INPUT", reason: "TOO_DEEP", record: "REFUSED" },
  { name: `a variable nested ${MAX_INPUT_DEPTH + 1} deep (one over the limit)`, send: rawGql(HOUSEHOLDS_BY_STREET, `{"s":"x","extra":${deepObject(MAX_INPUT_DEPTH + 1)}}`), status: 400, code: "BAD_USER_INPUT", reason: "TOO_DEEP", record: "REFUSED" },

  // NUL and lone surrogates, in variables (any depth) and literals: BAD_USER_INPUT naming the path, before any SQL or upstream call
  { name: "NUL in a string variable", send: gql(HOUSEHOLDS_BY_STREET, { s: `%BUSY%${NUL}` }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$s", record: "REFUSED" },
  { name: "NUL alone as a variable", send: gql(HOUSEHOLDS_BY_STREET, { s: NUL }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$s", record: "REFUSED" },
  { name: "NUL in an ID number", send: gql(PERSON, { n: `500103198001010016${NUL}` }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$n", record: "REFUSED" },
  { name: "NUL in an ID variable", send: gql(HOUSEHOLD, { id: `${"0".repeat(8)}${NUL}` }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$id", record: "REFUSED" },
  { name: "NUL in an input object field", send: gql(`query($f: HouseholdFilter) { households(first: 1, filter: $f) { totalCount } }`, { f: { street: `a${NUL}` } }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$f.street", record: "REFUSED" },
  {
    name: "NUL in the second element of a list",
    send: gql(REGISTER, { input: { ...registration(), members: [registration().members[0], { ...registration().members[0], idNumber: `5001${NUL}` }] } }),
    status: 400,
    code: "BAD_USER_INPUT",
    reason: "INVALID_CHARACTER",
    field: "$input.members.1.idNumber",
    record: "REFUSED",
  },
  { name: "NUL in a registration's address", send: gql(REGISTER, { input: registration({ address: `测试路${NUL}1 号` }) }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$input.address", record: "REFUSED" },
  { name: "NUL in a member's name", send: gql(REGISTER, { input: registration({ name: `测${NUL}` }) }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$input.members.0.name", record: "REFUSED" },
  { name: "NUL in an asset description", send: gql(REGISTER, { input: registration({ description: NUL }) }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$input.assets.0.description", record: "REFUSED" },
  { name: "NUL in an update's address (street office)", send: { ...gql(UPDATE, { id: "%HOUSEHOLD%", v: "%VERSION%", input: { address: `x${NUL}` } }), token: "STREET" }, status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$input.address", record: "REFUSED" },
  { name: "NUL in a variable's key", send: gql(`query($f: HouseholdFilter) { households(first: 1, filter: $f) { totalCount } }`, { f: { [`street${NUL}`]: "a" } }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", record: "REFUSED" },
  { name: "NUL in an unused extra variable", send: gql(HOUSEHOLDS_BY_STREET, { s: "%BUSY%", extra: [{ deep: [`x${NUL}`] }] }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$extra.0.deep.0", record: "REFUSED" },
  { name: "NUL escaped in a literal argument", send: gql(`{ households(first: 5, filter: { street: "a\\u0000b" }) { edges { node { members { education { schoolName } } } } } }`), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "filter.street", record: "REFUSED" },
  { name: "NUL escaped in a literal ID number", send: gql(`{ person(idNumber: "500103198001010016\\u0000") { name education { schoolName } } }`), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "idNumber", record: "REFUSED" },
  {
    name: "NUL escaped in a literal list",
    send: gql(
      `mutation { registerHousehold(input: { districtCode: "500103", streetCode: "500103001", address: "x", hukou: URBAN, members: [{ idNumber: "500103198001010016", name: "n", relation: HEAD, workAbility: FULL, selfCare: FULL }, { idNumber: "500103198001010016", name: "\\u0000", relation: SPOUSE, workAbility: FULL, selfCare: FULL }] }) { id } }`,
    ),
    status: 400,
    code: "BAD_USER_INPUT",
    reason: "INVALID_CHARACTER",
    field: "input.members.1.name",
    record: "REFUSED",
  },
  {
    name: "NUL escaped in a literal mutation input",
    send: gql(
      `mutation { registerHousehold(input: { districtCode: "500103", streetCode: "500103001", address: "x\\u0000", hukou: URBAN, members: [{ idNumber: "500103198001010016", name: "n", relation: HEAD, workAbility: FULL, selfCare: FULL }] }) { id } }`,
    ),
    status: 400,
    code: "BAD_USER_INPUT",
    reason: "INVALID_CHARACTER",
    field: "input.address",
    record: "REFUSED",
  },
  { name: "NUL escaped in a fragment's argument", send: gql(`{ ...F } fragment F on Query { person(idNumber: "\\u0000") { name } }`), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "idNumber", record: "REFUSED" },
  { name: "NUL escaped in a variable's default", send: gql(`query($s: String = "\\u0000") { households(first: 1, filter: { street: $s }) { totalCount } }`), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$s", record: "REFUSED" },
  { name: "a raw NUL inside a string literal", send: gql(`{ person(idNumber: "a${NUL}b") { name } }`), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "idNumber", record: "REFUSED" },
  { name: "a lone high surrogate in a variable", send: gql(HOUSEHOLDS_BY_STREET, { s: `%BUSY%${HIGH}` }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$s", record: "REFUSED" },
  { name: "a lone low surrogate in a variable", send: gql(HOUSEHOLDS_BY_STREET, { s: `${LOW}%BUSY%` }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$s", record: "REFUSED" },
  { name: "two high surrogates in a row", send: gql(PERSON, { n: `${HIGH}${HIGH}` }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$n", record: "REFUSED" },
  { name: "a lone surrogate in a member's name", send: gql(REGISTER, { input: registration({ name: `王${HIGH}` }) }), status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$input.members.0.name", record: "REFUSED" },
  { name: "a lone surrogate in an update's address", send: { ...gql(UPDATE, { id: "%HOUSEHOLD%", v: "%VERSION%", input: { address: `路${LOW}` } }), token: "STREET" }, status: 400, code: "BAD_USER_INPUT", reason: "INVALID_CHARACTER", field: "$input.address", record: "REFUSED" },
  { name: "a lone surrogate escaped in a literal", send: gql(`{ person(idNumber: "\\uD800") { name } }`), status: 400, code: "GRAPHQL_PARSE_FAILED", record: "REFUSED" },
  { name: "a raw lone surrogate in a literal", send: gql(`{ person(idNumber: "${HIGH}") { name } }`), status: 400, code: "GRAPHQL_PARSE_FAILED", record: "REFUSED" },

  // variables that do not coerce: refused before execution (400, no data)
  { name: "a number for a String variable", send: gql(PERSON, { n: 5 }), status: 400, code: "BAD_USER_INPUT", record: "REFUSED" },
  { name: "a missing required variable", send: gql(PERSON, {}), status: 400, code: "BAD_USER_INPUT", record: "REFUSED" },
  { name: "an Int beyond 32 bits", send: gql(`query($n: Int!) { households(first: $n) { totalCount } }`, { n: 2 ** 31 }), status: 400, code: "BAD_USER_INPUT", record: "REFUSED" },
  { name: "an unknown enum value", send: gql(`query($f: HouseholdFilter) { households(first: 1, filter: $f) { totalCount } }`, { f: { status: "GONE" } }), status: 400, code: "BAD_USER_INPUT", record: "REFUSED" },
  { name: "an unknown input field", send: gql(`query($f: HouseholdFilter) { households(first: 1, filter: $f) { totalCount } }`, { f: { nope: 1 } }), status: 400, code: "BAD_USER_INPUT", record: "REFUSED" },
  { name: "a registration missing its members", send: gql(REGISTER, { input: { ...registration(), members: undefined } }), status: 400, code: "BAD_USER_INPUT", record: "REFUSED" },
  // the cost counts a variable's page size: refused before execution
  { name: "first: 99999999 through a variable", send: gql(`query($n: Int!) { households(first: $n) { edges { node { members { education { schoolName } } } } } }`, { n: 99_999_999 }), status: 400, code: "GRAPHQL_VALIDATION_FAILED", reason: "COST_LIMIT", record: "REFUSED" },

  // refused by a resolver before any read or upstream call: BAD_USER_INPUT beside data null (an ERROR record)
  { name: "first: 0", send: gql(`query($n: Int!) { households(first: $n) { edges { node { members { education { schoolName } } } } } }`, { n: 0 }), status: 200, code: "BAD_USER_INPUT", reason: "PAGE_SIZE", record: "ERROR" },
  { name: "first: 101 through a variable (within the cost limit)", send: gql(`query($n: Int!) { households(first: $n) { totalCount edges { node { members { education { schoolName } } } } } }`, { n: 101 }), status: 200, code: "BAD_USER_INPUT", reason: "PAGE_SIZE", record: "ERROR" },
  { name: "a garbage cursor", send: gql(`query($a: String) { households(first: 5, after: $a) { edges { node { members { education { schoolName } } } } } }`, { a: "garbage" }), status: 200, code: "BAD_USER_INPUT", reason: "INVALID_CURSOR", record: "ERROR" },
  { name: "a registration with an invalid ID number", send: gql(REGISTER, { input: registration({ idNumber: "500103198001010010" }) }), status: 200, code: "BAD_USER_INPUT", reason: "INVALID_ID_NUMBER", record: "ERROR" },
];

// ------------------------------------------------------------------------------------------------

/** Codes and ids known only once the registry is seeded (the table is built before that). */
const placeholders = (json: string) =>
  json
    .replaceAll("%HOUSEHOLD%", household.id)
    .replaceAll("%DISTRICT%", household.districtCode)
    .replaceAll("%STREET%", household.streetCode)
    .replaceAll("%BUSY%", busyStreet)
    .replaceAll('"%VERSION%"', String(household.version));

async function run(c: Case): Promise<Answer> {
  if (typeof c.send === "function") return c.send();
  const r = { ...c.send };
  if (r.token === "AUDITOR") r.token = auditor;
  if (r.token === "STREET") r.token = streetOffice;
  if (r.body && typeof r.body === "object" && !Buffer.isBuffer(r.body)) r.body = JSON.parse(placeholders(JSON.stringify(r.body)));
  else if (typeof r.body === "string" && r.body.length < 100_000) r.body = placeholders(r.body);
  return send(r);
}

describe("every bad input: a stable code, no 500, nothing upstream, nothing changed, an access record when it reached GraphQL", () => {
  test("the table holds at least 60 bad inputs, each named once", () => {
    const names = cases().map((c) => c.name);
    expect(names.length).toBeGreaterThanOrEqual(60);
    expect(new Set(names).size).toBe(names.length);
  });

  test.each(cases().map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const [up0, db0, log0] = [await upstreamRequests(), await registryFingerprint(), await auditCount()];
    const res = await run(c);
    const [up1, db1, log1] = [await upstreamRequests(), await registryFingerprint(), await auditCount()];

    // the answer
    expect(res.status, res.text.slice(0, 400)).toBe(c.status);
    expect(res.headers["content-type"]).toMatch(/json/);
    const body = JSON.parse(res.text) as { data?: unknown; errors?: { message: unknown; extensions?: Record<string, unknown> }[] };
    expect(body.errors, res.text.slice(0, 400)).toBeInstanceOf(Array);
    const requestId = res.headers["x-request-id"];
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const error = body.errors!.find((e) => e.extensions?.code === c.code);
    expect(error, res.text.slice(0, 400)).toBeDefined();
    for (const e of body.errors!) {
      expect(typeof e.message).toBe("string");
      expect(e.extensions?.code).not.toBe("INTERNAL_SERVER_ERROR");
      expect(e.extensions?.requestId).toBe(requestId);
    }
    if (c.reason) expect(error!.extensions!.reason).toBe(c.reason);
    if (c.field) expect(error!.extensions!.field).toBe(c.field);
    if (c.status !== 200) expect(body.data).toBeUndefined();
    else expect(body.data == null || Object.values(body.data as object).every((v) => v === null)).toBe(true);
    expect(res.text).not.toMatch(/\bat \S+:\d+:\d+|prisma|pglite|postgres|SELECT |stack/i);

    // nothing upstream, nothing changed
    expect(up1.sandboxes - up0.sandboxes, "no request reached a department system").toBe(0);
    expect(up1.metric - up0.metric, "the gateway counted no upstream request").toBe(0);
    expect(db1, "no registry table changed").toEqual(db0);

    // the access record
    const records = await recordsOf(String(requestId));
    if (c.record === null) {
      expect(records).toEqual([]);
      expect(log1).toBe(log0);
    } else {
      expect(log1).toBe(log0 + 1);
      expect(records).toHaveLength(1);
      expect(records[0].outcome).toBe(c.record);
      expect(records[0].error_codes).toContain(c.code);
    }
  });
});

describe("controls: without the fault the same requests do reach the sandboxes, change the database and leave a record", () => {
  test("the query by street reaches the department systems (both counters move together) and is recorded OK", async () => {
    const up0 = await upstreamRequests();
    const res = await send(gql(HOUSEHOLDS_BY_STREET, { s: busyStreet }));
    const up1 = await upstreamRequests();
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.errors).toBeUndefined();
    expect(body.data.households.edges.length).toBe(Math.min(20, busyStreetHouseholds)); // first: 20 of the street's rows
    expect(up1.sandboxes - up0.sandboxes).toBeGreaterThan(0);
    expect(up1.metric - up0.metric).toBe(up1.sandboxes - up0.sandboxes);
    const records = await recordsOf(String(res.headers["x-request-id"]));
    expect(records.map((r) => r.outcome)).toEqual(["OK"]);
  });

  test(`a variable nested ${MAX_INPUT_DEPTH} deep (the limit) is accepted and the query runs`, async () => {
    const res = await send({ body: `{"query":${JSON.stringify(HOUSEHOLDS_BY_STREET)},"variables":{"s":${JSON.stringify(busyStreet)},"extra":${deepObject(MAX_INPUT_DEPTH)}}}` });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const body = JSON.parse(res.text);
    expect(body.errors).toBeUndefined();
    expect(body.data.households.edges.length).toBe(Math.min(20, busyStreetHouseholds)); // first: 20 of the street's rows
  });

  test("the registration, without the NUL, changes the registry and is recorded", async () => {
    const db0 = await registryFingerprint();
    const res = await send(gql(REGISTER, JSON.parse(placeholders(JSON.stringify({ input: registration({ idNumber: makeIdNumber("500103", "1980-01-01", 902) }) })))));
    expect(JSON.parse(res.text).errors).toBeUndefined();
    const db1 = await registryFingerprint();
    expect(db1.household).not.toBe(db0.household);
    expect(db1.person).not.toBe(db0.person);
    const records = await recordsOf(String(res.headers["x-request-id"]));
    expect(records.map((r) => [r.outcome, r.operation_type])).toEqual([["OK", "mutation"]]);
  });

  test("a string with a proper surrogate pair (an emoji) and other control-free Unicode is accepted and stored as sent", async () => {
    const address = "重庆市渝中区 𠀀 路 😀 号";
    const res = await send({ ...gql(UPDATE, { id: household.id, v: household.version, input: { address } }), token: streetOffice });
    const body = JSON.parse(res.text);
    expect(body.errors).toBeUndefined();
    const row = await gw.db.prisma.household.findUniqueOrThrow({ where: { id: household.id } });
    expect(row.address).toBe(address);
    household.version = row.version;
  });

  test("a refused record names no operation the client made up: an operationName that is not a GraphQL name is left out", async () => {
    const res = await send(gql(`query A { households(first: 1) { totalCount } }`, undefined, { operationName: `A${NUL}` }));
    expect(res.status).toBe(400);
    const [record] = await recordsOf(String(res.headers["x-request-id"]));
    expect(record).toMatchObject({ outcome: "REFUSED", operation_type: "unresolved", operation_name: null });
    const named = await send(gql(`query A { households(first: 1) { totalCount } }`, undefined, { operationName: "Nope" }));
    expect((await recordsOf(String(named.headers["x-request-id"])))[0]).toMatchObject({ operation_type: "unresolved", operation_name: "Nope" });
  });
});

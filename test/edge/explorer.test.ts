/**
 * The explorer end to end, in headless Chromium (Debian's `chromium`, driven by playwright-core) against a
 * real gateway (department sandboxes, a generated registry), under a host name that is not localhost
 * (gateway.internal, mapped to loopback): over plain http, where a CSP with `upgrade-insecure-requests`
 * would make the browser fetch the page's own scripts over https and leave it blank.
 *
 * A token typed into GraphiQL's headers editor, a query typed into its operation editor, the Run button:
 * the result pane shows the person's name as the registry's own row holds it. With the token, the schema
 * re-fetched, the documentation lists the root fields of the printed schema.
 *
 * EXPLORER_SCREENSHOT=docs/explorer.png writes the README's screenshot.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { chromium, type Browser } from "playwright-core";
import { buildSchema } from "graphql";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { runSeed } from "../../dev/seed/run.js";

const CHROMIUM = "/usr/bin/chromium";
const SEED = 5;
const AS_OF = "2026-11-01";
const PERSONS = 40;
const HOST = "gateway.internal";
/** poll until the page shows it (a bound just under the test timeout of vitest.config.ts, only for a page that never does) */
const POLL = { timeout: 280_000, interval: 100 };

let gw: TestGateway;
let browser: Browser;
let profile: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`The explorer test needs Chromium at ${CHROMIUM}: install it with \`apt-get update && apt-get install -y chromium\` (Debian/Ubuntu)`);
  gw = await startGateway({
    seed: (db) => runSeed({ sql: db.sql, seed: SEED, asOf: AS_OF, persons: PERSONS, progress: "none" }),
    sandboxes: { seed: SEED, asOf: AS_OF, persons: PERSONS },
  });
  profile = mkdtempSync(path.join(os.tmpdir(), "explorer-chromium-"));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--host-resolver-rules=MAP ${HOST} 127.0.0.1`,
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await gw?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** Replaces the whole text of the Monaco editor inside `container` as a paste would. */
async function replaceText(page: import("playwright-core").Page, container: string, text: string) {
  await page.locator(`${container} .monaco-editor >> visible=true`).first().click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
}

test("GraphiQL on a non-localhost host name: a token in the headers editor, a query, the registry's value in the result", async () => {
  const [person] = await gw.db.sql.query<{ id_number: string; name: string }>(`SELECT id_number, name FROM person ORDER BY id LIMIT 1`);
  expect(person.name.length).toBeGreaterThan(0);
  const token = await gw.token({ audience: "civil_affairs", city: "500000" });

  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  // Playwright's own 30 s waits are not a property of the explorer: on a loaded machine (CI beside CPU burners)
  // loading 9 MB of GraphiQL can take longer. Waits end when the page is ready; vitest's test timeout bounds them.
  page.setDefaultTimeout(0);
  const violations: string[] = [];
  const failed: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (load|execute|create)/i.test(m.text())) violations.push(m.text());
  });
  page.on("pageerror", (e) => failed.push(e.message));
  const port = new URL(gw.url).port;
  const response = await page.goto(`http://${HOST}:${port}/`);
  expect(response!.status()).toBe(200);
  const csp = response!.headers()["content-security-policy"];
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain("upgrade-insecure-requests");
  await page.waitForSelector(".graphiql-query-editor .monaco-editor");

  await replaceText(page, ".graphiql-editor-tool", JSON.stringify({ Authorization: `Bearer ${token}` }));
  await replaceText(page, ".graphiql-query-editor", `{ person(idNumber: "${person.id_number}") { name } }`);
  await page.locator(".graphiql-execute-button").click();
  const result = page.locator(".graphiql-response");
  await expect.poll(async () => (await result.innerText()).replace(/\s+/g, " "), POLL).toContain(`"name": "${person.name}"`);
  expect(await result.innerText()).not.toContain("errors");

  // The documentation: the schema fetched by introspection with the token, listing the printed schema's root fields
  await page.locator('[aria-label^="Re-fetch GraphQL schema"]').click();
  await page.locator('[aria-label="Show Documentation Explorer"]').click();
  await page.locator(".graphiql-doc-explorer").getByText("Query", { exact: true }).first().click();
  const printed = buildSchema(readFileSync(new URL("../../schema/schema.graphql", import.meta.url), "utf8"));
  const rootFields = Object.keys(printed.getQueryType()!.getFields());
  for (const field of ["households", "person", "auditFindings"]) expect(rootFields).toContain(field);
  const docs = page.locator(".graphiql-doc-explorer");
  for (const field of ["households", "person", "auditFindings"]) await expect.poll(() => docs.innerText(), POLL).toContain(field);

  if (process.env.EXPLORER_SCREENSHOT) {
    await replaceText(
      page,
      ".graphiql-query-editor",
      `{ households(first: 3) { totalCount edges { node { registryNo address members { name relation age } } } } }`,
    );
    await page.locator('[aria-label^="Prettify"]').click();
    await page.locator(".graphiql-execute-button").click();
    await expect.poll(() => result.innerText(), POLL).toContain("totalCount");
    await page.screenshot({ path: process.env.EXPLORER_SCREENSHOT });
  }
  expect(violations, "no Content Security Policy violation").toEqual([]);
  expect(failed, "no script error").toEqual([]);
  await page.close();
});

test("production serves no explorer (and no introspection) unless EXPLORER=on", async () => {
  const INTROSPECTION = `{ __schema { queryType { name } } }`;
  for (const [EXPLORER, served] of [[undefined, false], ["on", true]] as const) {
    const prod = await startGateway({ edge: { NODE_ENV: "production", ...(EXPLORER ? { EXPLORER } : {}) } });
    try {
      const page = await fetch(`${prod.url}/`);
      expect(page.status).toBe(served ? 200 : 404);
      if (served) expect(await page.text()).toContain(`<script src="/explorer/graphiql.js">`);
      const introspection = await prod.gql(INTROSPECTION);
      expect(introspection.status).toBe(served ? 200 : 400);
      if (served) expect(introspection.data.__schema.queryType.name).toBe("Query");
    } finally {
      await prod.close();
    }
  }
});

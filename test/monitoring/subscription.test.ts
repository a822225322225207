/**
 * Subscription.alertRaised over graphql-ws on the gateway's own server: authenticated in connection_init,
 * each subscriber receives exactly the new alerts of its own view (what its audience may see) within its
 * jurisdiction — the oracle is the stored rows the run wrote, selected by view and street — and every
 * delivered alert is in the access log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createClient, type Client } from "graphql-ws";
import { startRun, workShards } from "../../src/features/monitoring/runs.js";
import { NOW, startMonitorHarness, waitForRun, type MonitorHarness } from "./helpers.js";

let h: MonitorHarness;
const clients: Client[] = [];

beforeAll(async () => {
  h = await startMonitorHarness({ alertFeed: true, audit: true });
  await workShards(h.deps, { concurrency: 2 });
}, 240_000);
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await h?.close();
});

async function connect(token: string): Promise<Client> {
  const client = createClient({ url: h.gw.url.replace(/^http/, "ws") + "/graphql", webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: false });
  clients.push(client);
  return client;
}

function subscribe(client: Client, query: string): { received: any[]; errors: unknown[]; started: Promise<void> } {
  const out = { received: [] as any[], errors: [] as unknown[], started: Promise.resolve() };
  client.subscribe({ query }, { next: (m) => (m.errors ? out.errors.push(m.errors) : out.received.push((m.data as any).alertRaised)), error: (e) => out.errors.push(e), complete: () => {} });
  return out;
}

describe("Subscription.alertRaised", () => {
  it("delivers new alerts only within the subscriber's department view and jurisdiction, recorded in the access log", async () => {
    // the population's busiest street, and a street of the district without a household of this population
    const streetA = (await h.gw.db.sql.query<{ street_code: string }>(`SELECT street_code FROM household GROUP BY street_code ORDER BY count(*) DESC, street_code LIMIT 1`))[0].street_code;
    const streetB = (await h.gw.db.sql.query<{ code: string }>(`SELECT code FROM street WHERE code <> $1 ORDER BY code LIMIT 1`, [streetA]))[0].code;
    const q = `subscription { alertRaised { key kind householdId personId department } }`;
    const civil = subscribe(await connect(await h.gw.token({ audience: "civil_affairs", city: "500000" })), q);
    const office = subscribe(await connect(await h.gw.token({ audience: "street_office", street: streetA })), q);
    const otherOffice = subscribe(await connect(await h.gw.token({ audience: "street_office", street: streetB })), q);
    const education = subscribe(await connect(await h.gw.token({ audience: "education", city: "500000" })), q);
    const disability = subscribe(await connect(await h.gw.token({ audience: "disability", street: streetA })), `subscription { alertRaised(filter: { kind: NEW_SEVERE_DISABILITY }) { key kind householdId } }`);
    // a bad token: the connection is refused, nothing is delivered
    const refused = subscribe(await connect("not-a-token"), q);
    await new Promise((r) => setTimeout(r, 500)); // the subscriptions reach the server

    const { run } = await startRun(h.deps, "FULL", NOW);
    const ended = await waitForRun(h, run.id);
    expect(ended.status).toBe("SUCCEEDED");

    const rows = (view: string, extra = "", params: unknown[] = []) =>
      h.gw.db.sql.query<{ alert_key: string }>(`SELECT alert_key FROM monitoring_alert WHERE view = $1 AND first_seen_run = $2 ${extra} ORDER BY alert_key`, [view, run.id, ...params]);
    const expected = {
      civil: (await rows("civil_affairs")).map((r) => r.alert_key),
      office: (await rows("civil_affairs", "AND street_code = $3", [streetA])).map((r) => r.alert_key),
      otherOffice: (await rows("civil_affairs", "AND street_code = $3", [streetB])).map((r) => r.alert_key),
      education: (await rows("education")).map((r) => r.alert_key),
      disability: (await rows("disability", "AND street_code = $3 AND kind = 'NEW_SEVERE_DISABILITY'", [streetA])).map((r) => r.alert_key),
    };
    expect(expected.office.length).toBeGreaterThan(0);
    expect(expected.education.length).toBeGreaterThan(0);
    expect(expected.education.length).toBeLessThan(expected.civil.length);
    // every expected alert arrives (the test's timeout bounds the wait), then nothing else is there
    const got = (s: { received: any[] }) => s.received.map((a) => a.key).sort();
    for (;;) {
      if (civil.received.length >= expected.civil.length && office.received.length >= expected.office.length && education.received.length >= expected.education.length && disability.received.length >= expected.disability.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(got(civil)).toEqual(expected.civil);
    expect(got(office)).toEqual(expected.office);
    expect(got(otherOffice)).toEqual(expected.otherOffice);
    expect(got(education)).toEqual(expected.education);
    expect(got(disability)).toEqual(expected.disability);
    expect(refused.received).toEqual([]);
    expect(refused.errors.length).toBeGreaterThan(0);

    // the access log: the office's subscription and each alert it received, with the household
    const log = await h.gw.db.sql.query<{ operation_type: string; households: string[] | null }>(
      `SELECT operation_type, household_ids AS households FROM audit_log WHERE audience = 'street_office' AND operation_type = 'subscription'`,
    );
    const disclosed = log.flatMap((r) => r.households ?? []);
    for (const a of office.received) expect(disclosed).toContain(a.householdId);
    expect(log.length).toBe(2 + office.received.length + otherOffice.received.length); // two subscriptions, each delivered alert
  }, 600_000);
});

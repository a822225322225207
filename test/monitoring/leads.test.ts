/**
 * Issue 16 §2, "leads appear for department-only persons the seed data sets up for it": the test population
 * (test/integration/harness.ts POPULATION, 1,500 registry persons) with the department-only persons the
 * sandboxes add (dev/seed/department-only.ts), the mirror synced by the gateway's own MirrorService (full
 * loads over HTTP), a full monitoring run, and `leads` paged to the end — compared with an oracle computed
 * here from the sandboxes' raw bulk export (fetched over HTTP: the systems' own wire records) and the raw
 * registry rows (SQL), by the rule as README "Monitoring runs" → "Leads" states it:
 *
 *   A person is a lead, once per (source, reason), when a department's record says
 *     education          hardship = true                           → HARDSHIP_STUDENT
 *                        necessary spending ≥ 10,000 yuan a year   → LARGE_EDUCATION_SPENDING
 *     employment         status = UNEMPLOYED_REGISTERED            → REGISTERED_UNEMPLOYED
 *     medical insurance  a special (serious) disease code          → SERIOUS_DISEASE
 *                        out of pocket ≥ 50,000 yuan               → LARGE_MEDICAL_SPENDING
 *     disability         grade 1 or 2 (severe)                     → SEVERE_DISABILITY
 *   and the person is in no registry household (coverage NOT_IN_REGISTRY; responsible street: the record's
 *   `residence`) or in a household without an assistance case in force on the run's day (status ACTIVE or
 *   GRADUAL_EXIT, started, not ended) (coverage NO_CASE; responsible street: the household's).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRun, workShards, type RunRow } from "../../src/features/monitoring/runs.js";
import { SOURCES } from "../../src/domain/records.js";
import { studentRecordSchema } from "../../connectors/education/connector.js";
import { NOW, startMonitorHarness, waitForRun, type MonitorHarness } from "./helpers.js";
import { admin } from "../integration/harness.js";

let h: MonitorHarness;
let run: RunRow;

const DAY = NOW.toISOString().slice(0, 10);
const LARGE_EDUCATION_FEN = 1_000_000;
const LARGE_OUT_OF_POCKET_FEN = 5_000_000;

const EXPORTS = {
  education: "/api/v1/students/export",
  employment: "/api/bulk/employment/export",
  medicalInsurance: "/api/v2/insured/bulk/export",
  disability: "/cdpf/api/bulk/export",
} as const;
type LeadSource = keyof typeof EXPORTS;

/** A system's whole bulk export, page by page over HTTP: its raw wire records. */
async function exportOf(source: LeadSource): Promise<any[]> {
  const base = h.gw.sandboxes!.urls[source];
  const headers: Record<string, string> = {};
  if (source === "medicalInsurance") {
    const c = h.gw.sandboxes!.medicalCredentials;
    const res = await fetch(`${base}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: c.clientId, client_secret: c.clientSecret }).toString(),
    });
    headers.authorization = `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
  }
  const out: any[] = [];
  let after: string | null = null;
  for (;;) {
    const res = await fetch(`${base}${EXPORTS[source]}?limit=10000${after === null ? "" : `&after=${encodeURIComponent(after)}`}`, { headers });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { records: any[]; next: string | null };
    out.push(...page.records);
    if (page.next === null) return out;
    after = page.next;
  }
}

/** Decimal yuan string → fen, by string arithmetic (the wire's own definition). */
const fen = (yuan: string) => {
  const [i, d = ""] = yuan.split(".");
  return Number(i) * 100 + Number(d.padEnd(2, "0"));
};

interface Expected {
  source: LeadSource;
  reason: string;
  idNumber: string;
  coverage: "NOT_IN_REGISTRY" | "NO_CASE";
  householdId: string | null;
  districtCode: string | null;
  streetCode: string | null;
  /** the first evidence item: the department field that makes the lead */
  evidence: [string, string];
}

let wire: Record<LeadSource, any[]>;
let oracle: Expected[];
let registryIds: Set<string>;

async function computeOracle(day = DAY): Promise<Expected[]> {
  wire = Object.fromEntries(await Promise.all((Object.keys(EXPORTS) as LeadSource[]).map(async (s) => [s, await exportOf(s)]))) as Record<LeadSource, any[]>;
  const sql = h.gw.db.sql;
  const persons = await sql.query<{ id_number: string; household_id: string }>(`SELECT id_number, household_id FROM person`);
  const households = await sql.query<{ id: string; district_code: string; street_code: string }>(`SELECT id, district_code, street_code FROM household`);
  const cases = await sql.query<{ household_id: string; status: string; start_date: Date; end_date: Date | null }>(`SELECT household_id, status, start_date, end_date FROM assistance_case`);
  const iso = (d: Date | string) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));
  const withCase = new Set(cases.filter((c) => (c.status === "ACTIVE" || c.status === "GRADUAL_EXIT") && iso(c.start_date) <= day && (c.end_date === null || iso(c.end_date) >= day)).map((c) => c.household_id));
  const householdOf = new Map(persons.map((p) => [p.id_number, p.household_id]));
  const householdRow = new Map(households.map((x) => [x.id, x]));
  registryIds = new Set(householdOf.keys());

  const out: Expected[] = [];
  const add = (source: LeadSource, reason: string, idNumber: string, residence: { d: string; s: string } | null, evidence: [string, string]) => {
    const hid = householdOf.get(idNumber);
    if (hid === undefined) out.push({ source, reason, idNumber, coverage: "NOT_IN_REGISTRY", householdId: null, districtCode: residence?.d ?? null, streetCode: residence?.s ?? null, evidence });
    else if (!withCase.has(hid)) {
      const x = householdRow.get(hid)!;
      out.push({ source, reason, idNumber, coverage: "NO_CASE", householdId: hid, districtCode: x.district_code, streetCode: x.street_code, evidence });
    }
  };
  const res = (r: any) => (r.residence ? { d: r.residence.districtCode, s: r.residence.streetCode } : null);
  for (const r of wire.education) {
    if (r.hardship === true) add("education", "HARDSHIP_STUDENT", r.idNumber, res(r), ["education.hardshipStudent", "true"]);
    if (fen(r.necessaryExpenseYuan) >= LARGE_EDUCATION_FEN) add("education", "LARGE_EDUCATION_SPENDING", r.idNumber, res(r), ["education.necessaryExpenseFen", String(fen(r.necessaryExpenseYuan))]);
  }
  for (const r of wire.employment) if (r.status === "UNEMPLOYED_REGISTERED") add("employment", "REGISTERED_UNEMPLOYED", r.idNumber, res(r), ["employment.status", "UNEMPLOYED_REGISTERED"]);
  for (const r of wire.medicalInsurance) {
    const place = r.residence ? { d: r.residence.district_code, s: r.residence.street_code } : null;
    if (r.special_disease_code !== null) add("medicalInsurance", "SERIOUS_DISEASE", r.id_no, place, ["medicalInsurance.seriousDisease", `code ${r.special_disease_code}`]);
    if (r.out_of_pocket_fen >= LARGE_OUT_OF_POCKET_FEN) add("medicalInsurance", "LARGE_MEDICAL_SPENDING", r.id_no, place, ["medicalInsurance.outOfPocketFen", String(r.out_of_pocket_fen)]);
  }
  for (const r of wire.disability) if (r.grade === "1" || r.grade === "2") add("disability", "SEVERE_DISABILITY", r.idNumber, res(r), ["disability.grade", r.grade]);
  return out;
}

/** WIRE.md's special disease code table, to compare the unified code the lead's evidence carries. */
const SPECIAL: Record<string, string> = { M01: "THALASSEMIA", M02: "CML", M03: "PNEUMOCONIOSIS", M04: "CHILD_LEUKAEMIA", M05: "UREMIA", M06: "CANCER", M07: "HEMOPHILIA", M08: "SEVERE_MENTAL_ILLNESS", M09: "CONGENITAL_HEART_DISEASE" };

const LEAD_FIELDS = "id source reason coverage idNumber householdId districtCode streetCode dismissedAt dismissReason evidence { name value source }";

/** `leads` paged to the end (page size 7: several pages). */
async function allLeads(as: Parameters<MonitorHarness["gw"]["gql"]>[2], filter: Record<string, unknown> = {}): Promise<{ leads: any[]; runId: string | null }> {
  const out: any[] = [];
  let after: string | null = null;
  for (;;) {
    const res: any = await h.gw.gql(
      `query($after: String, $filter: LeadFilter) { leads(first: 7, after: $after, filter: $filter) { run { id } nodes { ${LEAD_FIELDS} } pageInfo { hasNextPage endCursor } } }`,
      { after, filter },
      as,
    );
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    out.push(...res.data.leads.nodes);
    if (!res.data.leads.pageInfo.hasNextPage) return { leads: out, runId: res.data.leads.run?.id ?? null };
    after = res.data.leads.pageInfo.endCursor;
  }
}

const keyOf = (l: { source: string; reason: string; idNumber: string }) => `${l.source}|${l.reason}|${l.idNumber}`;
const CIVIL = { audience: "civil_affairs", city: "500000" } as const;

beforeAll(async () => {
  h = await startMonitorHarness();
  await workShards(h.deps, { concurrency: 2 });
  for (const s of SOURCES) await h.gw.mirror.run(s, { full: true });
  const started = await startRun(h.deps, "FULL", NOW);
  run = await waitForRun(h, started.run.id);
  oracle = await computeOracle();
}, 600_000);
afterAll(async () => h?.close());

describe("leads over the seed's own department-only persons", () => {
  it("the data set holds department-only persons, on more than one street, some known to several departments, and registry members without a case whom a department flags", () => {
    expect(run.status).toBe("SUCCEEDED");
    const notInRegistry = oracle.filter((e) => e.coverage === "NOT_IN_REGISTRY");
    const noCase = oracle.filter((e) => e.coverage === "NO_CASE");
    const persons = new Set(notInRegistry.map((e) => e.idNumber));
    // 2 % of 1,500 registry persons, give or take the last household
    expect(persons.size).toBeGreaterThanOrEqual(25);
    expect(new Set(notInRegistry.map((e) => e.streetCode)).size).toBeGreaterThan(1);
    expect(notInRegistry.every((e) => e.streetCode !== null && e.streetCode.startsWith(e.districtCode!))).toBe(true);
    expect(new Set(notInRegistry.map((e) => e.reason))).toEqual(new Set(["HARDSHIP_STUDENT", "LARGE_EDUCATION_SPENDING", "REGISTERED_UNEMPLOYED", "SERIOUS_DISEASE", "LARGE_MEDICAL_SPENDING", "SEVERE_DISABILITY"]));
    // known to more than one department: records in two or more exports
    const everyNonRegistryKey = (Object.keys(EXPORTS) as LeadSource[]).flatMap((s) => wire[s].map((r) => (s === "medicalInsurance" ? r.id_no : r.idNumber))).filter((k) => !registryIds.has(k));
    const counts = new Map<string, number>();
    for (const k of everyNonRegistryKey) counts.set(k, (counts.get(k) ?? 0) + 1);
    expect([...counts.values()].some((n) => n >= 2)).toBe(true);
    expect(noCase.length).toBeGreaterThan(0);
    // every registry person's record carries the household's street
    expect(wire.education.every((r) => r.residence && typeof r.residence.streetCode === "string")).toBe(true);
  });

  it("civil affairs lists exactly the oracle's leads, with coverage, household, street and evidence", async () => {
    const { leads, runId } = await allLeads(CIVIL);
    expect(runId).toBe(run.id);
    const got = leads.map((l) => ({
      key: keyOf(l),
      coverage: l.coverage,
      householdId: l.householdId,
      districtCode: l.districtCode,
      streetCode: l.streetCode,
      evidence: [l.evidence[0].name, l.evidence[0].value],
      coverageEvidence: l.evidence.find((e: any) => e.name === "registry.coverage")?.value,
    }));
    const want = oracle.map((e) => ({
      key: keyOf(e),
      coverage: e.coverage,
      householdId: e.householdId,
      districtCode: e.districtCode,
      streetCode: e.streetCode,
      evidence: e.evidence[1].startsWith("code ") ? [e.evidence[0], SPECIAL[e.evidence[1].slice(5)]] : e.evidence,
      coverageEvidence: e.coverage,
    }));
    const sort = (xs: { key: string }[]) => [...xs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    expect(sort(got)).toEqual(sort(want));
    expect(new Set(leads.map((l) => l.id)).size).toBe(leads.length);
  });

  it("a street office sees exactly its street's leads; a charity is refused", async () => {
    const byStreet = new Map<string, number>();
    for (const e of oracle) if (e.streetCode) byStreet.set(e.streetCode, (byStreet.get(e.streetCode) ?? 0) + 1);
    // the street with the most leads, and one with department-only persons
    const street = [...byStreet].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
    const { leads } = await allLeads({ audience: "street_office", street });
    expect(leads.map(keyOf).sort()).toEqual(oracle.filter((e) => e.streetCode === street).map(keyOf).sort());
    expect(leads.some((l) => l.coverage === "NOT_IN_REGISTRY")).toBe(oracle.some((e) => e.streetCode === street && e.coverage === "NOT_IN_REGISTRY"));
    const charityId = (await h.gw.db.sql.query<{ id: string }>(`SELECT id FROM charity ORDER BY id LIMIT 1`))[0].id;
    const refused: any = await h.gw.gql(`{ leads(first: 5) { nodes { id } } }`, {}, { audience: "charity", charityId });
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(refused.data?.leads ?? null).toBeNull();
  });

  it("a dismissed lead of a department-only person stays dismissed after the next run", async () => {
    const target = oracle.filter((e) => e.coverage === "NOT_IN_REGISTRY").sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1))[0];
    const before = (await allLeads({ audience: "street_office", street: target.streetCode! })).leads.find((l) => keyOf(l) === keyOf(target));
    expect(before).toBeDefined();
    const res: any = await h.gw.gql(`mutation($id: ID!) { dismissLead(id: $id, reason: "visited: not eligible") { id dismissReason } }`, { id: before.id }, { audience: "street_office", street: target.streetCode! });
    expect(res.errors).toBeUndefined();
    expect(res.data.dismissLead).toEqual({ id: before.id, dismissReason: "visited: not eligible" });

    const next = await startRun(h.deps, "FULL", NOW);
    expect(next.started).toBe(true);
    expect((await waitForRun(h, next.run.id)).status).toBe("SUCCEEDED");
    const open = await allLeads(CIVIL);
    expect(open.runId).toBe(next.run.id);
    expect(open.leads.map(keyOf).sort()).toEqual(oracle.filter((e) => keyOf(e) !== keyOf(target)).map(keyOf).sort());
    const all = await allLeads(CIVIL, { includeDismissed: true });
    const again = all.leads.find((l) => keyOf(l) === keyOf(target));
    expect(again).toMatchObject({ id: before.id, dismissReason: "visited: not eligible" });
    expect(again.dismissedAt).not.toBeNull();
  }, 300_000);

  it("the run after a department and a registry change: a lead that no longer holds goes, new ones appear, unchanged ones are not rewritten", async () => {
    const sql = h.gw.db.sql;
    const latestRun = async () => (await sql.query<any>(`SELECT * FROM monitoring_run WHERE status IN ('SUCCEEDED', 'PARTIAL') ORDER BY started_at DESC, id DESC LIMIT 1`))[0];
    // the previous test's second run, over an unchanged city, found every lead again and wrote none of them
    const second = await latestRun();
    expect(second.counts.leads).toEqual({ CURRENT: oracle.length, WRITTEN: 0, GONE: 0 });
    const rowsBefore = new Map((await sql.query<any>(`SELECT id, source, reason, id_number, last_seen_run, gone_run FROM monitoring_lead`)).map((r) => [keyOf({ source: r.source, reason: r.reason, idNumber: r.id_number }), r]));
    expect([...rowsBefore.values()].filter((r) => r.gone_run === null).map((r) => keyOf({ source: r.source, reason: r.reason, idNumber: r.id_number })).sort()).toEqual(oracle.map(keyOf).sort());
    expect([...rowsBefore.values()].every((r) => r.last_seen_run === run.id)).toBe(true);

    // a department change: a department-only person registered unemployed is employed now (employment's own
    // records, through its change feed)
    const dismissed = oracle.filter((e) => e.coverage === "NOT_IN_REGISTRY").sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1))[0];
    const quitting = oracle.filter((e) => e.source === "employment" && e.coverage === "NOT_IN_REGISTRY" && e.idNumber !== dismissed.idNumber).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1))[0];
    await admin(h.gw, "employment", "POST", "/__sandbox/fixtures", {
      records: [{ idNumber: quitting.idNumber, status: "EMPLOYED", unemploymentRegisteredOn: null, publicWelfarePost: false, trainings: [], dibaoEmploymentSubsidy: null, lastUpdated: "2026-11-30" }],
    });
    const synced = await h.gw.mirror.run("employment");
    expect([synced.full, synced.deleted, synced.upserted]).toEqual([false, 0, 1]);
    // a registry change: the case of a household whose member the federation certifies as severely disabled is terminated
    const cases = await sql.query<{ household_id: string; status: string; start_date: Date; end_date: Date | null }>(`SELECT household_id, status, start_date, end_date FROM assistance_case`);
    const iso = (d: Date | string) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));
    const withCase = new Set(cases.filter((c) => (c.status === "ACTIVE" || c.status === "GRADUAL_EXIT") && iso(c.start_date) <= DAY && (c.end_date === null || iso(c.end_date) >= DAY)).map((c) => c.household_id));
    const persons = await sql.query<{ id_number: string; household_id: string }>(`SELECT id_number, household_id FROM person`);
    const householdOf = new Map(persons.map((p) => [p.id_number, p.household_id]));
    const losing = wire.disability
      .filter((r) => (r.grade === "1" || r.grade === "2") && withCase.has(householdOf.get(r.idNumber) ?? ""))
      .map((r) => householdOf.get(r.idNumber)!)
      .sort()[0];
    expect(losing).toBeDefined();
    await sql.query(`UPDATE assistance_case SET status = 'TERMINATED' WHERE household_id = $1 AND status IN ('ACTIVE', 'GRADUAL_EXIT')`, [losing]);
    await sql.query(`UPDATE household SET updated_at = now() WHERE id = $1`, [losing]);

    const third = await startRun(h.deps, "INCREMENTAL", NOW);
    expect((await waitForRun(h, third.run.id)).status).toBe("SUCCEEDED");
    const now = await computeOracle();
    const before = new Set(oracle.map(keyOf));
    const after = new Set(now.map(keyOf));
    const added = [...after].filter((k) => !before.has(k)).sort();
    const gone = [...before].filter((k) => !after.has(k)).sort();
    expect(gone).toEqual([keyOf(quitting)]);
    expect(added.length).toBeGreaterThan(0);
    expect(now.filter((e) => added.includes(keyOf(e))).every((e) => e.householdId === losing && e.coverage === "NO_CASE")).toBe(true);

    // the list is the new oracle's (the dismissed lead stays dismissed)
    const listed = await allLeads(CIVIL);
    expect(listed.runId).toBe(third.run.id);
    expect(listed.leads.map(keyOf).sort()).toEqual(now.filter((e) => keyOf(e) !== keyOf(dismissed)).map(keyOf).sort());
    // the stored rows: only the changes were written
    const ended = await latestRun();
    expect(ended.id).toBe(third.run.id);
    expect(ended.counts.leads).toMatchObject({ CURRENT: now.length, WRITTEN: added.length, GONE: 1 });
    const rowsAfter = new Map((await sql.query<any>(`SELECT id, source, reason, id_number, first_seen_run, last_seen_run, gone_run FROM monitoring_lead`)).map((r) => [keyOf({ source: r.source, reason: r.reason, idNumber: r.id_number }), r]));
    const goneRow = rowsAfter.get(keyOf(quitting))!;
    expect([goneRow.gone_run, goneRow.last_seen_run]).toEqual([third.run.id, second.id]);
    for (const k of added) expect([rowsAfter.get(k)!.first_seen_run, rowsAfter.get(k)!.last_seen_run, rowsAfter.get(k)!.gone_run]).toEqual([third.run.id, third.run.id, null]);
    for (const k of [...after].filter((x) => before.has(x))) expect([rowsAfter.get(k)!.last_seen_run, rowsAfter.get(k)!.gone_run], k).toEqual([run.id, null]);
  }, 300_000);

  it("an incremental run on a later day: a case that ran out in between (no registry write) turns its household's flagged members into leads", async () => {
    const sql = h.gw.db.sql;
    const byKey = (a: Expected, b: Expected) => (keyOf(a) < keyOf(b) ? -1 : 1);
    const current = await computeOracle();
    // a household with a case in force today, one case, no end date, and a member the federation certifies as severely
    // disabled; its case is written to end today (the registry's own record: in force today, not tomorrow) — the
    // household itself is not touched, so only the day's passing can change its leads
    const cases = await sql.query<{ household_id: string; n: number }>(
      `SELECT household_id, count(*)::int AS n FROM assistance_case WHERE status IN ('ACTIVE', 'GRADUAL_EXIT') AND start_date <= $1 AND end_date IS NULL GROUP BY household_id`,
      [DAY],
    );
    const single = new Set(cases.filter((c) => c.n === 1).map((c) => c.household_id));
    const allCases = await sql.query<{ household_id: string }>(`SELECT household_id FROM assistance_case GROUP BY household_id HAVING count(*) = 1`);
    const onlyOne = new Set(allCases.map((c) => c.household_id));
    const persons = await sql.query<{ id_number: string; household_id: string }>(`SELECT id_number, household_id FROM person`);
    const householdOf = new Map(persons.map((p) => [p.id_number, p.household_id]));
    const ending = wire.disability
      .filter((r) => (r.grade === "1" || r.grade === "2") && single.has(householdOf.get(r.idNumber) ?? "") && onlyOne.has(householdOf.get(r.idNumber)!))
      .map((r) => householdOf.get(r.idNumber)!)
      .sort()[0];
    expect(ending).toBeDefined();
    await sql.query(`UPDATE assistance_case SET end_date = $2::date WHERE household_id = $1`, [ending, DAY]);
    const today = await startRun(h.deps, "INCREMENTAL", NOW);
    expect((await waitForRun(h, today.run.id)).status).toBe("SUCCEEDED");
    expect((await allLeads(CIVIL, { includeDismissed: true })).leads.map(keyOf).sort()).toEqual(current.map(keyOf).sort());

    const tomorrow = new Date(NOW.getTime() + 86_400_000);
    const next = await startRun(h.deps, "INCREMENTAL", tomorrow);
    expect((await waitForRun(h, next.run.id)).status).toBe("SUCCEEDED");
    const want = await computeOracle(tomorrow.toISOString().slice(0, 10));
    const added = want.filter((e) => !current.some((c) => keyOf(c) === keyOf(e))).sort(byKey);
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((e) => e.householdId === ending && e.coverage === "NO_CASE")).toBe(true);
    expect((await allLeads(CIVIL, { includeDismissed: true })).leads.map(keyOf).sort()).toEqual(want.map(keyOf).sort());
  }, 300_000);
});

describe("the residence on the wire", () => {
  const base = {
    idNumber: "500103201001010011",
    term: "2026-AUTUMN",
    stage: "PRIMARY",
    schoolCode: "5001030012",
    schoolName: "人和街小学",
    hardship: true,
    aid: [],
    necessaryExpenseYuan: "1200.00",
    updatedAt: "2026-09-03T10:12:00+08:00",
  };
  it("is optional or null; well-formed it is parsed; malformed it fails the record like any other field", () => {
    expect(studentRecordSchema.safeParse(base).success).toBe(true);
    expect(studentRecordSchema.safeParse({ ...base, residence: null }).success).toBe(true);
    expect(studentRecordSchema.parse({ ...base, residence: { districtCode: "500103", streetCode: "500103004" } }).residence).toEqual({ districtCode: "500103", streetCode: "500103004" });
    for (const bad of [{ districtCode: "500103", streetCode: "5001034" }, { districtCode: "500103", streetCode: "500104004" }, { districtCode: 500103, streetCode: "500103004" }, { streetCode: "500103004" }, "500103004"]) {
      expect(studentRecordSchema.safeParse({ ...base, residence: bad }).success).toBe(false);
    }
  });
});

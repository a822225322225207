/**
 * Issue 6 part 4: audit findings over the default data set (seed 20190101, the published Yuzhong figures),
 * each kind found and each finding checked against the registry rows it cites (read here with SQL, not
 * through the rules), filterable by district, street, kind and period. Auditors only.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runSeed } from "../../dev/seed/run.js";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { FINDING_KINDS } from "../../src/domain/audit-findings.js";
import type { MintOptions } from "../../dev/keys/dev-keys.js";

const NOW = new Date("2026-11-01T12:00:00Z");
const AUDITOR: MintOptions = { audience: "auditor", city: "500000", purpose: "2026 dibao fund review" };
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({
    now: NOW,
    audit: true,
    seed: async (db) => {
      await runSeed({ sql: db.sql, seed: 20190101, asOf: "2026-11-01", progress: "none" });
    },
  });
}, 300_000);
afterAll(async () => gw?.close());

const FINDINGS = `query F($filter: AuditFindingFilter, $first: Int, $after: String) {
  auditFindings(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id kind householdId personId districtCode streetCode periodStart periodEnd amountFen paymentIds caseId reason evidence { name value } } }
  }
}`;

type Node = {
  id: string;
  kind: string;
  householdId: string;
  personId: string | null;
  districtCode: string;
  streetCode: string;
  periodStart: string;
  periodEnd: string;
  amountFen: number;
  paymentIds: string[];
  caseId: string | null;
  reason: string;
  evidence: { name: string; value: string }[];
};

async function findings(filter: Record<string, unknown>, first = 100): Promise<{ total: number; nodes: Node[] }> {
  const r = await gw.gql(FINDINGS, { filter, first }, AUDITOR);
  expect(r.errors).toBeUndefined();
  return { total: r.data.auditFindings.totalCount, nodes: r.data.auditFindings.edges.map((e: { node: Node }) => e.node) };
}

interface Pay {
  id: string;
  household_id: string;
  person_id: string | null;
  case_id: string | null;
  program: string;
  amount_fen: number;
  period_start: string;
  period_end: string;
  district_code: string | null;
}
async function payments(ids: string[]): Promise<Pay[]> {
  return gw.db.sql.query<Pay>(
    `SELECT id::text, household_id::text, person_id::text, case_id::text, program::text, amount_fen, to_char(period_start, 'YYYY-MM-DD') AS period_start,
            to_char(period_end, 'YYYY-MM-DD') AS period_end, district_code FROM aid_record WHERE id::text = ANY($1::text[])`,
    [ids],
  );
}

describe("each kind occurs in the default data set and is borne out by the rows it cites", () => {
  test.each(FINDING_KINDS)("%s", async (kind) => {
    const { total, nodes } = await findings({ kind });
    expect(total, kind).toBeGreaterThan(0);
    for (const f of nodes.slice(0, 10)) {
      expect(f.kind).toBe(kind);
      const rows = await payments(f.paymentIds);
      expect(rows).toHaveLength(f.paymentIds.length);
      expect(rows.every((r) => r.household_id === f.householdId)).toBe(true);
      expect(f.amountFen).toBe(rows.reduce((s, r) => s + r.amount_fen, 0));
      const [hh] = await gw.db.sql.query<{ district_code: string; street_code: string; hukou: string }>(
        `SELECT district_code, street_code, hukou::text FROM household WHERE id = $1::uuid`,
        [f.householdId],
      );
      expect([f.districtCode, f.streetCode]).toEqual([hh.district_code, hh.street_code]);
      const p = rows[0];
      if (kind === "DUPLICATE_PAYMENT") {
        expect(rows.length).toBeGreaterThanOrEqual(2);
        // two payers (districts) for one purpose and beneficiary over overlapping days
        expect(new Set(rows.map((r) => r.district_code ?? hh.district_code)).size).toBeGreaterThanOrEqual(2);
        const starts = rows.map((r) => r.period_start).sort();
        const ends = rows.map((r) => r.period_end).sort();
        expect(starts[starts.length - 1] <= ends[0]).toBe(true);
      } else if (kind === "PAID_AFTER_DEATH") {
        const [person] = await gw.db.sql.query<{ d: string }>(`SELECT to_char(deceased_on, 'YYYY-MM-DD') AS d FROM person WHERE id = $1::uuid`, [p.person_id]);
        expect(person.d).not.toBeNull();
        expect(p.period_start > person.d).toBe(true);
        expect(p.program).not.toBe("FUNERAL_AID");
      } else if (kind === "PAID_AFTER_CASE_END") {
        const [c] = await gw.db.sql.query<{ e: string }>(`SELECT to_char(end_date, 'YYYY-MM-DD') AS e FROM assistance_case WHERE id = $1::uuid`, [p.case_id]);
        expect(p.period_start > c.e).toBe(true);
      } else if (kind === "PAST_RECERTIFICATION") {
        const [c] = await gw.db.sql.query<{ r: string; status: string }>(
          `SELECT to_char(next_review_date, 'YYYY-MM-DD') AS r, status::text FROM assistance_case WHERE id = $1::uuid`,
          [p.case_id],
        );
        expect(p.period_start > c.r).toBe(true);
        expect(["ACTIVE", "GRADUAL_EXIT"]).toContain(c.status);
      } else if (kind === "ABOVE_THRESHOLD_NO_GRACE" || kind === "RECEIVED_WITHOUT_ENTITLEMENT") {
        // (RECEIVED_WITHOUT_ENTITLEMENT from the registry alone: a dibao payment with income per capita ≥ 1.5 × the standard)
        expect(p.program).toBe("DIBAO_PAYMENT");
        if (kind === "ABOVE_THRESHOLD_NO_GRACE") {
          // 002 #3, 004 一: six months from the day the income reached the standard; the payment's month starts after them
          const ended = f.evidence.find((e) => e.name === "graceEnded")!.value;
          const since = f.evidence.find((e) => e.name === "aboveStandardSince")!.value;
          expect(p.period_start > ended).toBe(true);
          const [y, m, d] = since.split("-").map(Number);
          const last = new Date(Date.UTC(y, m - 1 + 6 + 1, 0)).getUTCDate();
          expect(ended).toBe(`${new Date(Date.UTC(y, m - 1 + 6, 1)).toISOString().slice(0, 8)}${String(Math.min(d, last)).padStart(2, "0")}`);
        }
        const [inc] = await gw.db.sql.query<{ total: string; n: string }>(
          `SELECT (SELECT coalesce(sum(monthly_fen), 0) FROM income WHERE household_id = $1::uuid AND valid_from <= $2::date AND (valid_to IS NULL OR valid_to >= $2::date))::text AS total,
                  (SELECT count(*) FROM person WHERE household_id = $1::uuid AND (deceased_on IS NULL OR deceased_on >= $2::date))::text AS n`,
          [f.householdId, p.period_start],
        );
        const standard = Number(f.evidence.find((e) => e.name === "dibaoStandardFen")!.value);
        expect(Math.floor(Number(inc.total) / Number(inc.n))).toBeGreaterThanOrEqual(standard);
        const [param] = await gw.db.sql.query<{ v: string }>(
          `SELECT value::text AS v FROM policy_parameter WHERE key = $1 AND effective_from <= $2::date AND (effective_to IS NULL OR effective_to >= $2::date)
           ORDER BY (region_code = $3) DESC, effective_from DESC LIMIT 1`,
          [`DIBAO_STANDARD_${hh.hukou}`, p.period_start, hh.district_code],
        );
        expect(standard).toBe(Math.round(Number(param.v)));
        const [mult] = await gw.db.sql.query<{ v: string }>(
          `SELECT value::text AS v FROM policy_parameter WHERE key = 'MARGINAL_MULTIPLIER' AND effective_from <= $1::date AND (effective_to IS NULL OR effective_to >= $1::date)
           ORDER BY (region_code = $2) DESC, effective_from DESC LIMIT 1`,
          [p.period_start, hh.district_code],
        );
        const marginalTotal = Number(mult.v) * standard * Number(inc.n);
        if (kind === "RECEIVED_WITHOUT_ENTITLEMENT") {
          expect(Number(inc.total)).toBeGreaterThanOrEqual(marginalTotal);
          expect(f.evidence.map((e) => e.name)).toEqual(expect.arrayContaining(["benefit", "decidingFact", "period"]));
          expect(f.evidence.find((e) => e.name === "period")!.value).toBe(`${p.period_start}..${p.period_end}`);
        } else {
          expect(Number(inc.total)).toBeLessThan(marginalTotal);
        }
      }
    }
  });
});

describe("filters, pages, access", () => {
  test("by street and period: every finding lies in it; pages join up to the whole", async () => {
    const all = await findings({}, 100);
    const street = all.nodes[0].streetCode;
    const byStreet = await findings({ street }, 100);
    expect(byStreet.total).toBeGreaterThan(0);
    expect(byStreet.nodes.every((n) => n.streetCode === street)).toBe(true);
    const from = "2026-01-01";
    const to = "2026-06-30";
    const inPeriod = await findings({ from, to }, 100);
    expect(inPeriod.total).toBeGreaterThan(0);
    expect(inPeriod.total).toBeLessThan(all.total);
    for (const n of inPeriod.nodes) expect(n.periodEnd >= from && n.periodStart <= to).toBe(true);
    const other = await findings({ district: "500120" });
    expect(other.nodes.every((n) => n.districtCode === "500120")).toBe(true);

    const joined: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await gw.gql(FINDINGS, { filter: { street }, first: 40, after }, AUDITOR);
      joined.push(...page.data.auditFindings.edges.map((e: { node: Node }) => e.node.id));
      if (!page.data.auditFindings.pageInfo.hasNextPage) break;
      after = page.data.auditFindings.pageInfo.endCursor;
    }
    expect(new Set(joined).size).toBe(joined.length);
    expect(joined.length).toBe(byStreet.total);
    expect(joined.slice(0, byStreet.nodes.length)).toEqual(byStreet.nodes.map((n) => n.id));
  });

  test("only auditors; the auditor's read is recorded with the households it disclosed", async () => {
    const civil = await gw.gql(FINDINGS, { first: 1 });
    expect(civil.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    const r = await gw.gql(FINDINGS, { filter: { kind: "PAID_AFTER_DEATH" }, first: 5 }, AUDITOR, { "x-request-id": "findings-0001" });
    const [record] = (await gw.db.sql.query<{ household_ids: string[] }>(`SELECT household_ids FROM audit_log WHERE request_id = 'findings-0001'`)).map((x) => ({
      households: typeof x.household_ids === "string" ? JSON.parse(x.household_ids) : x.household_ids,
    }));
    expect(record.households).toEqual([...new Set(r.data.auditFindings.edges.map((e: { node: Node }) => e.node.householdId))].sort());
  });
});

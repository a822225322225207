/**
 * Audit findings for finance and audit (DOMAIN.md §4: no duplicate payments, no payments to people not
 * entitled; 002 #4 re-certification; 002 #3 / 004 §1 gradual exit). Pure: registry facts of one household
 * and the dibao standard in force (a function of district and date) in; findings with their evidence out.
 *
 *   DUPLICATE_PAYMENT          the same purpose for the same beneficiary over overlapping days from two
 *                              sources or two paying districts (the aid chain's findDuplicates)
 *   PAID_AFTER_CASE_END        a payment for a period starting after its case ended
 *   PAID_AFTER_DEATH           a payment for a beneficiary's period starting after the death
 *                              (funeral aid excepted: it is paid because of the death)
 *   ABOVE_THRESHOLD_NO_GRACE   a dibao payment for a month whose income per capita was at or above the
 *                              dibao standard, outside the gradual-exit grace period (src/domain/gradual-exit.ts:
 *                              the same rule eligibility uses — at or above 1.5 × the standard, or more than
 *                              GRADUAL_EXIT_MONTHS after the income rose)
 *   PAST_RECERTIFICATION       a payment for a period starting after the case's re-certification date
 *                              passed without a re-certification (next review date not moved on)
 *   RECEIVED_WITHOUT_ENTITLEMENT  a benefit received with no entitlement to it at all (004 五(三), 002 #35):
 *                              - a dibao payment for a month whose income per capita was at or above 1.5 × the
 *                                standard — the household computes no dibao and no marginal tier (NOT_ELIGIBLE by
 *                                income), so the help continued after the case stopped being eligible (a month in
 *                                [standard, 1.5 ×) past the grace is ABOVE_THRESHOLD_NO_GRACE instead: one finding
 *                                per payment);
 *                              - a housing rental subsidy (the housing system's RENTAL_SUBSIDY with a subsidy amount)
 *                                to a household the registry shows owning a home (a HOUSE asset): housing security
 *                                is for households without a home of their own (002 #11–12, 003 §11). The registry
 *                                asset carries no date, so the whole benefit period up to the facts' as-of is cited.
 */
import { findDuplicates, registryLink, type AidLink } from "./aid-chain.js";
import { isoDay } from "./calendar.js";
import { graceOn } from "./gradual-exit.js";

export const FINDING_KINDS = ["DUPLICATE_PAYMENT", "PAID_AFTER_CASE_END", "PAID_AFTER_DEATH", "ABOVE_THRESHOLD_NO_GRACE", "PAST_RECERTIFICATION", "RECEIVED_WITHOUT_ENTITLEMENT"] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface PaymentFact {
  id: string;
  personId: string | null;
  caseId: string | null;
  program: "DIBAO_PAYMENT" | "TEKUN_SUPPORT" | "TEKUN_CARE_SUBSIDY" | "TEMPORARY_AID_EMERGENCY" | "TEMPORARY_AID_EXPENDITURE" | "ONE_TIME_SUBSIDY" | "FUNERAL_AID";
  amountFen: number;
  periodStart: Date;
  periodEnd: Date;
  paidAt: Date | null;
  /** the paying district when it is not the household's own */
  districtCode: string | null;
}

export interface CaseFact {
  id: string;
  personId: string | null;
  tier: string;
  status: string;
  startDate: Date;
  endDate: Date | null;
  nextReviewDate: Date | null;
}

/** A housing-system benefit (src/domain/records.ts HousingBenefit) as the findings read it. */
export interface HousingBenefitFact {
  type: "PUBLIC_RENTAL" | "RENTAL_SUBSIDY" | "DILAPIDATED_RENOVATION";
  status: "ACTIVE" | "ENDED" | "APPLIED";
  monthlySubsidyFen: number | null;
  startDate: Date;
  endDate: Date | null;
}

export interface FindingsFacts {
  householdId: string;
  districtCode: string;
  hukou: "URBAN" | "RURAL";
  streetCode: string;
  members: { id: string; deceasedOn: Date | null }[];
  cases: CaseFact[];
  payments: PaymentFact[];
  incomes: { monthlyFen: number; validFrom: Date; validTo: Date | null }[];
  /** registry assets (optional: without them no home-ownership finding) */
  assets?: { kind: string; valueFen: number }[];
  /** the housing system's benefits for the household (optional: the registry alone has none) */
  housingBenefits?: HousingBenefitFact[];
  /** the day the facts are as of: the end of an open-ended benefit period */
  asOf?: Date;
}

export interface Evidence {
  name: string;
  value: string;
}

export interface Finding {
  /** stable: kind and the records it rests on */
  key: string;
  kind: FindingKind;
  householdId: string;
  personId: string | null;
  districtCode: string;
  streetCode: string;
  /** the period paid wrongly (first to last day) */
  periodStart: Date;
  periodEnd: Date;
  /** what was paid wrongly (fen) */
  amountFen: number;
  paymentIds: string[];
  caseId: string | null;
  reason: string;
  evidence: Evidence[];
}

/** dibao standard (fen per person per month) in force in a district for a hukou type on a day, or null when none is. */
export type DibaoStandard = (districtCode: string, hukou: "URBAN" | "RURAL", on: Date) => number | null;

/** A registry payment as the aid chain's link (an unpaid one dated by its period's end). */
const linkOf = (p: PaymentFact, districtCode: string): AidLink => registryLink(p, districtCode, p.periodEnd);

const day = isoDay;
const IN_FORCE = new Set(["ACTIVE", "GRADUAL_EXIT"]);

function finding(f: FindingsFacts, kind: FindingKind, payments: PaymentFact[], rest: Omit<Finding, "key" | "kind" | "householdId" | "districtCode" | "streetCode" | "periodStart" | "periodEnd" | "amountFen" | "paymentIds">): Finding {
  const sorted = [...payments].sort((a, b) => a.periodStart.getTime() - b.periodStart.getTime() || (a.id < b.id ? -1 : 1));
  return {
    key: `${kind}:${sorted.map((p) => p.id).join("+")}`,
    kind,
    householdId: f.householdId,
    districtCode: f.districtCode,
    streetCode: f.streetCode,
    periodStart: sorted[0].periodStart,
    periodEnd: sorted.reduce((m, p) => (p.periodEnd > m ? p.periodEnd : m), sorted[0].periodEnd),
    amountFen: sorted.reduce((s, p) => s + p.amountFen, 0),
    paymentIds: sorted.map((p) => p.id),
    ...rest,
  };
}

/** The gradual-exit parameters in force in a district on a day (MARGINAL_MULTIPLIER, GRADUAL_EXIT_MONTHS), or null. */
export type GraceParameters = (districtCode: string, on: Date) => { multiplier: number; months: number } | null;

export function auditFindings(f: FindingsFacts, dibaoStandard: DibaoStandard, grace: GraceParameters): Finding[] {
  const out: Finding[] = [];
  const byId = new Map(f.payments.map((p) => [p.id, p]));
  const cases = new Map(f.cases.map((c) => [c.id, c]));

  for (const d of findDuplicates(f.payments.map((p) => linkOf(p, f.districtCode)))) {
    const payments = d.links.map((l) => byId.get(l.sourceRecordId)!).filter(Boolean);
    out.push(
      finding(f, "DUPLICATE_PAYMENT", payments, {
        personId: d.personId,
        caseId: null,
        reason: d.reason,
        evidence: [
          { name: "purpose", value: d.purpose },
          { name: "payers", value: d.payers.join(", ") },
          { name: "overlap", value: `${day(d.overlap.start)}..${day(d.overlap.end)}` },
        ],
      }),
    );
  }

  const deceased = new Map(f.members.filter((m) => m.deceasedOn).map((m) => [m.id, m.deceasedOn as Date]));
  const everyoneDead = f.members.length > 0 && f.members.every((m) => m.deceasedOn);
  const latestDeath = everyoneDead ? f.members.reduce((x, m) => (m.deceasedOn! > x ? m.deceasedOn! : x), f.members[0].deceasedOn!) : null;

  for (const p of f.payments) {
    const c = p.caseId ? cases.get(p.caseId) : undefined;
    if (p.program !== "FUNERAL_AID") {
      if (c?.endDate && p.periodStart > c.endDate)
        out.push(
          finding(f, "PAID_AFTER_CASE_END", [p], {
            personId: p.personId,
            caseId: c.id,
            reason: `${p.program} for ${day(p.periodStart)}..${day(p.periodEnd)} after the ${c.tier} case ended on ${day(c.endDate)}`,
            evidence: [
              { name: "caseStatus", value: c.status },
              { name: "caseEndDate", value: day(c.endDate) },
            ],
          }),
        );
      const death = p.personId ? deceased.get(p.personId) : latestDeath;
      if (death && p.periodStart > death)
        out.push(
          finding(f, "PAID_AFTER_DEATH", [p], {
            personId: p.personId,
            caseId: c?.id ?? null,
            reason: `${p.program} for ${day(p.periodStart)}..${day(p.periodEnd)} after the beneficiary died on ${day(death)}`,
            evidence: [{ name: "deceasedOn", value: day(death) }],
          }),
        );
    }
    if (c && c.nextReviewDate && IN_FORCE.has(c.status) && p.periodStart > c.nextReviewDate && !(c.endDate && p.periodStart > c.endDate))
      out.push(
        finding(f, "PAST_RECERTIFICATION", [p], {
          personId: p.personId,
          caseId: c.id,
          reason: `${p.program} for ${day(p.periodStart)}..${day(p.periodEnd)} although the case's re-certification was due on ${day(c.nextReviewDate)}`,
          evidence: [
            { name: "nextReviewDate", value: day(c.nextReviewDate) },
            { name: "caseStatus", value: c.status },
          ],
        }),
      );
    if (p.program === "DIBAO_PAYMENT" && c && c.personId === null) {
      const district = p.districtCode ?? f.districtCode;
      const standard = dibaoStandard(district, f.hukou, p.periodStart);
      const params = grace(district, p.periodStart);
      const alive = f.members.filter((m) => !m.deceasedOn || m.deceasedOn >= p.periodStart).length;
      if (standard !== null && params !== null && alive > 0) {
        // the one rule for "is this month in the grace period" (src/domain/gradual-exit.ts), as eligibility uses it
        const g = graceOn({ incomes: f.incomes, members: alive, standardFen: standard, multiplier: params.multiplier, months: params.months, caseStart: c.startDate }, p.periodStart);
        const perCapita = Math.floor(g.totalFen / alive);
        if (g.state === "ABOVE_MARGINAL")
          out.push(
            finding(f, "RECEIVED_WITHOUT_ENTITLEMENT", [p], {
              personId: null,
              caseId: c.id,
              reason: `dibao for ${day(p.periodStart)}..${day(p.periodEnd)} with income per capita ${perCapita} fen ≥ ${params.multiplier} × the dibao standard ${standard} fen: neither dibao nor marginal (NOT_ELIGIBLE by income), no grace`,
              evidence: [
                { name: "benefit", value: p.program },
                { name: "decidingFact", value: `income per capita ${perCapita} fen ≥ marginal limit ${Math.round(params.multiplier * standard)} fen` },
                { name: "period", value: `${day(p.periodStart)}..${day(p.periodEnd)}` },
                { name: "incomePerCapitaFen", value: String(perCapita) },
                { name: "dibaoStandardFen", value: String(standard) },
                { name: "marginalLimitFen", value: String(Math.round(params.multiplier * standard)) },
                { name: "caseStatus", value: c.status },
              ],
            }),
          );
        if (g.state === "GRACE_ENDED")
          out.push(
            finding(f, "ABOVE_THRESHOLD_NO_GRACE", [p], {
              personId: null,
              caseId: c.id,
              reason: `dibao for ${day(p.periodStart)}..${day(p.periodEnd)} with income per capita ${perCapita} fen ≥ the dibao standard ${standard} fen since ${day(g.rose)}: the ${params.months}-month grace period ended on ${day(g.ends)}`,
              evidence: [
                { name: "incomePerCapitaFen", value: String(perCapita) },
                { name: "dibaoStandardFen", value: String(standard) },
                { name: "caseStatus", value: c.status },
                { name: "aboveStandardSince", value: day(g.rose) },
                { name: "graceEnded", value: day(g.ends) },
              ],
            }),
          );
      }
    }
  }
  out.push(...rentalSubsidyToOwner(f));
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Whole months (by start day) from start through end inclusive, at least 1. */
function monthsCovered(start: Date, end: Date): number {
  return Math.max(1, (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth() + 1);
}

function rentalSubsidyToOwner(f: FindingsFacts): Finding[] {
  const homes = (f.assets ?? []).filter((a) => a.kind === "HOUSE" && a.valueFen > 0);
  if (homes.length === 0 || !f.housingBenefits) return [];
  const out: Finding[] = [];
  for (const b of f.housingBenefits) {
    if (b.type !== "RENTAL_SUBSIDY" || b.status === "APPLIED" || !b.monthlySubsidyFen || b.monthlySubsidyFen <= 0) continue;
    const end = b.endDate ?? f.asOf ?? b.startDate;
    if (end < b.startDate) continue;
    const months = monthsCovered(b.startDate, end);
    out.push({
      key: `RECEIVED_WITHOUT_ENTITLEMENT:housing:${f.householdId}:${b.type}:${day(b.startDate)}`,
      kind: "RECEIVED_WITHOUT_ENTITLEMENT",
      householdId: f.householdId,
      personId: null,
      districtCode: f.districtCode,
      streetCode: f.streetCode,
      periodStart: b.startDate,
      periodEnd: end,
      amountFen: b.monthlySubsidyFen * months,
      paymentIds: [],
      caseId: null,
      reason: `housing rental subsidy ${b.monthlySubsidyFen} fen per month for ${day(b.startDate)}..${day(end)} (${b.status}) to a household the registry shows owning a home: housing security is for households without one`,
      evidence: [
        { name: "benefit", value: `RENTAL_SUBSIDY ${b.monthlySubsidyFen} fen/month (housing system, ${b.status})` },
        { name: "decidingFact", value: `owns ${homes.length} home(s) (registry HOUSE asset, ${homes.reduce((s, a) => s + a.valueFen, 0)} fen)` },
        { name: "period", value: `${day(b.startDate)}..${day(end)}` },
        { name: "months", value: String(months) },
      ],
    });
  }
  return out;
}

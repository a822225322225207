/**
 * The aid chain (一户（人）一条救助链, DOMAIN.md §3; 003 §4–7): every piece of assistance a household
 * and each member got — from the registry's own payments and from each department system — normalised
 * into links; `gaps`, the entitlements (DOMAIN §2, from the eligibility evaluation) with no matching link
 * (救助遗漏); `duplicates`, the same benefit purpose for the same beneficiary over overlapping days from
 * two sources or two paying districts (重复救助, DOMAIN §4).
 *
 * Pure: facts + eligibility + evaluation date. Periods are inclusive UTC days; how a period is derived
 * for a record without dates is in src/domain/periods.ts and `periodBasis` says which rule applied.
 */
import type { SourceName } from "./records.js";
import type {
  Department,
  EligibilityResult,
  Entitlement,
  EntitlementKind,
  FactCode,
  FactSource,
  HouseholdFacts,
  MemberFacts,
  StaleRecord,
} from "./facts.js";
import { TRAINING_WINDOW_KEY } from "./freshness.js";
import { dayOf, isoDay } from "./calendar.js";
import { type Period, overlap, windowBack } from "./periods.js";
import { PURPOSE_COMBINATION, aidLinks, type AidLink, type AidPurpose, type LinkStatus } from "./aid-links/index.js";

// the links are made per source in ./aid-links/; their types and makers are re-exported for the chain's users
export { PURPOSE_COMBINATION, aidLinks, charityLinks, registryLink, type AidLink, type AidPurpose, type LinkStatus, type PeriodBasis } from "./aid-links/index.js";

// ---------------------------------------------------------------------------------------------------
// Duplicates

export type DuplicateKind = "CROSS_SOURCE" | "CROSS_DISTRICT";

export interface Duplicate {
  /** stable: kind, purpose, beneficiary and the two payers — the same facts give the same key */
  key: string;
  kind: DuplicateKind;
  purpose: AidPurpose;
  /** the beneficiary (the person when either side names one), null = the household */
  personId: string | null;
  /** the two payers, `<source>@<district>`, sorted */
  payers: [string, string];
  /** first to last day paid twice */
  overlap: Period;
  links: AidLink[];
  reason: string;
}

const PAYING = new Set<LinkStatus>(["PAID", "PENDING", "ACTIVE", "ENDED", "COMPLETED"]);

function sameBeneficiary(a: AidLink, b: AidLink): boolean {
  return a.personId === null || b.personId === null || a.personId === b.personId;
}

function coversWholeBasis(l: AidLink): boolean {
  return l.basisFen !== null && l.basisFen > 0 && l.amountFen !== null && l.amountFen >= l.basisFen;
}

const payerOf = (l: AidLink): string => `${l.source}@${l.districtCode}`;

/**
 * The same purpose for the same beneficiary over overlapping days from two sources (CROSS_SOURCE) or
 * from two paying districts of one source (CROSS_DISTRICT) — per PURPOSE_COMBINATION. Links of one
 * source and district never duplicate each other (the source's own idempotency keeps those apart).
 * Pairs are grouped per (kind, purpose, beneficiary, payers): one duplicate lists all links involved.
 * Usable on its own (audit findings).
 */
export function findDuplicates(links: AidLink[]): Duplicate[] {
  const groups = new Map<string, { kind: DuplicateKind; purpose: AidPurpose; personId: string | null; payers: [string, string]; links: Map<string, AidLink>; start: Date; end: Date }>();
  const candidates = links.filter((l) => PAYING.has(l.status) && PURPOSE_COMBINATION[l.purpose] !== "REPEATABLE");
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const a = candidates[i];
      const b = candidates[j];
      if (a.purpose !== b.purpose || !sameBeneficiary(a, b)) continue;
      const kind: DuplicateKind | null = a.source !== b.source ? "CROSS_SOURCE" : a.districtCode !== b.districtCode ? "CROSS_DISTRICT" : null;
      if (!kind) continue;
      if (PURPOSE_COMBINATION[a.purpose] === "COMPLEMENTARY" && !coversWholeBasis(a) && !coversWholeBasis(b)) continue;
      const days = overlap(a.period, b.period);
      if (!days) continue;
      const personId = a.personId ?? b.personId;
      const payers = [payerOf(a), payerOf(b)].sort() as [string, string];
      const key = `${kind}:${a.purpose}:${personId ?? "household"}:${payers.join("|")}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { kind, purpose: a.purpose, personId, payers, links: new Map(), start: days.start, end: days.end }));
      g.links.set(a.id, a);
      g.links.set(b.id, b);
      if (days.start.getTime() < g.start.getTime()) g.start = days.start;
      if (days.end.getTime() > g.end.getTime()) g.end = days.end;
    }
  }
  return [...groups.entries()]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([key, g]) => ({
      key,
      kind: g.kind,
      purpose: g.purpose,
      personId: g.personId,
      payers: g.payers,
      overlap: { start: g.start, end: g.end },
      links: [...g.links.values()],
      reason:
        g.kind === "CROSS_SOURCE"
          ? `${g.purpose} paid by ${g.payers[0]} and ${g.payers[1]} for the same beneficiary from ${isoDay(g.start)} to ${isoDay(g.end)}`
          : `${g.purpose} paid by two districts (${g.payers[0]}, ${g.payers[1]}) for the same beneficiary from ${isoDay(g.start)} to ${isoDay(g.end)}`,
    }));
}

// ---------------------------------------------------------------------------------------------------
// Gaps

/**
 * What fulfils an entitlement: links of these programs (or of this purpose) for the beneficiary (a
 * household link covers every member; a household entitlement is met by a link of any member), in a
 * status that delivers, with a period overlapping the window that ends on the evaluation date — or, for a
 * department's record, on the record's own date (we judge a department on what its latest record says;
 * an old record is reported as stale, not as a gap).
 *   CURRENT: 2 months back (monthly payments are made for the previous month)
 *   TERM:    6 months back (the current or the latest school term)
 *   YEAR:    12 months back (a settlement year, trainings, loans)
 *   EVER:    any time
 */
interface MatchRule {
  programs?: readonly string[];
  purpose?: AidPurpose;
  /** TRAINING: FRESHNESS_EMPLOYMENT_TRAINING_MONTHS back (a training long ago is not current employment help; 12 when the evaluation did not read it) */
  window: "CURRENT" | "TERM" | "YEAR" | "EVER" | "TRAINING";
  /** sources whose failure leaves the entitlement undecided (besides the registry, which is local) */
  sources: readonly SourceName[];
  statuses?: readonly LinkStatus[];
}

const DELIVERS: readonly LinkStatus[] = ["PAID", "PENDING", "ACTIVE", "COMPLETED"];

export const ENTITLEMENT_MATCH: Readonly<Record<EntitlementKind, MatchRule>> = {
  DIBAO_PAYMENT: { programs: ["DIBAO_PAYMENT"], window: "CURRENT", sources: [] },
  DIBAO_CLASSIFIED_SUPPLEMENT: { programs: ["DIBAO_PAYMENT"], window: "CURRENT", sources: [] },
  TEKUN_SUPPORT: { programs: ["TEKUN_SUPPORT"], window: "CURRENT", sources: [] },
  TEKUN_CARE_SUBSIDY: { purpose: "NURSING_CARE", window: "CURRENT", sources: ["disability"] },
  ONE_TIME_SUBSIDY: { programs: ["ONE_TIME_SUBSIDY"], window: "EVER", sources: [] },
  MEDICAL_PREMIUM_SUBSIDY: { programs: ["MEDICAL_PREMIUM_SUBSIDY"], window: "YEAR", sources: ["medicalInsurance"] },
  MEDICAL_OUT_OF_POCKET_AID: { programs: ["MEDICAL_AID"], window: "YEAR", sources: ["medicalInsurance"] },
  EDUCATION_FEE_WAIVER: { programs: ["EDUCATION_FEE_WAIVER"], window: "TERM", sources: ["education"] },
  EDUCATION_NATIONAL_GRANT: { programs: ["EDUCATION_NATIONAL_GRANT"], window: "TERM", sources: ["education"] },
  EDUCATION_FREE_TEXTBOOKS: { programs: ["EDUCATION_FREE_TEXTBOOKS"], window: "TERM", sources: ["education"] },
  EDUCATION_LIVING_SUBSIDY: { programs: ["EDUCATION_LIVING_SUBSIDY"], window: "TERM", sources: ["education"] },
  EDUCATION_STUDENT_LOAN: { programs: ["EDUCATION_STUDENT_LOAN"], window: "YEAR", sources: ["education"] },
  EMPLOYMENT_ASSISTANCE: { programs: ["PUBLIC_WELFARE_POST", "TRAINING", "DIBAO_EMPLOYMENT_SUBSIDY"], window: "TRAINING", sources: ["employment"] },
  DIBAO_EMPLOYMENT_SUBSIDY: { programs: ["DIBAO_EMPLOYMENT_SUBSIDY"], window: "CURRENT", sources: ["employment"] },
  HOUSING_SECURITY: { programs: ["PUBLIC_RENTAL", "RENTAL_SUBSIDY"], window: "CURRENT", sources: ["housing"], statuses: ["ACTIVE"] },
  RENT_SUBSIDY_EQUAL_TO_RENT: { programs: ["PUBLIC_RENTAL", "RENTAL_SUBSIDY"], window: "CURRENT", sources: ["housing"], statuses: ["ACTIVE"] },
  DILAPIDATED_HOUSE_RENOVATION: { programs: ["DILAPIDATED_RENOVATION"], window: "EVER", sources: ["housing"], statuses: ["ACTIVE", "ENDED"] },
  DISABILITY_LIVING_SUBSIDY: { programs: ["DISABILITY_LIVING_SUBSIDY"], window: "CURRENT", sources: ["disability"], statuses: ["ACTIVE"] },
  DISABILITY_NURSING_SUBSIDY: { purpose: "NURSING_CARE", window: "CURRENT", sources: ["disability"] },
  CHILD_REHABILITATION: { programs: ["REHAB_CHILD_REHABILITATION"], window: "CURRENT", sources: ["disability"], statuses: ["ACTIVE"] },
};

const WINDOW_MONTHS = { CURRENT: 2, TERM: 6, YEAR: 12, TRAINING: 12 } as const;

/** The chain's windows in months; TRAINING from the policy parameter the evaluation read. */
type Windows = Record<Exclude<MatchRule["window"], "EVER">, number>;

export interface Gap {
  /** stable: `<entitlement kind>:<person id | household>` */
  key: string;
  /** the entitlement with no (or too small a) matching link */
  kind: EntitlementKind;
  personId: string | null;
  /** the department responsible for providing it */
  department: Department;
  entitlement: Entitlement;
  /** true when a link exists but gives less than the entitlement (ratio or amount) */
  shortfall: boolean;
  reason: string;
  /** where the chain looked */
  sources: FactSource[];
  /** the links that fall short (shortfall) */
  links: AidLink[];
}

/** An entitlement the chain could not check because a source it needs failed (unknown ≠ missing). */
export interface IncompleteCheck {
  kind: EntitlementKind;
  personId: string | null;
  department: Department;
  source: SourceName;
  /** the upstream error, or STALE_RECORD: the record is outside the evaluation's period */
  code: FactCode;
}

/**
 * An entitlement the tier gives but the facts do not establish (a deciding fact is not recorded, e.g. the
 * household's housing conditions): a thing to check, never a gap.
 */
export interface UnverifiedEntitlement {
  key: string;
  kind: EntitlementKind;
  personId: string | null;
  department: Department;
  entitlement: Entitlement;
  /** what must be checked to establish it */
  missing: string[];
}

function memberFact(m: MemberFacts, source: SourceName) {
  switch (source) {
    case "education":
      return m.education;
    case "employment":
      return m.employment;
    case "medicalInsurance":
      return m.medicalInsurance;
    case "disability":
      return m.disability;
    default:
      return null;
  }
}

/** The first failed source an entitlement depends on, for its beneficiary (every member for a household entitlement). */
function failedSource(facts: HouseholdFacts, e: Entitlement, rule: MatchRule, stale: readonly StaleRecord[]): { source: SourceName; code: FactCode } | null {
  for (const source of rule.sources) {
    if (source === "housing") {
      if (!facts.housing.ok) return { source, code: facts.housing.code };
      if (stale.some((s) => s.source === "housing")) return { source, code: "STALE_RECORD" };
      continue;
    }
    for (const m of facts.members) {
      if (e.personId !== null && m.personId !== e.personId) continue;
      const f = memberFact(m, source);
      if (f && !f.ok) return { source, code: f.code };
      if (stale.some((s) => s.source === source && s.personId === m.personId)) return { source, code: "STALE_RECORD" };
    }
  }
  return null;
}

/**
 * The windows made so far, per (end instant, months): the same few ends (the evaluation day, the records' dates) recur
 * for every link and entitlement of every view. Bounded; the periods are never modified.
 */
const windowsBack = new Map<number, Map<number, Period>>();
function cachedWindowBack(end: Date, months: number): Period {
  let byEnd = windowsBack.get(months);
  if (byEnd === undefined) windowsBack.set(months, (byEnd = new Map()));
  const t = end.getTime();
  let w = byEnd.get(t);
  if (w === undefined) {
    w = windowBack(end, months);
    if (byEnd.size >= 20_000) byEnd.clear();
    byEnd.set(t, w);
  }
  return w;
}

function inWindow(l: AidLink, rule: MatchRule, asOf: Date, windows: Windows): boolean {
  if (rule.window === "EVER") return true;
  const end = l.source === "registry" || l.asOf.getTime() > asOf.getTime() ? asOf : l.asOf;
  // overlap(l.period, window) !== null, without making the overlap (getTime(): Date relational comparisons are slow)
  const w = cachedWindowBack(end, windows[rule.window]);
  return Math.max(l.period.start.getTime(), w.start.getTime()) <= Math.min(l.period.end.getTime(), w.end.getTime());
}

/** The shortfall of a matching link against the entitlement, or null when it gives enough. */
function shortOf(e: Entitlement, l: AidLink): string | null {
  if (e.kind === "MEDICAL_PREMIUM_SUBSIDY" && e.ratio !== null && l.ratio !== null && l.ratio + 1e-9 < e.ratio) {
    return `premium subsidised at ${l.ratio}, entitled to ${e.ratio} (DOMAIN §2, 003 §9)`;
  }
  if (e.kind === "RENT_SUBSIDY_EQUAL_TO_RENT" && l.basisFen !== null && (l.amountFen ?? 0) < l.basisFen) {
    return `${l.program} subsidy ${l.amountFen ?? 0} fen/month below the rent ${l.basisFen} fen/month (DOMAIN §2, 001 (6))`;
  }
  if (e.kind === "MEDICAL_OUT_OF_POCKET_AID" && e.ratio !== null && l.basisFen !== null && (l.amountFen ?? 0) + 1 < Math.round(e.ratio * l.basisFen)) {
    return `medical aid ${l.amountFen ?? 0} fen below ${e.ratio} of the out-of-pocket ${l.basisFen} fen (DOMAIN §2, 003 §9)`;
  }
  return null;
}

/** No need, so nothing can be missing: out-of-pocket aid when the insurance record shows no out-of-pocket expense. */
function noNeed(facts: HouseholdFacts, e: Entitlement): boolean {
  if (e.kind !== "MEDICAL_OUT_OF_POCKET_AID") return false;
  const m = facts.members.find((x) => x.personId === e.personId);
  return !!m && m.medicalInsurance.ok && m.medicalInsurance.value !== null && m.medicalInsurance.value.outOfPocketFen === 0;
}

/**
 * Gap: entitled, established, not received. An UNVERIFIED entitlement (a deciding fact not recorded) is
 * listed in `unverified`, never a gap; one whose source failed or whose record is stale is `incomplete`.
 * `opts.stale`: the evaluation's stale records; `opts.trainingMonths`: the TRAINING window.
 */
export function findGaps(
  facts: HouseholdFacts,
  entitlements: Entitlement[],
  links: AidLink[],
  asOf: Date,
  opts: { stale?: readonly StaleRecord[]; trainingMonths?: number } = {},
): { gaps: Gap[]; incomplete: IncompleteCheck[]; unverified: UnverifiedEntitlement[] } {
  const gaps: Gap[] = [];
  const incomplete: IncompleteCheck[] = [];
  const unverified: UnverifiedEntitlement[] = [];
  const stale = opts.stale ?? [];
  const windows: Windows = { ...WINDOW_MONTHS, TRAINING: opts.trainingMonths ?? WINDOW_MONTHS.TRAINING };
  for (const e of entitlements) {
    const rule = ENTITLEMENT_MATCH[e.kind];
    if (e.status === "UNVERIFIED") {
      // a failed (or stale) source the check depends on: unchecked, as for an established one; otherwise a thing to verify
      const failed = failedSource(facts, e, rule, stale);
      if (failed) incomplete.push({ kind: e.kind, personId: e.personId, department: e.department, ...failed });
      else unverified.push({ key: `${e.kind}:${e.personId ?? "household"}`, kind: e.kind, personId: e.personId, department: e.department, entitlement: e, missing: e.missing ?? [] });
      continue;
    }
    const statuses = rule.statuses ?? DELIVERS;
    const matching = links.filter(
      (l) =>
        (rule.programs ? rule.programs.includes(l.program) : l.purpose === rule.purpose) &&
        (e.personId === null || l.personId === null || l.personId === e.personId) &&
        statuses.includes(l.status) &&
        !l.stale &&
        inWindow(l, rule, asOf, windows),
    );
    const enough = matching.filter((l) => shortOf(e, l) === null);
    if (enough.length > 0 || noNeed(facts, e)) continue;
    const failed = failedSource(facts, e, rule, stale);
    if (failed) {
      // a failed source may hold the link we did not see: unknown, not missing
      incomplete.push({ kind: e.kind, personId: e.personId, department: e.department, ...failed });
      continue;
    }
    const sources: FactSource[] = rule.sources.length ? [...rule.sources] : ["registry"];
    if (e.department === "civil_affairs" && !sources.includes("registry")) sources.unshift("registry");
    const shortfall = matching.length > 0;
    gaps.push({
      key: `${e.kind}:${e.personId ?? "household"}`,
      kind: e.kind,
      personId: e.personId,
      department: e.department,
      entitlement: e,
      shortfall,
      reason: shortfall
        ? shortOf(e, matching[0])!
        : `entitled to ${e.kind} (${e.rule}; ${e.reference}) but ${sources.join(", ")} show no ${rule.programs?.join(" / ") ?? rule.purpose} ${
            rule.window === "EVER" ? "ever" : `in the ${windows[rule.window]} months to ${isoDay(asOf)}`
          }`,
      sources,
      links: shortfall ? matching : [],
    });
  }
  return { gaps, incomplete, unverified };
}

// ---------------------------------------------------------------------------------------------------
// The chain

export interface PersonChain {
  personId: string;
  links: AidLink[];
  gaps: Gap[];
  duplicates: Duplicate[];
}

export interface AidChain {
  asOf: Date;
  /** every link, household and persons */
  links: AidLink[];
  /** links whose beneficiary is the household as a whole */
  householdLinks: AidLink[];
  /** one chain per member (一人一条救助链), in member order */
  persons: PersonChain[];
  gaps: Gap[];
  duplicates: Duplicate[];
  /** entitlements not checked because a source failed or its record is stale */
  incomplete: IncompleteCheck[];
  /** entitlements the facts do not establish: things to check, not gaps */
  unverified: UnverifiedEntitlement[];
  /** the evaluation's stale records (their links carry `stale: true`) */
  staleRecords: StaleRecord[];
  /** false when some source failed: a failed source's department gets no gaps (see `incomplete`) */
  complete: boolean;
  /** the department sources that failed for this household */
  failedSources: SourceName[];
}

function failedSourcesOf(facts: HouseholdFacts): SourceName[] {
  const out = new Set<SourceName>();
  if (!facts.housing.ok) out.add(facts.housing.source);
  for (const m of facts.members) for (const f of [m.education, m.employment, m.medicalInsurance, m.disability]) if (!f.ok) out.add(f.source);
  return [...out].sort();
  // (stale records are not failures: they are in `staleRecords`, and make the chain incomplete too)
}

/** A link from a record the evaluation found stale (same source and beneficiary; housing: the household). */
function markStale(links: AidLink[], stale: readonly StaleRecord[]): AidLink[] {
  if (stale.length === 0) return links;
  return links.map((l) => (l.source !== "registry" && l.source !== "caseworker" && l.source !== "charity" && stale.some((s) => s.source === l.source && s.personId === l.personId) ? { ...l, stale: true } : l));
}

/** The part of the chain without its duplicates and per-person lists: what the alerts and a monitoring run's snapshot read. */
export type ChainCore = Pick<AidChain, "links" | "gaps" | "incomplete" | "unverified" | "staleRecords" | "failedSources">;

/** The links (stale ones marked), gaps, unchecked and unverified entitlements, stale records and failed sources — as buildAidChain makes them. */
export function aidChainCore(facts: HouseholdFacts, eligibility: EligibilityResult, asOf: Date): ChainCore {
  const staleRecords = eligibility.staleRecords ?? [];
  const links = markStale(aidLinks(facts, asOf), staleRecords);
  const trainingMonths = eligibility.parametersUsed.find((p) => p.key === TRAINING_WINDOW_KEY)?.value;
  const { gaps, incomplete, unverified } = findGaps(facts, eligibility.entitlements, links, asOf, { stale: staleRecords, trainingMonths });
  return { links, gaps, incomplete, unverified, staleRecords, failedSources: failedSourcesOf(facts) };
}

export function buildAidChain(facts: HouseholdFacts, eligibility: EligibilityResult, asOf: Date): AidChain {
  const { links, gaps, incomplete, unverified, staleRecords, failedSources } = aidChainCore(facts, eligibility, asOf);
  const duplicates = findDuplicates(links);
  return {
    asOf: dayOf(asOf),
    links,
    householdLinks: links.filter((l) => l.personId === null),
    persons: facts.members.map((m) => ({
      personId: m.personId,
      links: links.filter((l) => l.personId === m.personId),
      gaps: gaps.filter((g) => g.personId === m.personId),
      duplicates: duplicates.filter((d) => d.personId === m.personId),
    })),
    gaps,
    duplicates,
    incomplete,
    unverified,
    staleRecords,
    complete: failedSources.length === 0 && staleRecords.length === 0,
    failedSources,
  };
}

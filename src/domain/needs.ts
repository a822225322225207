/**
 * Needs a household has that partner charities could help with (DOMAIN.md §2 charities: "matched help"),
 * derived from its situation and from the aid chain's gaps (DOMAIN.md §3: entitled but not implemented).
 * Pure: facts, gaps and the evaluation date in, needs out — no clock, no I/O.
 *
 * A derived need is identified by (household, category, person): the same situation found again on a
 * later derivation is the same need (its `key`), whichever rule found it. A need never carries a name,
 * ID number, exact income or address — only the category, urgency, the household's tier, the person's
 * age band and whether the person is severely disabled; the reasons are written without identities.
 */
import { ageOn } from "./age.js";
import { caseInForce } from "./evaluation.js";
import type { EntitlementKind, HouseholdFacts, MemberFacts, Tier } from "./facts.js";

export const NEED_CATEGORIES = [
  "SCHOOL_COSTS",
  "MEDICAL_COSTS",
  "ASSISTIVE_DEVICES",
  "WINTER_CLOTHING",
  "FOOD",
  "RENT_HELP",
  "JOB_TRAINING",
  "CARE_VISITS",
  "OTHER",
] as const;
export type NeedCategory = (typeof NEED_CATEGORIES)[number];

export const URGENCIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export type Urgency = (typeof URGENCIES)[number];

/** The stored need's derivation key: the household plus the need's key within it (`<household>:<category>:<person|->`). */
export const derivationKey = (householdId: string, need: Pick<DerivedNeed, "key">): string => `${householdId}:${need.key}`;

/** An aid-chain gap as needs use it: an entitlement with no matching link (src/domain/aid-chain.ts). */
export interface NeedGap {
  kind: EntitlementKind;
  personId: string | null;
}

export interface DerivedNeed {
  /** stable within the household: category + person ("SCHOOL_COSTS:<personId>", "WINTER_CLOTHING:-") */
  key: string;
  category: NeedCategory;
  urgency: Urgency;
  personId: string | null;
  /** the rules that found it, e.g. ["SCHOOL_SENIOR_NO_GRANT", "GAP_EDUCATION_NATIONAL_GRANT"] */
  rules: string[];
  /** one line per rule, without identities */
  reasons: string[];
  tier: Tier | null;
  ageBand: string | null;
  disability: boolean;
}

// ---------------------------------------------------------------------------------------------------
// Bands

const AGE_BANDS: [number, number | null, string][] = [
  [0, 5, "0-5"],
  [6, 14, "6-14"],
  [15, 17, "15-17"],
  [18, 59, "18-59"],
  [60, 69, "60-69"],
  [70, null, "70+"],
];

/** An age to its band: 0-5 (pre-school), 6-14 (compulsory school), 15-17, 18-59 (working age), 60-69, 70+. */
export function ageBand(age: number): string {
  for (const [from, to, label] of AGE_BANDS) if (age >= from && (to === null || age <= to)) return label;
  return "0-5";
}

/** The inclusive ages a band covers ("70+" → [70, null]); null when the text is no band. */
export function ageBandBounds(band: string): [number, number | null] | null {
  const found = AGE_BANDS.find(([, , label]) => label === band);
  return found ? [found[0], found[1]] : null;
}

export const URGENCY_RANK: Record<Urgency, number> = { LOW: 0, MEDIUM: 1, HIGH: 2, CRITICAL: 3 };

// ---------------------------------------------------------------------------------------------------
// Facts read by the rules

/** The tier of the household's case in force (a single-person case's tier when there is no household case). */
export function householdTier(facts: Pick<HouseholdFacts, "cases">, asOf: Date): Tier | null {
  const inForce = facts.cases.filter((c) => caseInForce(c, asOf));
  return (inForce.find((c) => c.personId === null) ?? inForce[0])?.tier ?? null;
}

const value = <T>(f: { ok: true; value: T | null } | { ok: false }): T | null => (f.ok ? f.value : null);

function severe(m: MemberFacts): boolean {
  return value(m.disability)?.severe === true;
}

/** Winter months in Chongqing's relief calendar (winter–spring relief, DOMAIN.md §2 emergency management). */
function isWinter(asOf: Date): boolean {
  const month = asOf.getUTCMonth() + 1;
  return month >= 11 || month <= 2;
}

const DEVICE_CATEGORIES = new Set(["VISUAL", "HEARING", "PHYSICAL", "MULTIPLE"]);
const MARGINAL_TIERS = new Set<Tier>(["DIBAO_MARGINAL", "RIGID_EXPENDITURE", "MONITORED"]);
const ASSISTED_TIERS = new Set<Tier>(["DIBAO", "TEKUN", "DIBAO_MARGINAL"]);

interface Finding {
  rule: string;
  category: NeedCategory;
  urgency: Urgency;
  person: MemberFacts | null;
  reason: string;
}

/** Situational rules: each looks at one member (or the household) and says what help would fill a gap. */
function situationalFindings(facts: HouseholdFacts, tier: Tier | null, asOf: Date): Finding[] {
  const out: Finding[] = [];
  const tierText = tier ?? "no tier";
  for (const m of facts.members) {
    const age = ageOn(m.birthDate, asOf);
    const band = ageBand(age);

    // A senior-high (or secondary vocational) student in a marginal household with no national grant: the
    // grant is only certain for dibao/TEKUN students (002 #8–10, 003 §10); a charity can cover school costs.
    const edu = value(m.education);
    if (edu && (edu.stage === "SENIOR" || edu.stage === "VOCATIONAL") && tier !== null && MARGINAL_TIERS.has(tier)) {
      if (!edu.aid.some((a) => a.item === "NATIONAL_GRANT"))
        out.push({
          rule: "SCHOOL_SENIOR_NO_GRANT",
          category: "SCHOOL_COSTS",
          urgency: "HIGH",
          person: m,
          reason: `${edu.stage === "SENIOR" ? "senior-high" : "secondary vocational"} student (${band}) in a ${tierText} household, no national grant in ${edu.term}`,
        });
    }

    // A severely disabled member (vision, hearing, physical, multiple) without an assistive device (002 #23, 003 §16).
    const dis = value(m.disability);
    if (dis && dis.severe && DEVICE_CATEGORIES.has(dis.category) && !dis.rehabilitation.includes("ASSISTIVE_DEVICE"))
      out.push({
        rule: "DEVICE_SEVERE_NO_DEVICE",
        category: "ASSISTIVE_DEVICES",
        urgency: dis.grade === 1 ? "HIGH" : "MEDIUM",
        person: m,
        reason: `grade-${dis.grade} ${dis.category.toLowerCase()} disability (${band}), no assistive device on record`,
      });

    // Care visits: an old person who cannot fully look after themself, or a severely disabled one who cannot at all.
    if (age >= 70 && m.selfCare !== "FULL")
      out.push({
        rule: "CARE_ELDERLY",
        category: "CARE_VISITS",
        urgency: m.selfCare === "NONE" ? "HIGH" : "MEDIUM",
        person: m,
        reason: `aged ${band}, self-care ${m.selfCare === "NONE" ? "none" : "partial"}`,
      });
    else if (age < 70 && severe(m) && m.selfCare === "NONE")
      out.push({ rule: "CARE_DISABLED", category: "CARE_VISITS", urgency: "HIGH", person: m, reason: `severe disability (${band}), self-care none` });

    // A registered-unemployed member of working age able to work, without a training in the last year (000 二(七), 003 §12).
    const emp = value(m.employment);
    if (emp && emp.status === "UNEMPLOYED_REGISTERED" && age >= 16 && age < 60 && m.workAbility !== "NONE") {
      const yearAgo = new Date(asOf.getTime() - 365 * 86_400_000);
      if (!emp.trainings.some((t) => t.completedOn >= yearAgo))
        out.push({ rule: "JOB_UNEMPLOYED_NO_TRAINING", category: "JOB_TRAINING", urgency: "MEDIUM", person: m, reason: `registered unemployed (${band}), no training in the last 12 months` });
    }

    // A serious disease with out-of-pocket costs left after insurance and medical aid (003 §9).
    const med = value(m.medicalInsurance);
    if (med && med.seriousDisease !== null && med.outOfPocketFen > 0)
      out.push({ rule: "MEDICAL_SERIOUS_OUT_OF_POCKET", category: "MEDICAL_COSTS", urgency: "HIGH", person: m, reason: `serious disease (${band}) with out-of-pocket costs after insurance` });
  }

  // Winter clothing for assisted households with a member aged 70+ or under 6, in the winter months.
  if (isWinter(asOf) && tier !== null && ASSISTED_TIERS.has(tier)) {
    const vulnerable = facts.members.filter((m) => {
      const age = ageOn(m.birthDate, asOf);
      return age >= 70 || age < 6;
    });
    if (vulnerable.length > 0)
      out.push({ rule: "WINTER_VULNERABLE", category: "WINTER_CLOTHING", urgency: "MEDIUM", person: null, reason: `${tierText} household with a member aged 70+ or under 6, winter` });
  }
  return out;
}

/** What a charity can bridge while a department implements an entitlement it has not yet given (DOMAIN.md §3 (a)). */
const GAP_NEEDS: Record<EntitlementKind, { category: NeedCategory; urgency: Urgency }> = {
  DIBAO_PAYMENT: { category: "FOOD", urgency: "CRITICAL" },
  TEKUN_SUPPORT: { category: "FOOD", urgency: "CRITICAL" },
  DIBAO_CLASSIFIED_SUPPLEMENT: { category: "FOOD", urgency: "MEDIUM" },
  ONE_TIME_SUBSIDY: { category: "FOOD", urgency: "LOW" },
  TEKUN_CARE_SUBSIDY: { category: "CARE_VISITS", urgency: "HIGH" },
  MEDICAL_PREMIUM_SUBSIDY: { category: "MEDICAL_COSTS", urgency: "MEDIUM" },
  MEDICAL_OUT_OF_POCKET_AID: { category: "MEDICAL_COSTS", urgency: "HIGH" },
  EDUCATION_FEE_WAIVER: { category: "SCHOOL_COSTS", urgency: "HIGH" },
  EDUCATION_NATIONAL_GRANT: { category: "SCHOOL_COSTS", urgency: "HIGH" },
  EDUCATION_FREE_TEXTBOOKS: { category: "SCHOOL_COSTS", urgency: "MEDIUM" },
  EDUCATION_LIVING_SUBSIDY: { category: "SCHOOL_COSTS", urgency: "MEDIUM" },
  EDUCATION_STUDENT_LOAN: { category: "SCHOOL_COSTS", urgency: "MEDIUM" },
  EMPLOYMENT_ASSISTANCE: { category: "JOB_TRAINING", urgency: "MEDIUM" },
  DIBAO_EMPLOYMENT_SUBSIDY: { category: "JOB_TRAINING", urgency: "LOW" },
  HOUSING_SECURITY: { category: "RENT_HELP", urgency: "HIGH" },
  RENT_SUBSIDY_EQUAL_TO_RENT: { category: "RENT_HELP", urgency: "HIGH" },
  DILAPIDATED_HOUSE_RENOVATION: { category: "RENT_HELP", urgency: "MEDIUM" },
  DISABILITY_LIVING_SUBSIDY: { category: "FOOD", urgency: "MEDIUM" },
  DISABILITY_NURSING_SUBSIDY: { category: "CARE_VISITS", urgency: "HIGH" },
  CHILD_REHABILITATION: { category: "ASSISTIVE_DEVICES", urgency: "HIGH" },
};

function gapFindings(facts: HouseholdFacts, gaps: readonly NeedGap[]): Finding[] {
  const members = new Map(facts.members.map((m) => [m.personId, m]));
  return gaps.map((g) => {
    const to = GAP_NEEDS[g.kind];
    const person = g.personId ? (members.get(g.personId) ?? null) : null;
    return { rule: `GAP_${g.kind}`, category: to.category, urgency: to.urgency, person, reason: `aid-chain gap: ${g.kind} not received` };
  });
}

/**
 * The household's needs on `asOf`: situational findings plus aid-chain gaps, one need per (category,
 * person) with the highest urgency found and every rule that found it. Ordered by urgency (highest
 * first), then category, then key — deterministic.
 */
export function deriveNeeds(facts: HouseholdFacts, asOf: Date, gaps: readonly NeedGap[] = []): DerivedNeed[] {
  const tier = householdTier(facts, asOf);
  const byKey = new Map<string, DerivedNeed>();
  for (const f of [...situationalFindings(facts, tier, asOf), ...gapFindings(facts, gaps)]) {
    const key = `${f.category}:${f.person?.personId ?? "-"}`;
    const existing = byKey.get(key);
    if (existing) {
      if (!existing.rules.includes(f.rule)) {
        existing.rules.push(f.rule);
        existing.reasons.push(f.reason);
      }
      if (URGENCY_RANK[f.urgency] > URGENCY_RANK[existing.urgency]) existing.urgency = f.urgency;
      continue;
    }
    byKey.set(key, {
      key,
      category: f.category,
      urgency: f.urgency,
      personId: f.person?.personId ?? null,
      rules: [f.rule],
      reasons: [f.reason],
      tier,
      ageBand: f.person ? ageBand(ageOn(f.person.birthDate, asOf)) : null,
      disability: f.person ? severe(f.person) : false,
    });
  }
  return [...byKey.values()].sort(
    (a, b) => URGENCY_RANK[b.urgency] - URGENCY_RANK[a.urgency] || a.category.localeCompare(b.category) || a.key.localeCompare(b.key),
  );
}

/**
 * The aid chain and alerts of a household for one request: the pure domain functions over the facts
 * and eligibility the request already gathered (src/features/facts/gather.ts, src/features/eligibility/eligibility.ts —
 * the same per-request DataLoaders as the unified view, so no extra upstream calls), memoised per
 * request; the stored alert actions (one query per batch of households); and what an audience may see
 * of them: a link, gap, duplicate or alert whose evidence comes from a source the audience cannot read
 * (per src/policy/rules.ts) is left out entirely.
 */
import DataLoader from "dataloader";
import type { AlertAction, Household } from "../../db/generated/client.js";
import type { RequestDeps } from "../request.js";
import { buildAidChain, type AidChain, type AidLink, type Duplicate, type Gap, type IncompleteCheck } from "../../domain/aid-chain.js";
import { deriveAlerts, type AlertEvidence, type AlertFinding } from "../../domain/alerts.js";
import type { EligibilityResult, EntitlementKind, FactSource, HouseholdFacts } from "../../domain/facts.js";
import { BASIS, SOURCE_BASIS } from "../../domain/observed.js";
import type { Audience } from "../../policy/audiences.js";
import { entitlementAmountReadable, mayRead } from "../../policy/disclosure.js";
import { afterDepartmentRequests, householdFacts } from "../facts/gather.js";
import { eligibilityOf, type EligibilityDeps } from "../eligibility/eligibility.js";
import { memoSlot } from "../memo.js";
import { dayOf } from "../../domain/calendar.js";
import { factsFor, withheldSources } from "../../policy/noninterference.js";

/** What the aid chain and alerts use: the eligibility's dependencies, the request's day, the database (stored actions). */
export type MonitoringDeps = EligibilityDeps & Pick<RequestDeps, "now" | "prisma">;
type Deps = MonitoringDeps;

// ---------------------------------------------------------------------------------------------------
// Computation, memoised per request and household

export interface Monitoring {
  chain: AidChain;
  alerts: AlertFinding[];
}

const computed = memoSlot<Promise<Monitoring>>();

export function monitoringOf(deps: Deps, household: Household): Promise<Monitoring> {
  return computed(deps.memo, household.id, () => {
    const asOf = deps.now;
    // the eligibility of the request's day, shared with Household.eligibility (its default asOf): one evaluation per request
    return Promise.all([householdFacts(deps, household), eligibilityOf(deps, household, dayOf(asOf))]).then(([facts, eligibility]) =>
      monitoringFrom(facts, eligibility, asOf, policyAudience(deps)),
    );
  });
}

/**
 * The aid chain and alerts of one household for one audience, from its facts and its eligibility evaluated
 * over the facts that audience may read (the same function serves requests and the monitoring runs,
 * src/monitoring/evaluate.ts). Pure.
 */
export function monitoringFrom(facts: HouseholdFacts, eligibility: EligibilityResult, asOf: Date, audience: Audience | null): Monitoring {
  // over the records this request's audience may read, as the eligibility (src/policy/noninterference.ts)
  const seen = factsFor(facts, audience);
  const withheld = withheldSources(audience);
  const built = buildAidChain(seen, eligibility, asOf);
  // complete: every source this audience may read answered (a withheld one is not a failure)
  const chain = { ...built, complete: built.failedSources.every((s) => withheld.includes(s)) };
  return { chain, alerts: deriveAlerts(seen, eligibility, asOf, chain) };
}

// ---------------------------------------------------------------------------------------------------
// Stored actions

const actionLoader = memoSlot<DataLoader<string, AlertAction[]>>();

/** The stored actions of a household's alerts, oldest first (batched across households per request). */
export async function alertActions(deps: Pick<RequestDeps, "prisma" | "memo">, householdId: string): Promise<AlertAction[]> {
  await afterDepartmentRequests(deps); // a registry statement of the computed fields: after the department requests
  const loader = actionLoader(
    deps.memo,
    "",
    () =>
      new DataLoader<string, AlertAction[]>(async (ids) => {
        const rows = await deps.prisma.alertAction.findMany({ where: { householdId: { in: [...ids] } }, orderBy: [{ at: "asc" }, { id: "asc" }] });
        return ids.map((id) => rows.filter((r) => r.householdId === id));
      }),
  );
  return loader.load(householdId);
}

export type AlertStatus = "OPEN" | "ACKNOWLEDGED" | "PUSHED" | "RESOLVED";

/** The status from the actions of one alert: RESOLVE is final; otherwise the latest action decides. */
export function statusOf(actions: Pick<AlertAction, "action">[]): AlertStatus {
  if (actions.some((a) => a.action === "RESOLVE")) return "RESOLVED";
  const last = actions.at(-1);
  return !last ? "OPEN" : last.action === "PUSH" ? "PUSHED" : "ACKNOWLEDGED";
}

/** The department of the latest push, if any. */
export function pushedTo(actions: Pick<AlertAction, "action" | "department">[]): string | null {
  return actions.filter((a) => a.action === "PUSH").at(-1)?.department ?? null;
}

// ---------------------------------------------------------------------------------------------------
// What an audience may see

/**
 * The field of the schema that leads to each source's data ("Type.field"); a source is readable when the
 * audience may read that field. Undefined: policy parameters (public), caseworker input, charity deliveries.
 */
function sourceCoordinate(source: FactSource | "policy", evidenceName = ""): string | undefined {
  if (source === "registry") {
    // registry evidence by what it is: cases, incomes, or payments
    if (evidenceName.startsWith("case.")) return "Household.cases";
    if (evidenceName.startsWith("income")) return BASIS.INCOMES;
    return "Household.aidRecords";
  }
  return (SOURCE_BASIS as Partial<Record<FactSource | "policy", string>>)[source];
}

/** The audience whose field policy applies to this request (null: FIELD_POLICY=off, everything readable). */
export function policyAudience(deps: Pick<RequestDeps, "enforcePolicy" | "principal">): Audience | null {
  return deps.enforcePolicy ? deps.principal.audience : null;
}

export interface Visibility {
  readable(source: FactSource | "policy", evidenceName?: string): boolean;
  /** an entitlement amount computed from a record the audience may not read is withheld, as in Eligibility (src/policy/disclosure.ts) */
  amountReadable(kind: EntitlementKind): boolean;
}

export function visibilityFor(deps: Pick<RequestDeps, "enforcePolicy" | "principal">): Visibility {
  return audienceVisibility(policyAudience(deps));
}

/** What one audience may see (null: the field policy is off, everything). */
export function audienceVisibility(audience: Audience | null): Visibility {
  return {
    readable: (source, evidenceName) => mayRead(audience, sourceCoordinate(source, evidenceName)),
    amountReadable: (kind) => entitlementAmountReadable(audience, kind),
  };
}

const linkVisible = (v: Visibility, l: AidLink) => v.readable(l.source);
const gapVisible = (v: Visibility, g: Gap) => g.sources.every((s) => v.readable(s)) && g.links.every((l) => linkVisible(v, l));
/** A visible gap, its entitled amount withheld (null) where it is computed from a record the audience may not read. */
const gapView = (v: Visibility, g: Gap): Gap => (g.entitlement.amountFen === null || v.amountReadable(g.kind) ? g : { ...g, entitlement: { ...g.entitlement, amountFen: null } });
const duplicateVisible = (v: Visibility, d: Duplicate) => d.links.every((l) => linkVisible(v, l));
const incompleteVisible = (v: Visibility, i: IncompleteCheck) => v.readable(i.source);
/** The department system an unverified entitlement's department keeps (civil affairs: the registry, readable with the chain). */
const DEPARTMENT_SOURCE: Partial<Record<string, FactSource>> = { housing: "housing", medical_insurance: "medicalInsurance", education: "education", employment: "employment", disability: "disability" };

export function visibleChain(chain: AidChain, v: Visibility): AidChain {
  const links = chain.links.filter((l) => linkVisible(v, l));
  const gaps = chain.gaps.filter((g) => gapVisible(v, g)).map((g) => gapView(v, g));
  const duplicates = chain.duplicates.filter((d) => duplicateVisible(v, d));
  return {
    ...chain,
    links,
    householdLinks: chain.householdLinks.filter((l) => linkVisible(v, l)),
    persons: chain.persons.map((p) => ({
      personId: p.personId,
      links: p.links.filter((l) => linkVisible(v, l)),
      gaps: p.gaps.filter((g) => gapVisible(v, g)).map((g) => gapView(v, g)),
      duplicates: p.duplicates.filter((d) => duplicateVisible(v, d)),
    })),
    gaps,
    duplicates,
    incomplete: chain.incomplete.filter((i) => incompleteVisible(v, i)),
    failedSources: chain.failedSources.filter((s) => v.readable(s)),
    unverified: (chain.unverified ?? []).filter((u) => DEPARTMENT_SOURCE[u.department] === undefined || v.readable(DEPARTMENT_SOURCE[u.department]!)),
    staleRecords: (chain.staleRecords ?? []).filter((s) => v.readable(s.source)),
  };
}

export function alertVisible(v: Visibility, a: AlertFinding): boolean {
  return a.evidence.every((e: AlertEvidence) => v.readable(e.source, e.name));
}

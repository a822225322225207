/**
 * The field policy, proven over real HTTP: every audience × every (type, field) of POLICY.
 *
 * A seeded registry (300 persons) and the five department sandboxes over the same population. For each
 * cell the test picks a household in the audience's jurisdiction where the field has a value, asks for
 * the field through the shortest path of fields the audience may read, and checks what POLICY says:
 *   read          the true value: the database row / the department system's record (through its
 *                 connector, not through GraphQL), serialised as the schema's scalar says
 *   masked(kind)  exactly src/policy/masks.ts applied to the true value (pseudonyms: the gateway's
 *                 per-charity reference), and never the true value
 *   consent       the phone where the household consented, null (no error) where it did not
 *   absent        null with exactly one FORBIDDEN error at each path, while a sibling field resolves
 * A type the audience cannot reach (an ancestor field is denied) is proven by the denial at that
 * ancestor. A field the audience may read but never gets a value of (FILTERED_OUT: the aid chain's content
 * filter always cuts it for that audience) is proven by the filtering, on a household where the unfiltered
 * value exists. The cells are derived from POLICY and the schema, so they cannot drift from them.
 * Computed types (eligibility, aid chain, alerts, matching) are true by the pure domain functions over the
 * household's facts assembled from the rows and department records read here; the state some cells need (a failed
 * department record, a stored alert action, access records, claims) is created in beforeAll.
 *
 * The oracle is independent of what it judges: what each audience may see — the masks, the withheld department
 * records (non-interference), the values withheld inside eligibility reasons and entitlements, the aid chain's and
 * alerts' content filter, the access log's and the audit findings' content — is computed here, from the policy
 * table's data (POLICY) and the raw rows (SQL / Prisma reads of the tables), never with the gateway's disclosure,
 * visibility, masking or presentation functions. One test per (audience, type, field): a type an audience reaches
 * only through a field it may not read is proven once, at that field's own cell (a denial is not repeated for
 * every field behind it).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getNamedType, isObjectType, isNonNullType, type GraphQLObjectType } from "graphql";
import { startGateway, type TestGateway } from "../helpers/gateway.js";
import { runSeed } from "../../dev/seed/run.js";
import { POLICY, type Access } from "../../src/policy/rules.js";
import { AUDIENCES, type Audience } from "../../src/policy/audiences.js";
import type { MaskKind } from "../../src/policy/masks.js";
import { cell as cellLabel } from "../../src/policy/table.js";
import { gatewaySchema } from "../../src/graphql/schema.js";
import { formatDate } from "../../schema/scalars.js";
import { ageOn } from "../../src/domain/age.js";
import { encodeCursor } from "../../src/features/households/cursor.js";
import { parametersInForce } from "../../src/features/policy-parameters/in-force.js";
import { regionChain } from "../../src/features/policy-parameters/region.js";
import { makeIdNumber } from "../../src/domain/idnumber.js";
import type { MintOptions } from "../../dev/keys/dev-keys.js";
import { createHash } from "node:crypto";
import { auditFindings, type FindingsFacts } from "../../src/domain/audit-findings.js";
import type { Household as HouseholdRow } from "../../src/db/generated/client.js";
import { matchesForNeed, matchesForResource, type Match } from "../../src/domain/matching.js";
import { matchableNeed, matchableResource } from "../../src/features/charity/requests.js";
import { evaluateEligibility } from "../../src/domain/eligibility.js";
import type { EligibilityResult } from "../../src/domain/facts.js";
import { householdFactsOf, memberFactsOf, parameterSetOf } from "../../src/features/facts/gather.js";
import { generatePopulation } from "../../dev/seed/generator.js";
import { deriveAllSandboxData } from "../../dev/sandboxes/index.js";
import { CHRONIC_DISEASES, PREMIUM_SUBSIDY_RATIO, SPECIAL_DISEASES } from "../../connectors/medical-insurance/connector.js";
import { DISABILITY_CATEGORIES } from "../../connectors/disability/connector.js";
import type { Fetched, HouseholdFacts, ParameterSet } from "../../src/domain/facts.js";
import type { AlertAction } from "../../src/db/generated/client.js";
import type { SourceName } from "../../src/domain/records.js";
import { buildAidChain, type AidChain, type AidLink, type Duplicate, type Gap } from "../../src/domain/aid-chain.js";
import { deriveAlerts, type AlertFinding } from "../../src/domain/alerts.js";
import { opaqueAlertKey, opaqueId } from "../../src/policy/opaque.js";
import { MIRROR_TABLES } from "../../connectors/kit/index.js";
import { monitorOn } from "../monitoring/helpers.js";

/**
 * A population of 300 persons is small: whether it holds every situation the cells need (a gap housing may see,
 * a stale housing record, a duplicate besides the household whose care-subsidy payments the failed disability
 * record removes, enough alerts per audience for the alert mutations, …) depends on the generator's seed.
 * `npm run -s matrix:seed -- 1 120` (dev/scripts/matrix-seed.ts) checks that with the pure generator for a range of
 * seeds; 218 covers everything any seed of 1–260 covers (generator of issue 13). Re-run it when the generator moves.
 */
const SEED = 218;
const AS_OF = "2026-11-01";
const PERSONS = 300;
const NOW = new Date("2026-11-22T08:00:00Z");
const CHARITY = "charity-matrix";
/** another registered charity: the consent mutations are proven with it */
const CHARITY_OTHER = "charity-matrix-other";
const PAGE = 5;
const FINDINGS_PAGE = 100;
/** households examined by the matrix's page of Query.alerts (its maximum, resolvers/alerts.ts MAX_ALERT_HOUSEHOLDS) */
const ALERT_PAGE = 50;
/** leads asked for at once (resolvers/monitoring.ts: at most 100) */
const LEADS_PAGE = 100;

type Raw = Record<string, unknown>;
type Json = unknown;

// ------------------------------------------------------------------------------------------------
// The cells: derived from POLICY and the schema at collection time.

const schema = await gatewaySchema();
const objectType = (name: string) => schema.getType(name) as GraphQLObjectType;

/** The roots a household's data is reached from, with the arguments the test gives them. */
const ROOTS: Record<string, { type: string; args: string; vars: string }> = {
  household: { type: "Household", args: "(id: $id)", vars: "$id: ID!" },
  households: { type: "HouseholdConnection", args: `(first: ${PAGE}, filter: { street: $street })`, vars: "$street: String" },
  policyParameters: { type: "PolicyParameter", args: "(regionCode: $region)", vars: "$region: String!" },
  // charity matching: the open needs of the household's street (issue 7)
  needs: { type: "NeedConnection", args: `(first: ${PAGE}, filter: { street: $street })`, vars: "$street: String" },
  // the access log up to a fixed instant (records written before the matrix ran), and the audit findings of a street
  accessLog: { type: "AccessRecordConnection", args: `(first: ${PAGE}, filter: { household: $household, to: $to })`, vars: "$household: ID, $to: DateTime" },
  // a whole page of a street's findings (100): person-level ones are rarer than household-level ones
  auditFindings: { type: "AuditFindingConnection", args: `(first: ${FINDINGS_PAGE}, filter: { street: $street })`, vars: "$street: String" },
  // the alert list of the household's street: after the setup's monitoring runs, the stored alerts of the latest run
  // (issue 16), a page of up to ALERT_PAGE alerts, those a later run cleared included
  alerts: { type: "AlertPage", args: `(first: ${ALERT_PAGE}, filter: { street: $street, includeCleared: true })`, vars: "$street: String" },
  // the department mirror's sync status (issue 15): synced once before the cells, an hour before NOW
  departmentSync: { type: "DepartmentSyncStatus", args: "", vars: "" },
  // monitoring runs and their leads (issue 16): the two runs of the setup (monitorPopulation); the leads of the latest,
  // a whole page (the maximum), dismissed ones included
  monitoringRuns: { type: "MonitoringRunConnection", args: "(first: 20)", vars: "" },
  leads: { type: "LeadConnection", args: `(first: ${LEADS_PAGE}, filter: { includeDismissed: true })`, vars: "" },
};
/** `(a, b)` of the non-empty variable definitions, or nothing */
const varDefs = (...defs: string[]) => (defs.filter(Boolean).length ? `(${defs.filter(Boolean).join(", ")})` : "");

/**
 * Fields an audience may read whose value it can never get, by construction of the aid chain's content filter
 * (src/features/aid-chain/monitoring.ts: links, gaps, duplicates and alerts resting on a source the audience may not read
 * are left out). Not exempted but proven by the filtering: on a household where the unfiltered value exists,
 * the audience gets exactly its own (empty) truth and no error — a leak would show the value. Every cell below
 * such a coordinate (e.g. each AidDuplicate field for a department, which never receives a duplicate) is proven
 * at it, as a type behind a denied field is proven at the denial. The list is checked both ways: an audience
 * listed must have no value anywhere in the data set, and must hold a read grant for the coordinate.
 */
const SOURCE_NAMES = ["education", "employment", "housing", "medicalInsurance", "disability"] as const;
const DEPARTMENT_AUDIENCES: Audience[] = ["education", "employment", "housing", "medical_insurance", "disability", "health"];
const FILTERED_OUT: Record<string, { audiences: Audience[]; why: string }> = {
  "AidChain.duplicates": {
    audiences: DEPARTMENT_AUDIENCES,
    why: "a duplicate always involves a registry payment (Household.aidRecords: registry keepers only): no two department systems pay one purpose, and their links carry the household's district",
  },
  "PersonAidChain.duplicates": { audiences: DEPARTMENT_AUDIENCES, why: "as AidChain.duplicates" },
  "AidChain.householdLinks": {
    audiences: ["education", "employment", "medical_insurance", "disability", "health"],
    why: "links for the household as a whole are registry payments and housing benefits",
  },
  "AidLink.ratio": { audiences: ["education", "employment", "housing", "disability"], why: "only the medical insurance premium subsidy has a ratio" },
  "AidGap.entitledRatio": { audiences: ["education", "employment", "housing", "disability"], why: "only medical insurance entitlements have a ratio" },
  "AidLink.basisFen": { audiences: ["education", "employment", "disability"], why: "a basis is an out-of-pocket amount (medical insurance) or a rent (housing)" },
  "AidGap.links": {
    audiences: ["education", "employment", "disability", "housing"],
    why: "a gap lists links only when one falls short: premium subsidy and medical aid (medical insurance), rent (housing); housing's entitlements are computed over the records it may read only (issue 12), and from those no rent shortfall is established in this data set",
  },
  "AidGap.entitledAmountFen": {
    audiences: ["education", "employment", "disability", "housing"],
    why: "education and federation entitlements carry no amount; employment's one (the dibao employment subsidy) is computed from incomes, which employment and the federation may not read: withheld, as in Eligibility; housing: as AidGap.links",
  },
  "AidGap.personId": { audiences: ["housing"], why: "housing's entitlements are the household's" },
  "PersonAidChain.gaps": { audiences: ["housing"], why: "housing's entitlements are the household's" },
  "AidIncompleteCheck.personId": { audiences: ["housing"], why: "housing's entitlements are the household's" },
  "AidChain.unverified": {
    audiences: ["education", "employment", "medical_insurance", "disability", "health"],
    why: "the data set's unverified entitlements are housing security (housing conditions not recorded): shown to those who read Household.housing (issue 13 point 4)",
  },
  "StaleRecord.personId": { audiences: ["housing"], why: "housing reads only housing records, which are the household's" },
  "AidChain.gaps": {
    audiences: ["housing"],
    why: "housing's entitlements are computed over the records it may read only (issue 12): housing security is UNVERIFIED without the housing condition (issue 13 point 4) and no rent shortfall is established from housing's own records in this data set",
  },
  "Entitlement.ratio": {
    audiences: ["education", "employment", "housing", "disability"],
    why: "only medical-insurance entitlements carry a ratio, and those rest on the insurance record, which education, employment, housing and the federation may not read: computed without it (issue 12), none is established",
  },
};
const filteredOut = (audience: Audience, coordinate: string) => FILTERED_OUT[coordinate]?.audiences.includes(audience) ?? false;

/**
 * Coordinates whose value exists only once a monitoring run has finished (issue 16) — stored alerts (first/last
 * seen, cleared), the run a page, a findings list or a lead list comes from, the runs themselves and the leads a run
 * derives from the department mirror — are proven with values like any other cell: the setup runs the production
 * monitoring run twice over the matrix's population (monitorPopulation: a full run after the mirror sync, a registry
 * change that clears alerts, an incremental run), and their truth is the raw monitoring_run, monitoring_alert,
 * monitoring_household and monitoring_lead rows, read with SQL (readMonitoringRows), never the resolvers.
 * STORED_ONLY would list a coordinate still without a value (its cell then checks that neither the oracle nor the
 * gateway has one anywhere); a test below keeps it empty.
 */
const STORED_ONLY: Record<string, string> = {};
const storedOnly = (coordinate: string) => STORED_ONLY[coordinate] !== undefined || STORED_ONLY[`${coordinate.split(".")[0]}.*`] !== undefined;

/**
 * Alert's stored-only fields are asked where stored alerts are listed — Query.alerts (AlertPage.alerts), the stored
 * page of the latest run — not through Household.alerts, which is computed on request (null there by construction).
 */
const STORED_ROUTES: Record<string, string[]> = {
  "Alert.firstSeen": ["alerts", "alerts"],
  "Alert.lastSeen": ["alerts", "alerts"],
  "Alert.clearedAt": ["alerts", "alerts"],
};

/**
 * NOT YET PROVEN for want of data (not by construction, unlike FILTERED_OUT): the cell is checked as a STORED_ONLY one
 * (the oracle has no value anywhere, the gateway shows none and no error). A test below keeps it empty.
 * (AlertPage.staleSources for housing, listed until issue 16's matrix work: the stored page names the run's stale
 * sources, which the incremental run has — proven.)
 */
const NO_VALUE_IN_DATA_SET: Record<string, { audiences: Audience[]; why: string }> = {};
const unproven = (audience: Audience, coordinate: string) => storedOnly(coordinate) || (NO_VALUE_IN_DATA_SET[coordinate]?.audiences.includes(audience) ?? false);
/** Subscription roots cannot be asked over HTTP (the input guard refuses subscriptions, src/app/apollo.ts): not planned here. */
const NOT_OVER_HTTP = ["alertRaised"];

const hasRequiredArgs = (t: GraphQLObjectType, f: string) =>
  t.getFields()[f].args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined);

/** Shortest path (field names from the Query root) to each object type; only through fields the audience may read when `readable`. */
function routes(audience: Audience, readable: boolean): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const queue: [string, string[]][] = Object.entries(ROOTS)
    .filter(([root]) => !readable || POLICY.Query?.[root]?.[audience]) // a root the audience may not call leads nowhere readable
    .map(([root, r]) => [r.type, [root]]);
  while (queue.length) {
    const [type, path] = queue.shift()!;
    if (found.has(type)) continue;
    found.set(type, path);
    const t = objectType(type);
    for (const [name, def] of Object.entries(t.getFields())) {
      const named = getNamedType(def.type);
      if (!isObjectType(named) || found.has(named.name) || hasRequiredArgs(t, name)) continue;
      if (readable && !POLICY[type]?.[name]?.[audience]) continue;
      queue.push([named.name, [...path, name]]);
    }
  }
  return found;
}

interface Cell {
  audience: Audience;
  type: string;
  field: string;
  access: Access | undefined;
  /** [root, ..., field] */
  template: string[];
  /** the leaf is an object (or a list of objects): selected as { __typename } */
  objectLeaf: boolean;
  /** when the type cannot be reached through readable fields: the length of the template prefix that is denied */
  deniedAt: number | null;
  /** when the template passes a FILTERED_OUT coordinate for the audience: the length of the template prefix ending there */
  filteredAt: number | null;
  /** a field of the same parent the audience may read (or __typename) */
  sibling: string;
}

function cellsFor(audience: Audience): Cell[] {
  const readable = routes(audience, true);
  const any = routes(audience, false);
  const cells: Cell[] = [];
  for (const [type, fields] of Object.entries(POLICY)) {
    // Subscription: not over HTTP (NOT_OVER_HTTP; its input guard refusal is asserted below)
    if (type === "Query" || type === "Mutation" || type === "Subscription") continue;
    // federation's own type (the subgraph SDL, Query._service) is not in the client-facing schema the matrix plans
    // over; test/federation/supergraph.test.ts asks it
    if (!schema.getType(type)) continue;
    const route = readable.get(type) ?? any.get(type);
    if (!route) throw new Error(`${type} cannot be reached from ${Object.keys(ROOTS).join(", ")}: give the matrix a root for it`);
    let deniedAt: number | null = null;
    if (!readable.has(type)) {
      let parent = "Query";
      for (let i = 0; i < route.length; i++) {
        if (!POLICY[parent]?.[route[i]]?.[audience]) {
          deniedAt = i + 1;
          break;
        }
        parent = getNamedType(objectType(parent).getFields()[route[i]].type).name;
      }
    }
    const t = objectType(type);
    for (const field of Object.keys(fields)) {
      const def = t.getFields()[field];
      const stored = STORED_ROUTES[`${type}.${field}`];
      // a stored-only field through the stored list, for an audience that may read the list (else its own route's denial)
      const template = stored && deniedAt === null && stored.every((_, i) => POLICY[i === 0 ? "Query" : leafType(stored.slice(0, i))]?.[stored[i]]?.[audience]) ? [...stored, field] : [...route, field];
      let filteredAt: number | null = null;
      for (let i = 1, parent = getNamedType(objectType("Query").getFields()[template[0]].type).name; deniedAt === null && i < template.length; i++) {
        if (filteredOut(audience, `${parent}.${template[i]}`)) {
          filteredAt = i + 1;
          break;
        }
        parent = getNamedType(objectType(parent).getFields()[template[i]].type).name;
      }
      const sibling =
        Object.keys(fields).find((f) => {
          const d = t.getFields()[f];
          return f !== field && fields[f][audience] === "read" && !isObjectType(getNamedType(d.type)) && d.args.length === 0;
        }) ?? "__typename";
      cells.push({
        audience,
        type,
        field,
        access: fields[field][audience],
        template,
        objectLeaf: isObjectType(getNamedType(def.type)),
        deniedAt,
        filteredAt,
        sibling,
      });
    }
  }
  return cells;
}

const CELLS = new Map(AUDIENCES.map((a) => [a, cellsFor(a)] as const));

// ------------------------------------------------------------------------------------------------
// The disclosure oracle: what an audience may see of the computed types, from the policy table's data (POLICY)
// alone. Nothing here calls src/policy or src/registry (disclosure, non-interference, visibility).

/** May the audience read this field as it is? The policy table, looked up (null audience: no policy, all). */
function mayRead(audience: Audience | null, coordinate: string | undefined): boolean {
  if (audience === null || coordinate === undefined) return true;
  const [type, field] = coordinate.split(".");
  return POLICY[type]?.[field]?.[audience] === "read";
}

/** The schema field each department system's records are read through. */
const RECORD_FIELD: Record<SourceName, string> = {
  education: "Person.education",
  employment: "Person.employment",
  medicalInsurance: "Person.medicalInsurance",
  disability: "Person.disability",
  housing: "Household.housing",
};

/** The department systems whose records the audience may not read: everything computed for it is computed without them (issue 12). */
const withheldFrom = (audience: Audience | null): SourceName[] => SOURCE_NAMES.filter((s) => !mayRead(audience, RECORD_FIELD[s]));

/** The facts with each withheld department's records replaced by one constant, whatever they held. */
function factsSeenBy(facts: HouseholdFacts, audience: Audience | null): HouseholdFacts {
  const hidden = withheldFrom(audience);
  if (hidden.length === 0) return facts;
  const gone = (source: SourceName) => ({ ok: false as const, source, code: "WITHHELD" as never });
  return {
    ...facts,
    members: facts.members.map((m) => {
      const out: Record<string, unknown> = { ...m };
      for (const s of hidden) if (s !== "housing") out[s] = gone(s);
      return out as unknown as HouseholdFacts["members"][number];
    }),
    housing: hidden.includes("housing") ? gone("housing") : facts.housing,
  };
}

/** The field a piece of evidence is read through: registry evidence by what it is (a case, an income, else a payment); a department's by its record. Policy parameters, a caseworker's input and charity deliveries: none (readable). */
function evidenceField(source: string, name = ""): string | undefined {
  if (source === "registry") return name.startsWith("case.") ? "Household.cases" : name.startsWith("income") ? "Household.incomes" : "Household.aidRecords";
  return RECORD_FIELD[source as SourceName];
}
const seesSource = (audience: Audience | null, source: string, name?: string) => mayRead(audience, evidenceField(source, name));

/** Entitlement amounts computed from a record (not from policy parameters alone): the field of that record. */
const AMOUNT_FROM: Partial<Record<string, string>> = {
  DIBAO_PAYMENT: "Household.incomes",
  DIBAO_EMPLOYMENT_SUBSIDY: "Household.incomes",
  MEDICAL_OUT_OF_POCKET_AID: "Person.medicalInsurance",
  RENT_SUBSIDY_EQUAL_TO_RENT: "Household.housing",
};

/**
 * Eligibility as an audience sees it (schema/eligibility.ts): the tier only to an audience that reads every record
 * it rests on (else WITHHELD); the sources it may read only; a rule input from a field it may not read (or from a
 * withheld department) withheld — and with it the whole rule (outcome WITHHELD, no explanation, no inputs); an
 * entitlement amount computed from a record it may not read withheld.
 */
function eligibilitySeenBy(r: EligibilityResult, audience: Audience | null): Raw {
  const hidden: string[] = withheldFrom(audience);
  const shown = (s: string) => !hidden.includes(s);
  const failed: string[] = (r.failedSources ?? r.missingSources).filter(shown);
  const missing: string[] = r.missingSources.filter(shown);
  const stale = (r.staleRecords ?? []).filter((x) => shown(x.source));
  const consulted = new Set<string>([...r.missingSources, ...r.reasons.flatMap((x) => x.inputs.map((i) => i.source))]);
  const ORDER = ["registry", "caseworker", "policy", "education", "employment", "housing", "medicalInsurance", "disability"];
  return {
    asOf: r.asOf,
    tier: hidden.length ? "WITHHELD" : r.tier,
    tierClass: r.tierClass ?? null,
    complete: missing.length === 0 && failed.length === 0 && stale.length === 0,
    sources: ORDER.filter((s) => (consulted.has(s) || failed.includes(s)) && shown(s)).map((source) => {
      const isStale = stale.some((x) => x.source === source);
      return { source, answered: r.failedSources ? !failed.includes(source) : !(missing.includes(source) && !isStale), stale: isStale };
    }),
    persons: r.persons.map((p) => ({ personId: p.personId, tier: p.tier, reason: p.reason })),
    incomePerCapitaFen: r.incomePerCapitaFen,
    standardFen: r.standardFen,
    marginalLimitFen: r.marginalLimitFen,
    gradualExitEnds: r.gradualExitEnds,
    nextRecertification: r.nextRecertification,
    overdue: r.overdue,
    entitlements: r.entitlements.map((e) => {
      const withheld = e.amountFen !== null && !mayRead(audience, AMOUNT_FROM[e.kind]);
      return { ...e, amountFen: withheld ? null : e.amountFen, withheld, status: e.status ?? "ESTABLISHED", missing: e.missing ?? [], provisional: e.provisional ?? !r.complete };
    }),
    reasons: r.reasons.map((x) => {
      const inputs = x.inputs.map((i) => {
        const withheld = !mayRead(audience, i.basis) || hidden.includes(i.source);
        return { name: i.name, value: withheld ? null : i.value, source: i.source, asOf: i.asOf, withheld };
      });
      return inputs.some((i) => i.withheld)
        ? { rule: x.rule, reference: x.reference, outcome: "WITHHELD", explanation: null, personId: x.personId, withheld: true, inputs: [] }
        : { rule: x.rule, reference: x.reference, outcome: x.outcome, explanation: x.explanation, personId: x.personId, withheld: false, inputs };
    }),
    parametersUsed: r.parametersUsed.map((p) => ({ ...p, value: String(p.value) })),
  };
}

/** The department whose records an unverified entitlement waits for (civil affairs: the registry, read with the chain). */
const DEPARTMENT_RECORDS: Partial<Record<string, SourceName>> = { housing: "housing", medical_insurance: "medicalInsurance", education: "education", employment: "employment", disability: "disability" };

/**
 * The aid chain as an audience sees it: a link only from a source it may read; a gap only when it may read every
 * source and link the gap rests on (its entitled amount withheld where computed from a record it may not read); a
 * duplicate only when it may read every link; unchecked entitlements, failed sources and stale records of sources it
 * may read; an unverified entitlement only when it may read the department records it waits for.
 */
function chainSeenBy(chain: AidChain, audience: Audience | null): AidChain {
  const link = (l: AidLink) => seesSource(audience, l.source);
  const gap = (g: Gap) => g.sources.every((s) => seesSource(audience, s)) && g.links.every(link);
  const gapShown = (g: Gap): Gap => (g.entitlement.amountFen === null || mayRead(audience, AMOUNT_FROM[g.kind]) ? g : { ...g, entitlement: { ...g.entitlement, amountFen: null } });
  const duplicate = (d: Duplicate) => d.links.every(link);
  return {
    ...chain,
    links: chain.links.filter(link),
    householdLinks: chain.householdLinks.filter(link),
    persons: chain.persons.map((p) => ({ personId: p.personId, links: p.links.filter(link), gaps: p.gaps.filter(gap).map(gapShown), duplicates: p.duplicates.filter(duplicate) })),
    gaps: chain.gaps.filter(gap).map(gapShown),
    duplicates: chain.duplicates.filter(duplicate),
    incomplete: chain.incomplete.filter((i) => seesSource(audience, i.source)),
    failedSources: chain.failedSources.filter((s) => seesSource(audience, s)),
    unverified: (chain.unverified ?? []).filter((u) => DEPARTMENT_RECORDS[u.department] === undefined || seesSource(audience, DEPARTMENT_RECORDS[u.department]!)),
    staleRecords: (chain.staleRecords ?? []).filter((x) => seesSource(audience, x.source)),
  };
}

/** An alert is shown only to an audience that may read every piece of its evidence. */
const alertSeenBy = (a: AlertFinding, audience: Audience | null) => a.evidence.every((e) => seesSource(audience, e.source, e.name));

// ------------------------------------------------------------------------------------------------
// The truth: database rows and department records, fetched without GraphQL.

let gw: TestGateway;

/**
 * The department mirror (issue 15): synced once (after the malformed records are set, so the malformed reports
 * have values) with its clock an hour before NOW, its freshness a minute — so every read of the matrix stays
 * live, and departmentSync's values are fixed: lag 3600 s, not fresh. Its truth is the mirror tables' own rows.
 */
let mirrorNow = NOW.getTime();
const MIRROR_MAX_AGE_MS = 60_000;
let syncTruth: Raw[] = [];
async function syncMirror() {
  mirrorNow = NOW.getTime() - 3_600_000;
  for (const s of SOURCE_NAMES) await gw.mirror!.run(s);
  // one source's later attempt fails (its system down for it), so DepartmentSyncStatus.lastError has a value
  const faults = (down: boolean) =>
    fetch(`${gw.sandboxes!.urls.housing}/__sandbox/faults`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ down }) });
  await faults(true);
  const failed = await gw.mirror!.run("housing").then(() => null, (e: Error) => e);
  await faults(false);
  if (!failed) throw new Error("the housing sync should have failed while its system was down");
  mirrorNow = NOW.getTime();
  const states = await gw.db.sql.query<Record<string, any>>(`SELECT * FROM mirror_sync_state`);
  const reports = await gw.db.sql.query<{ source: string; key: string; reason: string; seen_at: Date }>(`SELECT source, key, reason, seen_at FROM mirror_malformed ORDER BY source, key`);
  syncTruth = [];
  for (const source of SOURCE_NAMES) {
    const s = states.find((x) => x.source === source)!;
    const { table } = MIRROR_TABLES[source];
    const [{ n }] = await gw.db.sql.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table}`);
    syncTruth.push({
      source,
      fresh: false,
      lastSuccessAt: s.last_success_at,
      lastAttemptAt: s.last_attempt_at,
      fullSyncAt: s.full_sync_at,
      lagSeconds: 3600,
      records: Number(n),
      malformed: Number(s.malformed),
      lastError: s.last_error,
      fullLoadInProgress: false,
      maxAgeSeconds: MIRROR_MAX_AGE_MS / 1000,
      intervalSeconds: 300,
      malformedRecords: reports.filter((r) => r.source === source).slice(0, 20).map((r) => ({ key: r.key, reason: r.reason, seenAt: r.seen_at })),
    } as unknown as Raw);
  }
}
// ------------------------------------------------------------------------------------------------
// Monitoring runs (issue 16): the production run (src/features/monitoring/runs.ts startRun + workShards on the job
// engine) over the matrix's population, twice; the truth of every stored-only cell is the raw rows it wrote.

/** The evaluation instants of the two runs: an hour apart on the requests' day (the same facts, the same alerts). */
const RUN_1_AS_OF = new Date(NOW.getTime() - 3_600_000);
const RUN_2_AS_OF = NOW;
/** The registry change between the runs: the households re-certified (their overdue re-certification alert cleared). */
let recertified: string[] = [];

/**
 * A full run after the mirror sync (leads come from the mirror), a registry change, an incremental run. The change
 * is a re-certification (003: a case's next review moved into the future, the household's row written, as every
 * registry write does) of a household with a RECERTIFICATION_OVERDUE alert — an alert every official's view shows
 * (its evidence is the case's, Household.cases: officials) — chosen where that alert is on the first page
 * (ALERT_PAGE alerts) of its street for every view: one with a stale department record (so that the incremental run,
 * which evaluates only changed households, has stale sources), one with another alert, which the incremental run
 * sees again (first and last seen by different runs). Which households have such alerts
 * is the pure oracle's answer over the rows (deriveAlerts); what the runs stored is read back from the rows alone.
 * One shard for the whole population (MONITOR_SHARD_SIZE): the run's cost here is its evaluation, not its planning.
 */
async function monitorPopulation() {
  const { households: list, parametersOf, factsOf } = await loadFactSources();
  const evaluated = new Map(
    list.map((h) => {
      const facts = factsOf(h);
      const e = evaluateEligibility(facts, parametersOf(h.streetCode), DAY);
      const chain = buildAidChain(facts, e, NOW);
      return [h.id, { chain, alerts: deriveAlerts(facts, e, NOW, chain) }] as const;
    }),
  );
  const before = new Map<string, number>(); // alerts (unfiltered: at least any view's) of the street's earlier households
  const seen = new Map<string, number>();
  for (const h of list) {
    before.set(h.id, seen.get(h.streetCode) ?? 0);
    seen.set(h.streetCode, (seen.get(h.streetCode) ?? 0) + evaluated.get(h.id)!.alerts.length);
  }
  const candidates = list.filter(
    (h, i) => i !== 0 && i !== list.length - 1 && !failing.has(h.id) && evaluated.get(h.id)!.alerts.some((a) => a.kind === "RECERTIFICATION_OVERDUE") && before.get(h.id)! + evaluated.get(h.id)!.alerts.length <= ALERT_PAGE,
  );
  const withStale = candidates.find((h) => evaluated.get(h.id)!.chain.staleRecords.length > 0);
  const withOther = candidates.find((h) => evaluated.get(h.id)!.alerts.some((a) => a.kind !== "RECERTIFICATION_OVERDUE"));
  if (!withStale || !withOther) throw new Error("no household whose overdue re-certification the matrix can clear with a stale record, or with another alert: re-run npm run -s matrix:seed");
  recertified = [...new Set([withStale.id, withOther.id])];

  const monitor = await monitorOn(gw, { shardSize: 1000 });
  try {
    const full = await monitor.run("FULL", RUN_1_AS_OF);
    if (full.status !== "SUCCEEDED") throw new Error(`the full monitoring run ended ${full.status}`);
    for (const id of recertified) {
      const overdue = evaluated.get(id)!.alerts.filter((a) => a.kind === "RECERTIFICATION_OVERDUE");
      const cases = await gw.db.prisma.assistanceCase.findMany({ where: { householdId: id, nextReviewDate: { lt: DAY } } });
      expect(cases.length, `${id} has an overdue case (${overdue.length} alerts)`).toBeGreaterThan(0);
      await gw.db.prisma.$transaction([
        ...cases.map((c) => gw.db.prisma.assistanceCase.update({ where: { id: c.id }, data: { nextReviewDate: new Date("2027-05-31") } })),
        gw.db.prisma.household.update({ where: { id }, data: { version: { increment: 1 } } }),
      ]);
    }
    const incremental = await monitor.run("INCREMENTAL", RUN_2_AS_OF);
    if (incremental.mode !== "INCREMENTAL" || incremental.status !== "SUCCEEDED") throw new Error(`the incremental run ended ${incremental.mode} ${incremental.status}`);
  } finally {
    await monitor.close();
  }
}

/** The rows the runs wrote, read with SQL (the oracle of every stored-only cell). */
let runRows: Record<string, any>[] = [];
let latestRun: Record<string, any>;
let storedAlertRows: Record<string, any>[] = [];
const snapshots = new Map<string, { failed: string[]; stale: string[] }>();
let leadRows: Record<string, any>[] = [];
let registryIdNumbers = new Set<string>();
const jsonValue = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);
async function readMonitoringRows() {
  const q = <T = Record<string, any>>(text: string) => gw.db.sql.query<T>(text);
  runRows = await q(`SELECT * FROM monitoring_run ORDER BY started_at DESC, id DESC`);
  latestRun = runRows.find((r) => r.status === "SUCCEEDED" || r.status === "PARTIAL")!;
  storedAlertRows = await q(
    `SELECT view, household_id, alert_key, district_code, street_code, kind, class, severity, department, person_id, message, reference, evidence, first_seen_at, last_seen_at, resolved_at
     FROM monitoring_alert ORDER BY view, household_id, alert_key`,
  );
  for (const r of await q(`SELECT household_id, failed_sources, stale_sources FROM monitoring_household`)) snapshots.set(r.household_id, { failed: r.failed_sources ?? [], stale: r.stale_sources ?? [] });
  leadRows = await q(`SELECT * FROM monitoring_lead ORDER BY id`);
  registryIdNumbers = new Set((await q<{ id_number: string }>(`SELECT id_number FROM person`)).map((r) => r.id_number));
}

/** A monitoring_run row as the schema describes MonitoringRun (counts by kind in kind order). */
function runTruth(r: Record<string, any>): Raw {
  const counts = (m: Record<string, number> | undefined) => Object.entries(m ?? {}).map(([kind, count]) => ({ kind, count: Number(count) })).sort((a, b) => (a.kind < b.kind ? -1 : 1));
  const c = jsonValue(r.counts) as Record<string, Record<string, number>>;
  return {
    id: r.id,
    mode: r.mode,
    status: r.status,
    asOf: new Date(r.as_of),
    startedAt: new Date(r.started_at),
    finishedAt: r.finished_at === null ? null : new Date(r.finished_at),
    households: Number(r.households),
    shardsTotal: Number(r.shards_total),
    shardsDone: Number(r.shards_done),
    shardsFailed: Number(r.shards_failed),
    shardsRetried: Number(r.shards_retried),
    alertCounts: counts(c?.alerts),
    findingCounts: counts(c?.findings),
    failedSources: r.failed_sources ?? [],
    staleSources: r.stale_sources ?? [],
  };
}

/** Query.monitoringRuns(first: 20): the runs, newest first. */
function runsTruth(): Raw {
  const page = runRows.slice(0, 20);
  const last = page.at(-1);
  return {
    nodes: page.map(runTruth),
    pageInfo: { hasNextPage: runRows.length > 20, endCursor: last ? Buffer.from(`mr:${new Date(last.started_at).toISOString()}|${last.id}`, "utf8").toString("base64url") : null },
  };
}

/**
 * A monitoring_lead row as the schema describes Lead. Its coverage from the registry rows themselves: NO_CASE for a
 * person the registry has (in a household without a case in force), NOT_IN_REGISTRY for one it has not.
 */
function leadTruth(l: Record<string, any>): Raw {
  return {
    id: l.id,
    source: l.source,
    reason: l.reason,
    coverage: registryIdNumbers.has(l.id_number) ? "NO_CASE" : "NOT_IN_REGISTRY",
    idNumber: l.id_number,
    householdId: l.household_id,
    districtCode: l.district_code,
    streetCode: l.street_code,
    evidence: (jsonValue(l.evidence) as { name: string; value: unknown; source: string; asOf: string | null }[]).map((e) => ({
      name: e.name,
      value: e.value === null || e.value === undefined ? null : String(e.value),
      source: e.source,
      asOf: e.asOf ? new Date(e.asOf) : null,
    })),
    // a current lead was found again by the latest finished run (discovery rewrites only changed leads)
    lastSeen: new Date(l.gone_run === null ? latestRun.finished_at : l.last_seen_at),
    dismissedAt: l.dismissed_at === null ? null : new Date(l.dismissed_at),
    dismissReason: l.dismiss_reason,
  };
}

/** The leads of the latest finished run in the audience's jurisdiction (a street office: its street), dismissed ones included. */
function leadsInScope(audience: Audience, h: { streetCode: string }): Record<string, any>[] {
  return leadRows.filter((l) => l.gone_run === null && (audience !== "street_office" || l.street_code === h.streetCode));
}
function leadsTruthFor(audience: Audience, h: HouseholdRow): Raw {
  const all = leadsInScope(audience, h);
  const page = all.slice(0, LEADS_PAGE);
  const last = page.at(-1);
  return {
    nodes: page.map(leadTruth),
    pageInfo: { hasNextPage: all.length > LEADS_PAGE, endCursor: last ? Buffer.from(`ld:${last.id}`, "utf8").toString("base64url") : null },
    run: runTruth(latestRun),
  };
}

/**
 * The stored alert view an audience reads, from the policy table here: the audiences that may read Query.alerts,
 * grouped by the department records withheld from them and the evidence they may read (a registry case, income or
 * payment, the policy, each department's records, a caseworker's input, a charity's delivery) — the alerts each
 * sees are then the same — each group named after its first audience (AUDIENCES order).
 */
const EVIDENCE_PROBES: [string, string][] = [["registry", "case.x"], ["registry", "income.x"], ["registry", "payment.x"], ["policy", ""], ...SOURCE_NAMES.map((s): [string, string] => [s, ""]), ["caseworker", ""], ["charity", ""]];
const viewSignature = (a: Audience) => `${withheldFrom(a).join(",")}|${EVIDENCE_PROBES.map(([s, n]) => (seesSource(a, s, n) ? "1" : "0")).join("")}`;
const storedViewOf = (audience: Audience): Audience | null =>
  POLICY.Query.alerts[audience] ? AUDIENCES.find((a) => POLICY.Query.alerts[a] && viewSignature(a) === viewSignature(audience))! : null;

let households: HouseholdRow[];
const truths = new Map<string, Raw>();
/** Household.eligibility (default asOf: the request's day), computed by the pure domain function over the same facts; disclosed per audience */
const eligibilities = new Map<string, EligibilityResult>();
const parameterSets = new Map<string, ParameterSet>();
/**
 * The eligibility an audience's computations see (issue 12, src/policy/noninterference.ts): evaluated over the
 * household's facts with the department records it may not read replaced by the constant marker.
 */
const audienceEligibilities = new Map<string, EligibilityResult>();
function eligibilityFor(audience: Audience | null, id: string): EligibilityResult {
  if (withheldFrom(audience).length === 0) return eligibilities.get(id)!;
  const key = `${audience}:${id}`;
  if (!audienceEligibilities.has(key)) audienceEligibilities.set(key, evaluateEligibility(factsSeenBy(householdFacts.get(id)!, audience), parameterSets.get(id)!, DAY));
  return audienceEligibilities.get(key)!;
}
/** each household's facts, assembled from the rows and department records (src/features/facts/gather.ts householdFactsOf/memberFactsOf: pure) */
const householdFacts = new Map<string, HouseholdFacts>();

const CITY = "500000";
function asFor(audience: Audience, h: { districtCode: string; streetCode: string }): MintOptions {
  switch (audience) {
    case "civil_affairs":
      return { audience, city: CITY };
    case "auditor":
      return { audience, city: CITY, purpose: "policy matrix test" };
    case "street_office":
      return { audience, street: h.streetCode };
    case "charity":
      return { audience, charityId: CHARITY };
    default:
      return { audience, district: h.districtCode };
  }
}

const householdRef = (audience: Audience, id: string) => (audience === "charity" ? gw.pseudonyms.encode(CHARITY, "household", id) : id);

/** Records before this instant are the access-log truth (the matrix's own queries come later). */
let auditUntil: Date;

/** Access records with a value in every field (purpose, charity, an error code, a mutation's changes) for the first household. */
async function writeAccessRecords() {
  const h = await gw.db.prisma.household.findFirstOrThrow({ orderBy: { id: "asc" } });
  const charity = await gw.gql(`query Seen($id: ID!) { household(id: $id) { id streetCode address members { name idNumber } } }`, { id: gw.pseudonyms.encode(CHARITY, "household", h.id) }, {
    audience: "charity",
    charityId: CHARITY,
    purpose: "policy matrix test",
  });
  if (!charity.data?.household) throw new Error(`the charity's read failed: ${JSON.stringify(charity.errors)}`);
  const changed = await gw.gql(`mutation Touch($id: ID!, $v: Int!) { updateHousehold(id: $id, version: $v, input: { hukou: ${h.hukou} }) { version } }`, { id: h.id, v: h.version }, {
    audience: "civil_affairs",
    city: CITY,
  });
  if (changed.errors) throw new Error(`the mutation failed: ${JSON.stringify(changed.errors)}`);
  // a read that discloses a sensitive class (issue 12: AccessRecord.classes)
  const classed = await gw.gql(`query Ids($id: ID!) { household(id: $id) { id members { idNumber } } }`, { id: h.id }, { audience: "civil_affairs", city: CITY });
  if (classed.errors) throw new Error(`the read failed: ${JSON.stringify(classed.errors)}`);
  auditUntil = new Date(Date.now() + 1);
  await new Promise((r) => setTimeout(r, 5));
}

/** The access log's rows, read with SQL and shown as the schema describes AccessRecord (no code of src/audit or resolvers/audit.ts). */
let accessRows: Raw[] = [];
async function readAccessRows() {
  const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);
  const rows = await gw.db.sql.query<Record<string, any>>(
    `SELECT seq::text AS seq, at, request_id, subject, audience, jurisdiction, purpose, charity_id, operation_type, operation_name, document_hash,
            variables_hash, fields, classes, household_ids, person_ids, outcome, error_codes, changes, prev_hash, hash FROM audit_log ORDER BY audit_log.seq`,
  );
  accessRows = rows.map((r) => {
    const changes = json(r.changes) as { path: string; before: unknown; after: unknown }[] | null;
    return {
      seq: r.seq,
      at: new Date(r.at),
      requestId: r.request_id,
      subject: r.subject,
      audience: r.audience,
      jurisdiction: r.jurisdiction,
      purpose: r.purpose,
      charityId: r.charity_id,
      operationType: r.operation_type,
      operationName: r.operation_name,
      documentHash: r.document_hash,
      variablesHash: r.variables_hash,
      // FieldDisclosure: one per coordinate, in coordinate order, the disclosure in capitals (the enum)
      fields: Object.entries(json(r.fields) as Record<string, string>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([coordinate, disclosure]) => ({ coordinate, disclosure: disclosure.toUpperCase() })),
      classes: json(r.classes) ?? null,
      householdIds: json(r.household_ids),
      personIds: json(r.person_ids),
      outcome: r.outcome,
      errorCodes: json(r.error_codes),
      changes: changes?.map((c) => ({ path: c.path, before: c.before === null ? null : String(c.before), after: c.after === null ? null : String(c.after) })) ?? null,
      prevHash: r.prev_hash,
      hash: r.hash,
    };
  });
}

/** A connection cursor as the API documents it: base64url of "<prefix>:<key>". */
const seqCursor = (prefix: string, key: string | number) => Buffer.from(`${prefix}:${key}`, "utf8").toString("base64url");

async function accessLogTruth(householdId: string): Promise<Raw> {
  const records = accessRows.filter((r) => (r.householdIds as string[]).includes(householdId) && (r.at as Date) < auditUntil);
  const page = records.slice(0, PAGE);
  const cursorOf = (seq: unknown) => seqCursor("a", String(seq));
  return {
    edges: page.map((r) => ({ cursor: cursorOf(r.seq), node: r })),
    pageInfo: { hasNextPage: records.length > PAGE, endCursor: page.length ? cursorOf(page[page.length - 1].seq) : null },
    totalCount: records.length,
  };
}

/**
 * A street's audit findings: the pure rules (src/domain/audit-findings.ts) over the street's registry rows read
 * here, each identified by the first 32 hex of SHA-256 of its key, ordered by id (as the schema describes them).
 */
async function findingsTruth(street: string): Promise<Raw> {
  const p = gw.db.prisma;
  const where = { household: { streetCode: street } };
  const [list, members, cases, payments, incomes, assets, parameterRows] = await Promise.all([
    p.household.findMany({ where: { streetCode: street } }),
    p.person.findMany({ where }),
    p.assistanceCase.findMany({ where }),
    p.aidRecord.findMany({ where }),
    p.income.findMany({ where }),
    p.asset.findMany({ where: { ...where, kind: "HOUSE" } }),
    p.policyParameter.findMany(),
  ]);
  const rows = parameterRows.map((r) => ({ ...r, value: r.value.toString() }));
  const inForce = (district: string, on: Date) => parametersInForce(rows.filter((r) => regionChain(district).includes(r.regionCode)), regionChain(district), on);
  const value = (district: string, on: Date, key: string) => inForce(district, on).find((r) => r.key === key)?.value;
  const dibaoStandard = (district: string, hukou: "URBAN" | "RURAL", on: Date) => {
    const v = value(district, on, `DIBAO_STANDARD_${hukou}`);
    return v === undefined ? null : Math.round(Number(v));
  };
  const grace = (district: string, on: Date) => {
    const [multiplier, months] = [value(district, on, "MARGINAL_MULTIPLIER"), value(district, on, "GRADUAL_EXIT_MONTHS")];
    return multiplier === undefined || months === undefined ? null : { multiplier: Number(multiplier), months: Math.round(Number(months)) };
  };
  const all = list
    .flatMap((h) => {
      const facts: FindingsFacts = {
        householdId: h.id,
        districtCode: h.districtCode,
        streetCode: h.streetCode,
        hukou: h.hukou,
        members: members.filter((m) => m.householdId === h.id).map((m) => ({ id: m.id, deceasedOn: m.deceasedOn })),
        cases: cases.filter((c) => c.householdId === h.id),
        payments: payments.filter((x) => x.householdId === h.id),
        incomes: incomes.filter((x) => x.householdId === h.id),
        assets: assets.filter((x) => x.householdId === h.id).map((x) => ({ kind: x.kind, valueFen: Number(x.valueFen) })),
      };
      return auditFindings(facts, dibaoStandard, grace);
    })
    .map((f) => ({ ...f, id: createHash("sha256").update(f.key).digest("hex").slice(0, 32) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const page = all.slice(0, FINDINGS_PAGE);
  const cursorOf = (id: string) => seqCursor("f", id);
  return {
    edges: page.map((node) => ({ cursor: cursorOf(node.id), node })),
    pageInfo: { hasNextPage: all.length > FINDINGS_PAGE, endCursor: page.length ? cursorOf(page[page.length - 1].id) : null },
    totalCount: all.length,
    // the stored findings of the latest run (the runs' findings are the pure rules' over the same rows)
    run: runTruth(latestRun),
  };
}

/** Registry rows in the order the gateway's loaders give them (src/features/households/loaders.ts), and every department record. */
async function loadFactSources() {
  const p = gw.db.prisma;
  const list = await p.household.findMany({ orderBy: { id: "asc" } });
  const [streets, persons, incomes, assets, cases, aidRecords, parameterRows, deliveries, temporaryAid] = await Promise.all([
    p.street.findMany(),
    p.person.findMany(),
    p.income.findMany({ orderBy: [{ validFrom: "asc" }, { id: "asc" }] }),
    p.asset.findMany({ orderBy: { id: "asc" } }),
    p.assistanceCase.findMany({ orderBy: [{ startDate: "desc" }, { id: "asc" }] }),
    p.aidRecord.findMany({ orderBy: [{ periodStart: "desc" }, { id: "asc" }] }),
    p.policyParameter.findMany(),
    p.claim.findMany({
      where: { status: "DELIVERED" },
      include: { need: { select: { householdId: true, personId: true, category: true } }, charity: { select: { name: true } }, resource: { select: { title: true, unit: true } } },
      orderBy: [{ deliveredAt: "asc" }, { id: "asc" }],
    }),
    p.temporaryAidApplication.findMany({ orderBy: [{ appliedOn: "asc" }, { id: "asc" }] }),
  ]);
  const relationOrder = ["HEAD", "SPOUSE", "PARENT", "GRANDPARENT", "CHILD", "CHILD_IN_LAW", "GRANDCHILD", "SIBLING", "OTHER"];
  persons.sort((a, b) => relationOrder.indexOf(a.relation) - relationOrder.indexOf(b.relation) || a.birthDate.getTime() - b.birthDate.getTime() || a.idNumber.localeCompare(b.idNumber));
  const raw = departmentRecords();
  const [education, employment, medicalInsurance, disability, housing] = [
    persons.map((x) => raw.education(x.idNumber)),
    persons.map((x) => raw.employment(x.idNumber)),
    persons.map((x) => raw.medicalInsurance(x.idNumber)),
    persons.map((x) => raw.disability(x.idNumber)),
    list.map((h) => raw.housing(h.registryNo)),
  ];
  const personIndex = new Map(persons.map((x, i) => [x.id, i]));
  const householdIndex = new Map(list.map((h, i) => [h.id, i]));
  const records = {
    person: (m: { id: string }) => {
      const i = personIndex.get(m.id)!;
      return { education: education[i], employment: employment[i], medicalInsurance: medicalInsurance[i], disability: disability[i] };
    },
    housing: (h: HouseholdRow) => housing[householdIndex.get(h.id)!],
  };
  const rows = { persons, incomes, assets, cases, aidRecords, temporaryAid };
  /** A department record (or null: no record) as a fact; a record the sandbox serves malformed as the failed fact the gateway makes of it. */
  const fact = <T>(v: unknown, source: SourceName): Fetched<T> => {
    if (v instanceof Error) return { ok: false, source, code: "UPSTREAM_BAD_RESPONSE" };
    return { ok: true, value: (v ?? null) as T | null };
  };
  /** HouseholdFacts from the household's rows and records, by the gateway's own pure assembly (charity deliveries and temporary-aid applications included) */
  const factsOf = (h: HouseholdRow): HouseholdFacts => {
    const mine = <T extends { householdId: string }>(list: T[]) => list.filter((r) => r.householdId === h.id);
    const members = mine(persons);
    return householdFactsOf(
      h,
      {
        members: members.map((m) => {
          const r = records.person(m);
          return memberFactsOf(m, { education: fact(r.education, "education"), employment: fact(r.employment, "employment"), medicalInsurance: fact(r.medicalInsurance, "medicalInsurance"), disability: fact(r.disability, "disability") });
        }),
        incomes: mine(incomes),
        assets: mine(assets),
        cases: mine(cases),
        aidRecords: mine(aidRecords),
        temporaryAid: mine(temporaryAid),
        // as the claims loader gives them: the delivered claims of the household's needs
        deliveries: deliveries
          .filter((c) => c.need.householdId === h.id)
          .map((c) => ({ claimId: c.id, charityId: c.charityId, charityName: c.charity.name, resourceId: c.resourceId, category: c.need.category, benefit: c.resource.title, unit: c.resource.unit, units: c.units, personId: c.need.personId, deliveredAt: c.deliveredAt as Date, householdId: h.id })),
      },
      fact(records.housing(h), "housing"),
    );
  };
  const parameterValues = parameterRows.map((r) => ({ key: r.key, value: Number(r.value.toString()), unit: r.unit, regionCode: r.regionCode, effectiveFrom: r.effectiveFrom, effectiveTo: r.effectiveTo, source: r.source }));
  const parametersOf = (street: string) => parameterSetOf(parameterValues, street, DAY);
  return { households: list, streets, rows, records, parametersOf, factsOf };
}

const DAY = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), NOW.getUTCDate()));
/** Households with a department record served malformed (see failRecordsForIncompleteChecks). */
const failing = new Set<string>();
/** "source:key" of each record the sandboxes serve malformed */
const malformed = new Set<string>();

/**
 * The department records as the sandboxes hold them — their raw population data (the wire records they serve,
 * derived from the same generated population) — read into the schema's shape here, as connectors/WIRE.md describes
 * each wire format: not through the connectors' conversion. Code tables are the departments' declarations
 * (imported as data). Staleness: a record older than the gateway's 365 days on the requests' clock. A record
 * served malformed (failRecordsForIncompleteChecks) is an Error here: the gateway answers UPSTREAM_BAD_RESPONSE.
 */
function departmentRecords() {
  const data = deriveAllSandboxData(generatePopulation({ seed: SEED, asOf: AS_OF, persons: PERSONS }), { seed: SEED, asOf: AS_OF });
  const fen = (yuan: string) => {
    const [whole, cents = ""] = yuan.split(".");
    return Number(whole) * 100 + Number(cents.padEnd(2, "0"));
  };
  const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
  // yyyyMMddHHmmss in Beijing time (UTC+8)
  const beijing = (t: string) => new Date(Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8), +t.slice(8, 10) - 8, +t.slice(10, 12), +t.slice(12, 14)));
  const stale = (asOf: Date) => NOW.getTime() - asOf.getTime() > 365 * 86_400_000;
  const served = <T>(source: SourceName, key: string, record: T | undefined): T | Error | null =>
    malformed.has(`${source}:${key}`) ? new Error(`${source} serves ${key} malformed`) : (record ?? null);
  return {
    education: (id: string) => {
      const w = data.education.students.get(id);
      return served("education", id, w && {
        source: "education", asOf: new Date(w.updatedAt), stale: stale(new Date(w.updatedAt)),
        stage: w.stage, schoolName: w.schoolName, schoolCode: w.schoolCode, hardshipStudent: w.hardship, term: w.term,
        aid: w.aid.map((a) => ({ item: a.item, term: a.term, amountFen: fen(a.amountYuan) })),
        necessaryExpenseFen: fen(w.necessaryExpenseYuan),
      });
    },
    employment: (id: string) => {
      const w = data.employment.persons.get(id);
      return served("employment", id, w && {
        source: "employment", asOf: day(w.lastUpdated), stale: stale(day(w.lastUpdated)),
        status: w.status,
        registeredUnemployedSince: w.unemploymentRegisteredOn ? day(w.unemploymentRegisteredOn) : null,
        publicWelfarePost: w.publicWelfarePost,
        trainings: w.trainings.map((t) => ({ course: t.course, completedOn: day(t.completedOn) })),
        dibaoEmploymentSubsidy: w.dibaoEmploymentSubsidy
          ? { monthlyFen: w.dibaoEmploymentSubsidy.monthlyFen, from: day(w.dibaoEmploymentSubsidy.from), to: day(w.dibaoEmploymentSubsidy.to) }
          : null,
      });
    },
    medicalInsurance: (id: string) => {
      const w = data.medicalInsurance.insured.get(id);
      return served("medicalInsurance", id, w && {
        source: "medicalInsurance", asOf: beijing(w.updated_time), stale: stale(beijing(w.updated_time)),
        tier: w.insured_tier === "1" ? 1 : 2,
        premiumSubsidyRatio: PREMIUM_SUBSIDY_RATIO[w.assist_type_code as keyof typeof PREMIUM_SUBSIDY_RATIO],
        premiumSubsidyFen: w.premium_subsidy_fen,
        inPolicyExpenseFen: w.in_policy_expense_fen,
        outOfPocketFen: w.out_of_pocket_fen,
        medicalAidPaidFen: w.medical_aid_paid_fen,
        seriousDisease: w.special_disease_code ? SPECIAL_DISEASES[w.special_disease_code as keyof typeof SPECIAL_DISEASES] : null,
        chronicDisease: w.chronic_disease_code ? CHRONIC_DISEASES[w.chronic_disease_code as keyof typeof CHRONIC_DISEASES] : null,
        year: w.settle_year,
      });
    },
    disability: (id: string) => {
      const w = data.disability.certificates.get(id);
      return served("disability", id, w && {
        source: "disability", asOf: day(w.lastModified), stale: stale(day(w.lastModified)),
        certificateNo: w.certNo,
        category: DISABILITY_CATEGORIES[w.category as keyof typeof DISABILITY_CATEGORIES],
        grade: Number(w.grade),
        severe: Number(w.grade) <= 2,
        livingSubsidyFen: w.livingSubsidy,
        nursingSubsidyFen: w.nursingSubsidy,
        rehabilitation: [...w.rehab],
        certificateStatus: w.certStatus,
      });
    },
    housing: (registryNo: string) => {
      const w = data.housing.households.get(registryNo);
      // a household the system knows but with no benefits has no timestamp of its own: the fetch time
      const asOf = w?.items.length ? new Date(Math.max(...w.items.map((b) => new Date(b.modified).getTime()))) : NOW;
      return served("housing", registryNo, w && {
        source: "housing", asOf, stale: stale(asOf), registryNo,
        benefits: w.items.map((b) => ({ type: b.benefitType, status: b.state, monthlyRentFen: b.monthlyRentFen, monthlySubsidyFen: b.monthlySubsidyFen, grantFen: b.grantFen, startDate: day(b.startDate), endDate: b.endDate ? day(b.endDate) : null })),
      });
    },
  };
}
/** Fields that read a department record directly: for a failing household they carry an UPSTREAM error, proven elsewhere. */
const RECORD_FIELDS = new Set(["education", "employment", "medicalInsurance", "disability", "housing"]);

/**
 * AidChain.incomplete / failedSources / complete = false and Eligibility's unanswered sources need a department
 * system that failed. The sandboxes serve one key malformed on request (`/__sandbox/malformed`: that key alone is
 * UPSTREAM_BAD_RESPONSE). For each source an entitlement can be left unchecked by — housing (readable by the
 * registry keepers and housing), medical insurance (civil affairs, auditors, medical insurance, health) and the
 * federation's (the keepers, education, employment, disability, health) — the first household (by id) where one
 * failed record leaves an entitlement unchecked. The federation's case needs a TEKUN member whose care subsidy
 * the registry has not paid: that household's TEKUN_CARE_SUBSIDY payments are removed. Households in a page the
 * matrix reads (the first of the registry, the first ${PAGE} of each street) and the last one (the mutations') are
 * not used; the chosen ones are left out of the cells that read a department record directly.
 */
async function failRecordsForIncompleteChecks() {
  const { households: list, rows, records, parametersOf, factsOf } = await loadFactSources();
  const paged = new Set<string>();
  const rank = new Map<string, number>();
  for (const h of list) {
    const r = rank.get(h.streetCode) ?? 0;
    rank.set(h.streetCode, r + 1);
    if (r < PAGE) paged.add(h.id);
  }
  const candidates = list.filter((h, i) => i !== 0 && i !== list.length - 1 && !paged.has(h.id));
  const drops: Partial<Record<SourceName, string>> = { disability: "TEKUN_CARE_SUBSIDY" };
  for (const source of ["housing", "medicalInsurance", "disability"] as const) {
    const chosen = (() => {
      for (const h of candidates) {
        // a key the department system has a record for (only a record can be served malformed)
        const keys = source === "housing" ? (records.housing(h) ? [h.registryNo] : []) : rows.persons.filter((m) => m.householdId === h.id && records.person(m)[source]).map((m) => m.idNumber);
        for (const key of keys) {
          const facts = factsOf(h);
          const failed = { ok: false as const, source, code: "UPSTREAM_BAD_RESPONSE" as const };
          if (source === "housing") facts.housing = failed;
          else for (const m of facts.members) if (m.idNumber === key) (m as unknown as Record<string, unknown>)[source] = failed;
          if (drops[source]) facts.aidRecords = facts.aidRecords.filter((r) => r.program !== drops[source]);
          const e = evaluateEligibility(facts, parametersOf(h.streetCode), DAY);
          if (buildAidChain(facts, e, NOW).incomplete.some((i) => i.source === source)) return { h, key };
        }
      }
      return null;
    })();
    if (!chosen) throw new Error(`no household where a failed ${source} record leaves an entitlement unchecked`);
    if (drops[source]) await gw.db.prisma.aidRecord.deleteMany({ where: { householdId: chosen.h.id, program: drops[source] as "TEKUN_CARE_SUBSIDY" } });
    const res = await fetch(`${gw.sandboxes!.urls[source]}/__sandbox/malformed`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key: chosen.key }) });
    expect(await res.json(), source).toMatchObject({ known: true });
    malformed.add(`${source}:${chosen.key}`);
    failing.add(chosen.h.id);
  }
}

async function buildTruths() {
  const { households: list, streets, rows, records, parametersOf, factsOf } = await loadFactSources();
  const { persons, incomes, assets, cases, aidRecords, temporaryAid } = rows;
  households = list;
  const by = <T extends { householdId: string }>(rows: T[], id: string) => rows.filter((r) => r.householdId === id);
  const fail = (h: HouseholdRow) => (v: unknown) => {
    if (v instanceof Error && !failing.has(h.id)) throw new Error(`a department system failed while building the truth: ${v.message}`);
    // servedFrom: LIVE — the mirror's last success is an hour before NOW and its maximum age a minute (syncMirror), so
    // every department read of the matrix asks the system itself (issue 15)
    return v instanceof Error || v === null || v === undefined ? null : ({ ...(v as Raw), servedFrom: "LIVE" } as Raw);
  };
  households.forEach((h) => {
    const facts = factsOf(h);
    householdFacts.set(h.id, facts);
    parameterSets.set(h.id, parametersOf(h.streetCode));
    eligibilities.set(h.id, evaluateEligibility(facts, parameterSets.get(h.id)!, DAY));
  });
  households.forEach((h) => {
    const hhCases = by(cases, h.id);
    const record = fail(h);
    const node: Raw = {
      ...h,
      street: streets.find((s) => s.code === h.streetCode) ?? null,
      incomes: by(incomes, h.id),
      assets: by(assets, h.id),
      cases: hhCases,
      currentCase: hhCases.find((c) => c.personId === null && (c.status === "ACTIVE" || c.status === "GRADUAL_EXIT")) ?? null,
      aidRecords: by(aidRecords, h.id),
      temporaryAidApplications: by(temporaryAid, h.id),
      housing: record(records.housing(h)),
    };
    // the contact name: the head of household's (members head first)
    const members = by(persons, h.id);
    node.contactName = (members.find((m) => m.relation === "HEAD") ?? members[0])?.name ?? null;
    node.members = members.map((m) => {
      const r = records.person(m);
      return {
        ...m,
        age: ageOn(m.birthDate, NOW),
        household: node,
        education: record(r.education),
        employment: record(r.employment),
        medicalInsurance: record(r.medicalInsurance),
        disability: record(r.disability),
      };
    });
    truths.set(h.id, node);
  });
}

async function connectionTruth(audience: Audience, streetCode: string): Promise<Raw> {
  const ids = households.filter((h) => h.streetCode === streetCode).map((h) => h.id); // already ordered by id
  const page = ids.slice(0, PAGE);
  const cursorOf = (id: string) => encodeCursor(householdRef(audience, id));
  return {
    edges: page.map((id) => ({ cursor: cursorOf(id), node: householdFor(audience, id) })),
    pageInfo: { hasNextPage: ids.length > PAGE, endCursor: page.length ? cursorOf(page[page.length - 1]) : null },
    totalCount: ids.length,
  };
}

async function parametersTruth(region: string): Promise<Raw[]> {
  const rows = await gw.db.prisma.policyParameter.findMany({ where: { regionCode: { in: regionChain(region) } } });
  return parametersInForce(rows.map((r) => ({ ...r, value: r.value.toString() })), regionChain(region), NOW);
}

/** A raw value as the schema's scalar serialises it. */
function serialize(typeName: string, v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map((x) => serialize(typeName, x));
  switch (typeName) {
    case "Date":
      return formatDate(v as Date);
    case "DateTime":
      return (v as Date).toISOString();
    case "Fen":
      return Number(v);
    case "ID":
      return String(v);
    case "String":
      return typeof v === "object" ? String(v) : v; // Decimal → its exact string
    default:
      return v;
  }
}

/** An object field compared by shape: null, "object", or a list of those. */
const shape = (v: unknown): Json => (v === null || v === undefined ? null : Array.isArray(v) ? v.map(shape) : "object");

interface Entry {
  path: (string | number)[];
  value: unknown;
}

/** Every value the template reaches (lists flattened, positions in the path); a null parent ends a branch. */
function reach(data: unknown, template: string[], strict: boolean): Entry[] {
  const out: Entry[] = [];
  const step = (node: unknown, i: number, path: (string | number)[]) => {
    if (i === template.length) {
      out.push({ path, value: node });
      return;
    }
    if (node === null || node === undefined) return;
    if (Array.isArray(node)) {
      node.forEach((n, j) => step(n, i, [...path, j]));
      return;
    }
    const obj = node as Raw;
    if (strict && !(template[i] in obj)) throw new Error(`the truth has no ${template[i]} at ${path.join(".")}`);
    step(obj[template[i]], i + 1, [...path, template[i]]);
  };
  step(data, 0, []);
  return out;
}

const hasValue = (v: unknown) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0);
const sorted = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort();

function leafType(template: string[]): string {
  let type = objectType("Query");
  for (let i = 0; i < template.length - 1; i++) type = getNamedType(type.getFields()[template[i]].type) as GraphQLObjectType;
  return getNamedType(type.getFields()[template[template.length - 1]].type).name;
}

const roots = new Map<string, Promise<Raw>>();
const parameters = new Map<string, Promise<Raw[]>>();
/** The household's truth as an audience sees it: the eligibility's values disclosed for that audience (src/policy/disclosure.ts). */
const householdFor = (audience: Audience, id: string): Raw => ({
  ...truths.get(id)!,
  eligibility: eligibilitySeenBy(eligibilityFor(audience, id), audience),
  ...matchingFor(audience, id),
  // computed when a cell reaches them (the aid chain and alerts of one household, per audience)
  // (for an audience denied the field: what is withheld from it, unfiltered)
  get aidChain() {
    return chainTruth(POLICY.Household.aidChain[audience] ? audience : null, id);
  },
  get alerts() {
    return alertsTruth(POLICY.Household.alerts[audience] ? audience : null, id);
  },
  // over the facts this audience's computations see (src/policy/noninterference.ts): a source it may not read is not its failure
  get alertCompleteness() {
    const c = monitoringTruth(id, audience).chain;
    return { complete: c.failedSources.length === 0 && c.staleRecords.length === 0, failedSources: c.failedSources, staleSources: [...new Set(c.staleRecords.map((x) => x.source))].sort() };
  },
});

/** The household's aid chain and alerts unfiltered (as with the field policy off): where FILTERED_OUT cells find their household. */
const unfilteredRoot = (h: HouseholdRow): Raw => ({
  household: { aidChain: chainTruth(null, h.id), alerts: alertsTruth(null, h.id), eligibility: eligibilitySeenBy(eligibilityFor(null, h.id), null) },
});

// ------------------------------------------------------------------------------------------------
// Charity matching (issue 7): a household's needs, their matches (the pure matcher over the stored
// rows), claims and consents — with each audience's rows: a charity matches against its own and shared
// resources and sees its own claims; Resource.matches covers the open needs in the viewer's scope.

type Prisma = TestGateway["db"]["prisma"];
interface MatchingRows {
  needs: Awaited<ReturnType<Prisma["need"]["findMany"]>>;
  resources: (Awaited<ReturnType<Prisma["charityResource"]["findMany"]>>[number] & { charity: { districts: string[]; status: "ACTIVE" | "SUSPENDED" } })[];
  claims: Awaited<ReturnType<Prisma["claim"]["findMany"]>>;
  charities: Awaited<ReturnType<Prisma["charity"]["findMany"]>>;
  consents: Awaited<ReturnType<Prisma["contactConsent"]["findMany"]>>;
  streets: Awaited<ReturnType<Prisma["street"]["findMany"]>>;
}
let matching: MatchingRows;
/** households with a consent for CHARITY in force (recorded by a street office, not revoked) */
let consented = new Set<string>();
const matchingViews = new Map<string, (id: string) => Raw>();

async function buildMatchingTruths() {
  const p = gw.db.prisma;
  const [needs, resources, claims, charities, consents, streets] = await Promise.all([
    p.need.findMany({ orderBy: [{ since: "desc" }, { id: "asc" }] }),
    p.charityResource.findMany({ include: { charity: { select: { districts: true, status: true } } }, orderBy: { id: "asc" } }),
    p.claim.findMany({ orderBy: [{ claimedAt: "asc" }, { id: "asc" }] }),
    p.charity.findMany(),
    p.contactConsent.findMany({ orderBy: [{ recordedAt: "desc" }, { id: "asc" }] }),
    p.street.findMany(),
  ]);
  matching = { needs, resources, claims, charities, consents, streets };
  consented = new Set(consents.filter((c) => c.charityId === CHARITY && c.revokedAt === null).map((c) => c.householdId));
}

/** needs(filter: { street }) as the audience gets it: the street's open needs (a charity's: in the districts it serves), by id, with its cursors. */
function needsConnectionTruth(audience: Audience, h: HouseholdRow): Raw {
  const forCharity = audience === "charity";
  const me = matching.charities.find((c) => c.id === CHARITY)!;
  const ids = matching.needs
    .filter((n) => n.status === "OPEN" && n.streetCode === h.streetCode && (!forCharity || me.districts.includes(n.districtCode)))
    .map((n) => n.id)
    .sort();
  const page = ids.slice(0, PAGE);
  const cursorOf = (id: string) => Buffer.from(`n:${forCharity ? gw.pseudonyms.encode(CHARITY, "need", id) : id}`, "utf8").toString("base64url");
  return {
    edges: page.map((id) => ({ cursor: cursorOf(id), node: { id } })), // Need's own fields are proven through household.needs
    pageInfo: { hasNextPage: ids.length > PAGE, endCursor: page.length ? cursorOf(page[page.length - 1]) : null },
    totalCount: ids.length,
  };
}

/** The view for one audience (for a street office: its street), built once, per household on demand. */
function matchingFor(audience: Audience, id: string): Raw {
  const h = households.find((x) => x.id === id)!;
  const key = audience === "charity" ? "charity" : audience === "street_office" ? `street:${h.streetCode}` : "city";
  if (!matchingViews.has(key)) matchingViews.set(key, matchingView(audience === "charity", audience === "street_office" ? h.streetCode : null));
  return matchingViews.get(key)!(id);
}

function matchingView(forCharity: boolean, street: string | null): (id: string) => Raw {
  const { needs, resources, claims, charities, consents, streets } = matching;
  const asOf = new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), NOW.getUTCDate()));
  const charityById = new Map(charities.map((c) => [c.id, c]));
  const phone = new Map(households.map((x) => [x.id, x.phone]));
  const me = charityById.get(CHARITY)!;
  const inScope = (n: { streetCode: string; districtCode: string }) => (street === null || n.streetCode === street) && (!forCharity || me.districts.includes(n.districtCode));
  const visible = resources.filter((r) => r.status === "ACTIVE" && r.charity.status === "ACTIVE" && (!forCharity || r.charityId === CHARITY || r.shared));
  const visibleById = new Map(visible.map((r) => [r.id, r]));
  const needNodes = new Map<string, Raw>();
  const resourceNodes = new Map<string, Raw>();
  const matchNode = (m: Match, need: Raw, resource: Raw): Raw => ({ need, resource, score: m.score, parts: m.parts });
  const resourceNode = (r: (typeof resources)[number]): Raw => {
    let node = resourceNodes.get(r.id);
    if (node) return node;
    const { charity: area, ...row } = r;
    const districts = (r.districts.length ? r.districts : area.districts).filter((d) => !forCharity || me.districts.includes(d));
    const open = needs.filter((n) => n.status === "OPEN" && districts.includes(n.districtCode) && inScope(n));
    // Resource.matches is only ever compared by shape (NeedMatch is proven through Need.matches)
    node = { ...row, charity: charityById.get(r.charityId) ?? null, matches: matchesForResource(matchableResource(r), open.map(matchableNeed), asOf, 10).map((m) => ({ score: m.score, parts: m.parts })) };
    resourceNodes.set(r.id, node);
    return node;
  };
  const needNode = (n: (typeof needs)[number]): Raw => {
    let node = needNodes.get(n.id);
    if (node) return node;
    node = { ...n, householdRef: n.householdId, street: streets.find((x) => x.code === n.streetCode) ?? null, contact: phone.get(n.householdId) ?? null, contactName: truths.get(n.householdId)?.contactName ?? null };
    needNodes.set(n.id, node);
    node.matches = matchesForNeed(matchableNeed(n), visible.map(matchableResource), asOf, 10).map((m) => matchNode(m, node!, resourceNode(visibleById.get(m.resourceId)!)));
    node.claims = claims.filter((c) => c.needId === n.id && (!forCharity || c.charityId === CHARITY)).map(claimNode);
    return node;
  };
  const claimNode = (c: (typeof claims)[number]): Raw => ({
    ...c,
    need: needNode(needs.find((n) => n.id === c.needId)!),
    resource: resourceNode(resources.find((r) => r.id === c.resourceId)!),
    charity: charityById.get(c.charityId) ?? null,
  });
  return (id) => ({
    needs: needs.filter((n) => n.householdId === id).map(needNode),
    contactConsents: consents.filter((c) => c.householdId === id).map((c) => ({ ...c, charity: charityById.get(c.charityId) ?? null })),
  });
}

// ------------------------------------------------------------------------------------------------
// The aid chain and alerts (issue 5): the pure domain functions over each household's facts, evaluated as
// src/features/aid-chain/monitoring.ts does (eligibility of the request's day, chain and alerts at the request's
// instant), cut to what the audience may see by the same visibility functions; alert status and history
// from the stored alert actions (read after beforeAll acted on some). Computed per household on demand.

const monitored = new Map<string, { chain: AidChain; alerts: AlertFinding[] }>();
/** per audience: over the facts its computations see, complete when every source it may read answered (src/features/aid-chain/monitoring.ts) */
let alertActionRows: AlertAction[] = [];

function monitoringTruth(id: string, audience: Audience | null = null) {
  const key = `${audience}:${id}`;
  let m = monitored.get(key);
  if (!m) {
    const facts = factsSeenBy(householdFacts.get(id)!, audience);
    const withheld: string[] = withheldFrom(audience);
    const built = buildAidChain(facts, eligibilityFor(audience, id), NOW);
    const chain = { ...built, complete: built.failedSources.every((s) => withheld.includes(s)) };
    m = { chain, alerts: deriveAlerts(facts, eligibilityFor(audience, id), NOW, chain) };
    monitored.set(key, m);
  }
  return m;
}

// ids are opaque at the API boundary (src/policy/opaque.ts): the keyed hash of the household and the domain key
const linkTruth = (id: string) => (l: AidLink): Raw => ({ ...l, id: opaqueId(gw.pseudonyms, "link", id, l.id), periodStart: l.period.start, periodEnd: l.period.end, stale: l.stale ?? false });
const gapTruth = (id: string) => (g: Gap): Raw => ({
  ...g,
  key: opaqueId(gw.pseudonyms, "gap", id, g.key),
  rule: g.entitlement.rule,
  reference: g.entitlement.reference,
  entitledAmountFen: g.entitlement.amountFen,
  entitledRatio: g.entitlement.ratio,
  links: g.links.map(linkTruth(id)),
});
const duplicateTruth = (id: string) => (d: Duplicate): Raw => ({ ...d, key: opaqueId(gw.pseudonyms, "duplicate", id, d.key), overlapStart: d.overlap.start, overlapEnd: d.overlap.end, links: d.links.map(linkTruth(id)) });

const chains = new Map<string, Raw>();
function chainTruth(audience: Audience | null, id: string): Raw {
  const key = `${audience}:${id}`;
  if (!chains.has(key)) {
    const c = chainSeenBy(monitoringTruth(id, audience).chain, audience);
    chains.set(key, {
      asOf: c.asOf,
      complete: c.complete,
      failedSources: c.failedSources,
      links: c.links.map(linkTruth(id)),
      householdLinks: c.householdLinks.map(linkTruth(id)),
      persons: c.persons.map((p) => ({ personId: p.personId, links: p.links.map(linkTruth(id)), gaps: p.gaps.map(gapTruth(id)), duplicates: p.duplicates.map(duplicateTruth(id)) })),
      gaps: c.gaps.map(gapTruth(id)),
      duplicates: c.duplicates.map(duplicateTruth(id)),
      incomplete: c.incomplete,
      unverified: c.unverified.map((u) => ({ key: u.key, kind: u.kind, department: u.department, missing: u.missing, rule: u.entitlement.rule, reference: u.entitlement.reference })),
      staleRecords: c.staleRecords,
    });
  }
  return chains.get(key)!;
}

/** The alerts of a household the audience may see; status: RESOLVE is final, else the latest action (DOMAIN §3 handling). */
function alertsTruth(audience: Audience | null, id: string): Raw[] {
  return monitoringTruth(id, audience)
    .alerts.filter((a) => alertSeenBy(a, audience))
    .map((a) => {
      const key = opaqueAlertKey(gw.pseudonyms, id, a.key);
      const own = alertActionRows.filter((x) => x.householdId === id && x.alertKey === key);
      const last = own.at(-1);
      return {
        key,
        kind: a.kind,
        class: a.class,
        severity: a.severity,
        department: a.department,
        householdId: id,
        personId: a.personId,
        message: a.message,
        reference: a.reference,
        evidence: a.evidence,
        status: own.some((x) => x.action === "RESOLVE") ? "RESOLVED" : !last ? "OPEN" : last.action === "PUSH" ? "PUSHED" : "ACKNOWLEDGED",
        pushedTo: own.filter((x) => x.action === "PUSH").at(-1)?.department ?? null,
        history: own.map((x) => ({ action: x.action, department: x.department, note: x.note, actorSubject: x.actorSubject, actorAudience: x.actorAudience, at: x.at })),
        // Household.alerts: computed on request, never stored (Alert's stored fields: STORED_ROUTES)
        firstSeen: null,
        lastSeen: null,
        clearedAt: null,
      };
    });
}

/** A stored alert (a monitoring_alert row) as the schema describes Alert, its status and history from the stored actions. */
function storedAlertTruth(r: Record<string, any>): Raw {
  const own = alertActionRows.filter((x) => x.householdId === r.household_id && x.alertKey === r.alert_key);
  const last = own.at(-1);
  return {
    key: r.alert_key,
    kind: r.kind,
    class: r.class,
    severity: r.severity,
    department: r.department,
    householdId: r.household_id,
    personId: r.person_id,
    message: r.message,
    reference: r.reference,
    evidence: (jsonValue(r.evidence) as Raw[]).map((e) => ({ ...e, value: String(e.value), asOf: e.asOf ? new Date(e.asOf as string) : null })),
    status: own.some((x) => x.action === "RESOLVE") ? "RESOLVED" : !last ? "OPEN" : last.action === "PUSH" ? "PUSHED" : "ACKNOWLEDGED",
    pushedTo: own.filter((x) => x.action === "PUSH").at(-1)?.department ?? null,
    history: own.map((x) => ({ action: x.action, department: x.department, note: x.note, actorSubject: x.actorSubject, actorAudience: x.actorAudience, at: x.at })),
    firstSeen: new Date(r.first_seen_at),
    lastSeen: new Date(r.last_seen_at),
    clearedAt: r.resolved_at === null ? null : new Date(r.resolved_at),
  };
}

/**
 * alerts(first: ALERT_PAGE, filter: { street, includeCleared: true }) after the runs: the stored alerts of the
 * audience's view in the street (the token's jurisdiction holds it), in (household, key) order as the rows sort, the
 * first ALERT_PAGE; the run's failed and stale sources; incomplete: a household of the page whose stored evaluation
 * had a failed or stale source.
 */
function alertPageTruth(audience: Audience, street: string): Raw {
  const view = storedViewOf(audience) ?? storedViewOf("civil_affairs"); // (an audience denied the list: its truth is unused)
  const all = storedAlertRows.filter((r) => r.view === view && r.street_code === street);
  const page = all.slice(0, ALERT_PAGE);
  const run = runTruth(latestRun);
  const scanned = [...new Set(page.map((r) => r.household_id as string))];
  const last = page.at(-1);
  return {
    alerts: page.map(storedAlertTruth),
    complete: (run.failedSources as string[]).length === 0 && (run.staleSources as string[]).length === 0 && latestRun.status === "SUCCEEDED",
    failedSources: run.failedSources,
    staleSources: run.staleSources,
    run,
    incompleteHouseholds: scanned.filter((id) => snapshots.has(id) && (snapshots.get(id)!.failed.length > 0 || snapshots.get(id)!.stale.length > 0)),
    householdsScanned: scanned.length,
    pageInfo: { hasNextPage: all.length > ALERT_PAGE, endCursor: last ? Buffer.from(`sa:${last.household_id}|${last.alert_key}`, "utf8").toString("base64url") : null },
  };
}

/** The alerts an audience sees (not of a failing household), those visible to the fewest audiences first. */
function alertsVisibleTo(audience: Audience): { h: HouseholdRow; key: string; department: string }[] {
  const readers = AUDIENCES.filter((a) => POLICY.Household.alerts[a]);
  return households
    .filter((h) => !failing.has(h.id))
    .flatMap((h) => monitoringTruth(h.id, audience).alerts.filter((a) => alertSeenBy(a, audience)).map((a) => ({ h, a, seenBy: readers.filter((r) => alertSeenBy(a, r)).length })))
    .sort((x, y) => x.seenBy - y.seenBy)
    .map(({ h, a }) => ({ h, key: opaqueAlertKey(gw.pseudonyms, h.id, a.key), department: a.department }));
}

/**
 * Alert handling to prove Alert.status / pushedTo / history and AlertActionEntry with: for each audience that
 * reads alerts, one alert it can see, pushed through the API by civil affairs to the alert's department with a note.
 */
async function actOnAlerts() {
  const acted = new Set<string>();
  for (const audience of AUDIENCES) {
    if (!POLICY.Household.alerts[audience]) continue;
    const alert = alertsVisibleTo(audience).find((x) => !acted.has(x.key));
    if (!alert) continue; // its cells then report that no household has a value
    acted.add(alert.key);
    const res = await gw.gql(
      `mutation Push($key: ID!, $department: ResponsibleDepartment!) { pushAlert(key: $key, department: $department, note: "policy matrix: please check") { status } }`,
      { key: alert.key, department: alert.department },
      { audience: "civil_affairs", city: CITY },
    );
    if (res.errors) throw new Error(`pushAlert failed: ${JSON.stringify(res.errors)}`);
  }
  alertActionRows = await gw.db.prisma.alertAction.findMany({ orderBy: [{ at: "asc" }, { id: "asc" }] });
}

/**
 * A lead dismissed through the API, so that Lead.dismissedAt / dismissReason have values: the first lead (by id) of
 * the latest run with a registry street, dismissed by that street's office.
 */
async function dismissOneLead() {
  const streets = new Set(households.map((h) => h.streetCode));
  const [lead] = await gw.db.sql.query<{ id: string; street_code: string }>(
    `SELECT l.id, l.street_code FROM monitoring_lead l
     WHERE l.gone_run IS NULL AND l.street_code = ANY($1::text[]) ORDER BY l.id LIMIT 1`,
    [[...streets]],
  );
  if (!lead) throw new Error("the runs found no lead in a registry street");
  const h = households.find((x) => x.streetCode === lead.street_code)!;
  const res = await gw.gql(`mutation Dismiss($id: ID!) { dismissLead(id: $id, reason: "policy matrix: contacted, not eligible") { id } }`, { id: lead.id }, asFor("street_office", h));
  if (res.errors) throw new Error(`dismissLead failed: ${JSON.stringify(res.errors)}`);
}

function truthRoot(audience: Audience, h: HouseholdRow): Promise<Raw> {
  const key = `${audience}:${h.id}`; // a charity's cursors differ; the eligibility's disclosed values differ per audience
  if (!roots.has(key)) {
    if (!parameters.has(h.streetCode)) parameters.set(h.streetCode, parametersTruth(h.streetCode));
    roots.set(
      key,
      (async () => ({
        household: householdFor(audience, h.id),
        households: await connectionTruth(audience, h.streetCode),
        policyParameters: await parameters.get(h.streetCode)!,
        needs: needsConnectionTruth(audience, h),
        accessLog: await accessLogTruth(h.id),
        auditFindings: await findingsTruth(h.streetCode),
        get alerts() {
          return alertPageTruth(audience, h.streetCode);
        },
        departmentSync: syncTruth,
        monitoringRuns: runsTruth(),
        leads: leadsTruthFor(audience, h),
      }))(),
    );
  }
  return roots.get(key)!;
}

/** The true values at a template, serialised (objects by shape). */
function trueValues(root: Raw, template: string[], objectLeaf: boolean): Json[] {
  const t = leafType(template);
  return reach(root, template, true).map((e) => (objectLeaf ? shape(e.value) : serialize(t, e.value)));
}

function queryFor(template: string[], leaf: string, sibling: string): { query: string; root: string } {
  const root = template[0];
  // a root itself as the leaf (a root denied to the audience) still takes its arguments
  let inner = `${sibling} ${template.length === 1 ? leaf.replace(root, `${root}${ROOTS[root].args}`) : leaf}`;
  for (let i = template.length - 2; i >= 0; i--) inner = `${template[i]}${i === 0 ? ROOTS[root].args : ""} { ${inner} }`;
  return { query: `query Cell${varDefs(ROOTS[root].vars)} { ${inner} }`, root };
}

function variablesFor(audience: Audience, root: string, h: HouseholdRow) {
  if (root === "household") return { id: householdRef(audience, h.id) };
  if (root === "households") return { street: h.streetCode };
  if (root === "needs") return { street: h.streetCode };
  if (root === "accessLog") return { household: h.id, to: auditUntil.toISOString() };
  if (root === "auditFindings") return { street: h.streetCode };
  if (root === "alerts") return { street: h.streetCode };
  if (root === "departmentSync" || root === "monitoringRuns" || root === "leads") return {};
  return { region: h.streetCode };
}

/** The first household (by id) whose truth at `template` has a value. */
async function householdWithValue(
  audience: Audience,
  template: string[],
  objectLeaf: boolean,
  extra: (h: HouseholdRow) => boolean = () => true,
  rootOf: (audience: Audience, h: HouseholdRow) => Promise<Raw> | Raw = truthRoot,
) {
  const readsRecord = template.some((f) => RECORD_FIELDS.has(f));
  for (const h of households) {
    if (!extra(h) || (readsRecord && failing.has(h.id))) continue;
    if (audience === "charity" && template[0] === "household" && !(await charityOpens(h))) continue;
    const root = await rootOf(audience, h);
    if (trueValues(root, template, objectLeaf).some(hasValue)) return { h, root };
  }
  return null;
}

/** Whether the matrix's charity may open the household (issue 12: only one behind a need it claimed or matching its resources). */
const opens = new Map<string, boolean>();
async function charityOpens(h: HouseholdRow): Promise<boolean> {
  if (!opens.has(h.id)) {
    const res = await gw.gql(`query($id: ID!) { household(id: $id) { streetCode } }`, { id: householdRef("charity", h.id) }, asFor("charity", h));
    opens.set(h.id, res.data?.household != null);
  }
  return opens.get(h.id)!;
}

/**
 * A masked value as the policy table declares each mask (src/policy/rules.ts, README's policy table), written out
 * here: a pseudonym is the gateway's per-charity reference of the row's id (a person's for Person fields, a need's
 * for Need.id, else the household's); an ID number keeps its first and last 4 characters; a mobile number its first
 * 3 and last 4 digits (a landline its first 4 and last 2); an address is cut after its street (街道/镇/乡 or the
 * welfare home), else after its district; an amount becomes its band of fen.
 */
function maskOf(kind: MaskKind, coordinate: string, v: Json): Json {
  if (v === null) return null;
  const s = String(v);
  switch (kind) {
    case "pseudonym":
      return gw.pseudonyms.encode(CHARITY, coordinate.startsWith("Person.") ? "person" : coordinate === "Need.id" ? "need" : "household", s);
    case "idNumber":
      return s.length <= 8 ? "*".repeat(s.length) : `${s.slice(0, 4)}${"*".repeat(s.length - 8)}${s.slice(-4)}`;
    case "phone": {
      const d = s.replace(/[^0-9]/g, "");
      return d.length === 11 && d.startsWith("1") ? `${d.slice(0, 3)}****${d.slice(-4)}` : `${d.slice(0, 4)}${"*".repeat(Math.max(0, d.length - 6))}${d.slice(-2)}`;
    }
    case "address": {
      // the end of the first of these words in the address, if any
      const after = (words: string[]) => Math.min(...words.map((w) => (s.includes(w) ? s.indexOf(w) + w.length : Infinity)));
      const cut = [after(["街道", "镇", "乡", "福利院"]), after(["区", "县"])].find((i) => i !== Infinity);
      return cut === undefined ? "***" : s.slice(0, cut);
    }
    case "amountBand": {
      const n = Number(v);
      if (n < 0) return "<0";
      if (n === 0) return "0";
      const edges = [1, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000, 50_000_000, 100_000_000];
      let i = edges.length - 1;
      while (edges[i] > n) i--;
      return i === edges.length - 1 ? `${edges[i]}+` : `${edges[i]}-${edges[i + 1] - 1}`;
    }
    default:
      throw new Error(`the matrix has no oracle for the mask ${kind}: add one`);
  }
}

/**
 * Charity matching (issue 7) on top of the seeded charities, resources and needs: the matrix's charity,
 * registered; consents recorded for it by the street office for most households whose registration
 * flag says they are willing (not every third: the flag alone discloses nothing); a revoked consent;
 * a resource of its own fitted to a need with a note; and claims in every status.
 */
async function seedMatching(db: TestGateway["db"]) {
  const p = db.prisma;
  const all = await p.household.findMany({ orderBy: { id: "asc" } });
  const districts = [...new Set(all.map((h) => h.districtCode))];
  await p.charity.createMany({
    data: [
      { id: CHARITY, name: "矩阵测试慈善会（合成数据）", registrationNo: "53500103MJX000001A", districts },
      { id: CHARITY_OTHER, name: "矩阵测试志愿者协会（合成数据）", registrationNo: "53500103MJX000002B", districts },
    ],
  });
  const willing = all.filter((h) => h.contactConsent && h.phone);
  await p.contactConsent.createMany({ data: willing.filter((_, i) => i % 3 !== 0).map((h) => ({ householdId: h.id, charityId: CHARITY, recordedBy: "street-office-matrix" })) });
  const h0 = all[0];
  await p.contactConsent.create({ data: { householdId: h0.id, charityId: CHARITY_OTHER, recordedBy: "street-office-matrix", revokedAt: new Date("2026-11-20T00:00:00Z"), revokedBy: "street-office-matrix" } });
  const head = await p.person.findFirstOrThrow({ where: { householdId: h0.id, relation: "HEAD" } });
  const need = (status: "OPEN" | "CLAIMED" | "MET", extra: object = {}) =>
    p.need.create({
      data: { householdId: h0.id, personId: head.id, districtCode: h0.districtCode, streetCode: h0.streetCode, category: "FOOD", urgency: "HIGH", origin: "MANUAL", rule: "MANUAL", reason: "recorded by the street office: FOOD", tier: "DIBAO", ageBand: "18-59", since: new Date("2026-10-01"), status, recordedBy: "street-office-matrix", ...extra },
    });
  await need("OPEN", { note: "矩阵测试：手写备注（可能含姓名）" });
  const resource = await p.charityResource.create({
    data: { charityId: CHARITY, category: "FOOD", title: "矩阵测试食品包", unit: "ITEMS", quantity: 20, remaining: 18, districts: [h0.districtCode], streets: [h0.streetCode], tiers: ["DIBAO", "TEKUN", "DIBAO_MARGINAL", "RIGID_EXPENDITURE", "MONITORED", "OTHER"], minAge: 18, maxAge: 59, validFrom: new Date("2026-01-01"), validTo: new Date("2027-12-31") },
  });
  // issue 12: a charity opens only a household behind a need matching one of its resources — give every other
  // household an open need the charity's resource for "other help" matches, so that its cells find households
  await p.need.createMany({
    data: all.filter((h) => h.id !== h0.id).map((h) => ({ householdId: h.id, districtCode: h.districtCode, streetCode: h.streetCode, category: "OTHER" as const, urgency: "LOW" as const, origin: "MANUAL" as const, rule: "MANUAL", reason: "recorded by the street office: OTHER", since: new Date("2026-10-01"), recordedBy: "street-office-matrix" })),
  });
  await p.charityResource.create({
    data: { charityId: CHARITY, category: "OTHER", title: "矩阵测试其他帮扶", unit: "ITEMS", quantity: 1000, remaining: 1000, districts: [], streets: [], validFrom: new Date("2026-01-01") },
  });
  const at = new Date("2026-11-10T09:00:00Z");
  const claimed = await need("CLAIMED");
  const met = await need("MET");
  const reopened = await need("OPEN");
  await p.claim.createMany({
    data: [
      { needId: claimed.id, resourceId: resource.id, charityId: CHARITY, units: 1, idempotencyKey: "matrix-1", claimedAt: at },
      { needId: met.id, resourceId: resource.id, charityId: CHARITY, units: 1, idempotencyKey: "matrix-2", status: "DELIVERED", claimedAt: at, deliveredAt: new Date("2026-11-12T09:00:00Z") },
      { needId: reopened.id, resourceId: resource.id, charityId: CHARITY, units: 1, idempotencyKey: "matrix-3", status: "CANCELLED", claimedAt: at, cancelledAt: new Date("2026-11-11T09:00:00Z") },
    ],
  });
}

beforeAll(async () => {
  gw = await startGateway({
    now: NOW,
    seed: async (db) => {
      await runSeed({ sql: db.sql, seed: SEED, asOf: AS_OF, persons: PERSONS, progress: "none" });
      // The generated set has no ended incomes and no parameter with an end date in force: give the
      // matrix a value to prove Income.validTo and PolicyParameter.effectiveTo with.
      const first = await db.prisma.income.findMany({ orderBy: { id: "asc" }, take: 3 });
      for (const i of first) await db.prisma.income.update({ where: { id: i.id }, data: { validTo: new Date("2027-06-30") } });
      const street = (await db.prisma.household.findFirstOrThrow({ orderBy: { id: "asc" } })).streetCode;
      await db.prisma.policyParameter.create({
        data: { regionCode: street, key: "MATRIX_TEMPORARY_SUPPLEMENT", value: "1234.5", unit: "FEN_PER_MONTH", effectiveFrom: new Date("2026-01-01"), effectiveTo: new Date("2027-01-01"), source: "policy matrix test" },
      });
      // a payment after a member's death: a person-level audit finding, to prove AuditFinding.personId with
      const member = await db.prisma.person.findFirstOrThrow({ orderBy: { id: "asc" } });
      await db.prisma.person.update({ where: { id: member.id }, data: { deceasedOn: new Date("2026-03-10") } });
      await db.prisma.aidRecord.create({
        data: { householdId: member.householdId, personId: member.id, program: "TEMPORARY_AID_EXPENDITURE", amountFen: 50_000, periodStart: new Date("2026-05-01"), periodEnd: new Date("2026-05-31"), paidAt: new Date("2026-05-15T03:00:00Z"), idempotencyKey: "matrix:after-death" },
      });
      await seedMatching(db);
    },
    // the truth loads every person's employment record at once: not the sandbox's rate limit under test here
    sandboxes: { seed: SEED, asOf: AS_OF, persons: PERSONS, employment: { rateLimitPerSecond: 1_000_000, burst: 100_000 } },
    // thousands of cells, each gathering the department records of its households, five at a time (describe.concurrent)
    // on a shared machine: a slow answer is not what this file proves (resilience has its own tests), so no timeouts
    // or open breakers here. The deadline covers the wait for a connection slot too, which the concurrent cells share:
    // it is as long as a test may take (vitest.config.ts), so that only the test's own timeout ever ends a cell.
    connectors: Object.fromEntries(SOURCE_NAMES.map((s) => [s, { timeoutMs: 300_000, breaker: { threshold: 1_000_000 } }])),
    mirror: { clock: () => new Date(mirrorNow), maxAgeMs: Object.fromEntries(SOURCE_NAMES.map((s) => [s, MIRROR_MAX_AGE_MS])) },
    audit: true,
  });
  await failRecordsForIncompleteChecks();
  await syncMirror();
  await monitorPopulation();
  await writeAccessRecords();
  await readAccessRows();
  await buildTruths();
  await buildMatchingTruths();
  await actOnAlerts();
  await dismissOneLead();
  await readMonitoringRows();
});
afterAll(async () => gw?.close());

// ------------------------------------------------------------------------------------------------

test("the matrix covers every audience × every (type, field) of POLICY, the sensitive fields among them", () => {
  const fields = Object.entries(POLICY)
    .filter(([t]) => t !== "Query" && t !== "Mutation" && t !== "Subscription" && schema.getType(t)) // _Service: test/federation
    .reduce((n, [, f]) => n + Object.keys(f).length, 0);
  for (const a of AUDIENCES) expect(CELLS.get(a)!.length).toBe(fields);
  const coordinates = new Set(CELLS.get("charity")!.map((c) => `${c.type}.${c.field}`));
  for (const c of [
    "Household.address", "Household.phone", "Household.registryNo", "Household.incomes", "Household.assets", "Household.aidRecords",
    "Household.housing", "Person.idNumber", "Person.name", "Person.birthDate", "Person.medicalInsurance", "Income.monthlyFen",
    "AssistanceCase.monthlyFen", "AssistanceCase.note", "Disability.certificateNo", "MedicalInsurance.seriousDisease",
  ])
    expect(coordinates, c).toContain(c);
  for (const f of Object.keys(objectType("Person").getFields())) expect(coordinates).toContain(`Person.${f}`);
});

test("STORED_ONLY and NO_VALUE_IN_DATA_SET are empty: every monitoring cell is proven with the runs' rows", () => {
  // emptied on 2026-12-06 (issue 16: the setup runs the production monitoring run, full then incremental)
  expect(STORED_ONLY).toEqual({});
  expect(NO_VALUE_IN_DATA_SET).toEqual({});
  // the stored-only Alert fields are planned through the stored list for every audience that may read it
  for (const a of AUDIENCES)
    for (const c of CELLS.get(a)!.filter((x) => STORED_ROUTES[`${x.type}.${x.field}`]))
      if (POLICY.Query.alerts[a]) expect(c.template, `${a} ${c.type}.${c.field}`).toEqual([...STORED_ROUTES[`${c.type}.${c.field}`], c.field]);
});

/**
 * The runs the setup made, as their rows have them — the conditions the stored-only cells rest on, checked here so
 * that a cell cannot pass on a truth that lost its point: two finished runs, the second incremental over exactly the
 * households it had to take (those the registry change wrote, those a department system failed for); the cleared
 * alerts are the re-certified households' overdue ones, in every view; first and last seen by different runs; leads
 * from the mirror in the registry's streets; each view's stored alerts are that audience's own alerts (computed here
 * over the facts it may see: non-interference), for every household no department system failed for.
 */
describe("the setup's monitoring runs", () => {
  test("a full run, then an incremental one over the changed households only", () => {
    expect(runRows.map((r) => [r.mode, r.status])).toEqual([["INCREMENTAL", "SUCCEEDED"], ["FULL", "SUCCEEDED"]]);
    const [second, first] = runRows;
    expect(Number(first.households)).toBe(households.length);
    expect(new Date(first.as_of)).toEqual(RUN_1_AS_OF);
    expect(new Date(second.as_of)).toEqual(RUN_2_AS_OF);
    // the households the incremental run evaluated: the re-certified ones and those a department system failed for
    const evaluated = [...snapshots.keys()].length;
    expect(evaluated).toBe(households.length);
    expect(Number(second.households)).toBe(new Set([...recertified, ...failing]).size);
    expect((second.stale_sources as string[]).length, "the incremental run met a stale record").toBeGreaterThan(0);
    expect((second.failed_sources as string[]).sort()).toEqual(["disability", "housing", "medicalInsurance"]);
  });

  test("the registry change cleared the overdue re-certification alerts in every view, and only those", () => {
    const cleared = storedAlertRows.filter((r) => r.resolved_at !== null);
    expect(new Set(cleared.map((r) => r.view))).toEqual(new Set(AUDIENCES.map(storedViewOf).filter(Boolean)));
    for (const r of cleared) {
      expect(recertified).toContain(r.household_id);
      expect(r.kind).toBe("RECERTIFICATION_OVERDUE");
      expect(new Date(r.resolved_at)).toEqual(RUN_2_AS_OF);
    }
    const seenTwice = storedAlertRows.filter((r) => r.resolved_at === null && new Date(r.first_seen_at).getTime() !== new Date(r.last_seen_at).getTime());
    expect(seenTwice.length, "alerts first seen by the full run and again by the incremental one").toBeGreaterThan(0);
  });

  test("each view's stored alerts are its audiences' own (the oracle's alerts over the facts each may see)", () => {
    for (const audience of AUDIENCES) {
      const view = storedViewOf(audience);
      if (!view) continue;
      for (const h of households.filter((x) => !failing.has(x.id))) {
        const stored = storedAlertRows.filter((r) => r.view === view && r.household_id === h.id && r.resolved_at === null).map((r) => r.alert_key).sort();
        const own = alertsTruth(audience, h.id).map((a) => a.key as string).sort();
        expect(stored, `${audience} ${h.id}`).toEqual(own);
      }
    }
  });

  test("leads: found over the mirror, in the city; both kinds of coverage on the page the Lead cells are proven on", () => {
    const latest = leadRows.filter((l) => l.gone_run === null);
    expect(latest.length).toBeGreaterThan(0);
    for (const l of latest) expect(l.district_code === null || String(l.district_code).startsWith("500")).toBe(true);
    // the page civil affairs' Lead cells are proven on (the first LEADS_PAGE by id) and a street office's
    const coverage = (rows: Record<string, any>[]) => new Set(rows.slice(0, LEADS_PAGE).map((l) => leadTruth(l).coverage));
    expect([...coverage(latest)].sort()).toEqual(["NOT_IN_REGISTRY", "NO_CASE"]);
    // a street office's Lead cells: its street's leads only — and there are leads it must not see (other streets',
    // or without a street: the department-only persons of the seed live across the city)
    const street = households.find((h) => leadsInScope("street_office", h).length > 0)!;
    expect(coverage(leadsInScope("street_office", street))).toContain("NO_CASE");
    expect(latest.some((l) => l.street_code !== street.streetCode)).toBe(true);
    // NOT_IN_REGISTRY: a person no registry household has, and the lead names no household
    for (const l of latest.filter((x) => leadTruth(x).coverage === "NOT_IN_REGISTRY")) expect(l.household_id).toBeNull();
    expect(latest.some((l) => l.dismissed_at !== null), "a lead dismissed in setup (Lead.dismissedAt has a value)").toBe(true);
  });
});

test("Subscription roots are not planned (not over HTTP): the list does not grow, and the gateway refuses a subscription over HTTP", async () => {
  expect(Object.keys(POLICY.Subscription ?? {}).sort()).toEqual(NOT_OVER_HTTP);
  const res = await gw.gql(`subscription { alertRaised { key } }`, {}, { audience: "civil_affairs", city: CITY });
  expect(res.status).toBe(400);
  expect(res.data ?? null).toBeNull();
  expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["SUBSCRIPTION_NOT_SUPPORTED_OVER_HTTP"]);
});

test("FILTERED_OUT stays small and names only fields the audience is granted (a value that never comes needs a reason)", () => {
  expect(Object.keys(FILTERED_OUT).length).toBeLessThanOrEqual(15); // 13: issue 13 added AidChain.unverified and StaleRecord.personId, removed Alert.personId; 15: issue 12's non-interference (AidChain.gaps and Entitlement.ratio for audiences computed without the records they rest on)
  for (const [coordinate, { audiences, why }] of Object.entries(FILTERED_OUT)) {
    const [type, field] = coordinate.split(".");
    expect(objectType(type).getFields()[field], coordinate).toBeDefined();
    for (const a of audiences) expect(POLICY[type]?.[field]?.[a], `${a} ${coordinate}`).toBe("read");
    expect(why.length).toBeGreaterThan(10);
  }
});

test("every field an audience may read is reachable through fields it may read (no grant that can never be used)", () => {
  const useless = [...CELLS.values()].flat().filter((c) => c.access !== undefined && c.deniedAt !== null).map((c) => `${c.audience} ${c.type}.${c.field}`);
  expect(useless).toEqual([]);
});

/**
 * A type the audience reaches only through a field it may not read: each of its fields is absent for the audience
 * by that one denial, which is proven once, at the denied field's own cell (or, for a denied root, among the Query
 * fields) — not again for every field behind it. What is checked here is that this holds: every such cell's denial
 * is a coordinate the audience may not read and that has its own HTTP-proven cell, reached through fields it may read.
 */
describe("types behind a denied field", () => {
  for (const audience of AUDIENCES) {
    const behind = CELLS.get(audience)!.filter((c) => c.deniedAt !== null);
    const denials = new Map<string, string[]>();
    for (const c of behind) {
      const parent = c.deniedAt === 1 ? "Query" : leafType(c.template.slice(0, c.deniedAt! - 1));
      const coordinate = `${parent}.${c.template[c.deniedAt! - 1]}`;
      denials.set(coordinate, [...(denials.get(coordinate) ?? []), `${c.type}.${c.field}`]);
    }
    test(`${audience}: ${behind.length} fields of ${new Set(behind.map((c) => c.type)).size} types are absent by ${denials.size} denials, each proven at its own cell`, () => {
      for (const [coordinate] of denials) {
        const [type, field] = coordinate.split(".");
        expect(POLICY[type]?.[field]?.[audience], `${audience} may not read ${coordinate}`).toBeUndefined();
        if (type === "Query") expect(Object.keys(POLICY.Query), coordinate).toContain(field);
        else {
          const own = CELLS.get(audience)!.find((c) => c.type === type && c.field === field);
          expect(own && own.deniedAt === null && own.access === undefined, `${audience} × ${coordinate} is a plain FORBIDDEN cell`).toBe(true);
        }
      }
    });
  }
});

for (const audience of AUDIENCES) {
  describe.concurrent(`${audience}`, () => {
    for (const c of CELLS.get(audience)!.filter((x) => x.deniedAt === null)) {
      const label = (c.access === "consent" ? "consent (see below)" : cellLabel(c.access)) + (storedOnly(`${c.type}.${c.field}`) ? " (STORED_ONLY: no value in the runs' rows)" : unproven(audience, `${c.type}.${c.field}`) ? " (NO_VALUE_IN_DATA_SET)" : "");
      const filteredLabel = c.filteredAt === null ? "" : ` (${c.filteredAt === c.template.length ? "" : `${c.template.slice(0, c.filteredAt).join(".")} `}filtered: never a value for it)`;
      test(`${c.type}.${c.field} → ${label + filteredLabel}`, async ({ expect }) => {
        const coordinate = `${c.type}.${c.field}`;
        if (unproven(audience, coordinate)) {
          // STORED_ONLY / NO_VALUE_IN_DATA_SET: no value in the oracle anywhere, none from the gateway, and no error where the field is granted
          expect(c.access, `${audience} × ${coordinate}: an unproven cell the audience is denied must be proven as a denial`).toBeDefined();
          const target = c.template;
          expect(await householdWithValue(audience, target, c.objectLeaf), `${coordinate} has a value now: prove it (remove it from STORED_ONLY / NO_VALUE_IN_DATA_SET)`).toBeNull();
          const h = households[0];
          const leaf = target[target.length - 1];
          const { query, root: rootField } = queryFor(target, c.objectLeaf ? `${leaf} { __typename }` : leaf, c.sibling);
          const res = await gw.gql(query, variablesFor(audience, rootField, h), asFor(audience, h));
          expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
          expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
          expect(reach(res.data, target, false).filter((e) => hasValue(e.value))).toEqual([]);
          return;
        }
        // the part of the template that is executed: up to the denied ancestor when the type is unreachable,
        // up to the filtered coordinate when the audience never gets a value there
        const cut = c.deniedAt ?? c.filteredAt;
        const target = cut === null ? c.template : c.template.slice(0, cut);
        const targetIsObject = cut === null || cut === c.template.length ? c.objectLeaf : true;
        let found: { h: HouseholdRow; root: Raw } | null;
        if (c.filteredAt !== null) {
          // the list stays honest: no household has a value here for this audience …
          const valued = await householdWithValue(audience, target, targetIsObject);
          expect(valued?.h.id ?? null, `${audience} has a value at ${target.join(".")}: prove it as a plain cell (remove it from FILTERED_OUT)`).toBeNull();
          // … and the proof is a household where the unfiltered value exists
          const unfiltered = await householdWithValue(audience, target, targetIsObject, undefined, (_a, x) => unfilteredRoot(x));
          found = unfiltered && { h: unfiltered.h, root: await truthRoot(audience, unfiltered.h) };
        } else found = await householdWithValue(audience, target, targetIsObject, c.access === "consent" ? (h) => h.phone !== null : undefined);
        expect(found, `no household of the data set has a value at ${target.join(".")}: the cell cannot be proven`).not.toBeNull();
        const { h, root } = found!;

        const sibling = cut === null || cut === c.template.length ? c.sibling : "__typename";
        const leaf = target[target.length - 1];
        const { query, root: rootField } = queryFor(target, targetIsObject ? `${leaf} { __typename }` : leaf, sibling);
        const res = await gw.gql(query, variablesFor(audience, rootField, h), asFor(audience, h));
        expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);

        const got = reach(res.data, target, false);
        const truth = trueValues(root, target, targetIsObject);
        expect(got.length, `${target.join(".")} instances`).toBe(truth.length);
        const values = got.map((e) => (targetIsObject ? shape(e.value) : e.value));

        if (c.deniedAt !== null || c.access === undefined) {
          // absent: null at every instance, one FORBIDDEN error at each path and no other error
          expect(values.every((v) => v === null)).toBe(true);
          const errors = res.errors ?? [];
          expect(errors.map((e) => e.extensions?.code)).toEqual(got.map(() => "FORBIDDEN"));
          expect(sorted(errors.map((e) => e.path))).toEqual(sorted(got.map((e) => e.path)));
          expect(errors.every((e) => e.extensions?.reason === "FIELD_NOT_ALLOWED")).toBe(true);
          for (const e of errors) expect(e.message).toContain(c.deniedAt === null ? coordinate : "Not authorized");
        } else {
          expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
          if (c.access === "read") {
            expect(sorted(values)).toEqual(sorted(truth));
          } else if (c.access === "consent") {
            const consent = consented.has((h as HouseholdRow).id); // per charity (issue 7), not the registration flag
            expect(sorted(values)).toEqual(sorted(truth.map((t) => (consent ? t : null))));
          } else {
            const kind = c.access.mask;
            expect(sorted(values)).toEqual(sorted(truth.map((t) => maskOf(kind, coordinate, t))));
            const revealing = truth.filter((t) => t !== null && JSON.stringify(maskOf(kind, coordinate, t)) !== JSON.stringify(t));
            expect(revealing.length, "a masked value that differs from the true one").toBeGreaterThan(0);
            for (const t of revealing) expect(sorted(values)).not.toContain(JSON.stringify(t));
          }
        }

        // a sibling field in the same query still resolves
        const siblingTemplate = [...target.slice(0, -1), sibling];
        const siblings = reach(res.data, siblingTemplate, false).map((e) => e.value);
        expect(siblings.length).toBe(got.length);
        if (sibling === "__typename") expect(siblings.every((v) => typeof v === "string")).toBe(true);
        else expect(sorted(siblings)).toEqual(sorted(trueValues(root, siblingTemplate, false)));
      });
    }
  });
}

describe("consent", () => {
  test("a charity sees the phone only where the household consented to contact by that charity (else null, no error); others see it regardless", async () => {
    expect(POLICY.Household.phone.charity).toBe("consent");
    const consenting = households.find((h) => h.phone !== null && consented.has(h.id));
    const refusing = households.find((h) => h.phone !== null && !h.contactConsent);
    // willing at registration, but no consent for this charity recorded: the flag alone discloses nothing
    const flagOnly = households.find((h) => h.phone !== null && h.contactConsent && !consented.has(h.id));
    expect(consenting && refusing && flagOnly, "the data set has households with a phone, with and without consent").toBeTruthy();
    const q = `query($id: ID!) { household(id: $id) { phone contactConsent } }`;
    const a = await gw.gql(q, { id: householdRef("charity", consenting!.id) }, asFor("charity", consenting!));
    expect(a.errors).toBeUndefined();
    expect(a.data.household).toEqual({ phone: consenting!.phone, contactConsent: consenting!.contactConsent });
    const b = await gw.gql(q, { id: householdRef("charity", refusing!.id) }, asFor("charity", refusing!));
    expect(b.errors).toBeUndefined();
    expect(b.data.household).toEqual({ phone: null, contactConsent: false });
    const f = await gw.gql(q, { id: householdRef("charity", flagOnly!.id) }, asFor("charity", flagOnly!));
    expect(f.data.household).toEqual({ phone: null, contactConsent: true });
    const c = await gw.gql(q, { id: refusing!.id }, asFor("housing", refusing!));
    expect(c.data.household).toEqual({ phone: refusing!.phone, contactConsent: false });
  });
});

// ------------------------------------------------------------------------------------------------
// Query fields: read → the field resolves; absent → null + FORBIDDEN at it while a sibling resolves.

describe("Query fields", () => {
  const SNIPPETS: Record<string, { select: string; vars: string; values: (h: HouseholdRow, audience: Audience) => Record<string, unknown> }> = {
    household: { select: "household(id: $id) { __typename }", vars: "$id: ID!", values: (h, a) => ({ id: householdRef(a, h.id) }) },
    households: { select: `households(first: 1, filter: { street: $street }) { totalCount }`, vars: "$street: String", values: (h) => ({ street: h.streetCode }) },
    person: { select: "person(idNumber: $idNumber) { __typename }", vars: "$idNumber: String!", values: () => ({}) },
    policyParameters: { select: "policyParameters(regionCode: $region) { key }", vars: "$region: String!", values: (h) => ({ region: h.streetCode }) },
    needs: { select: "needs(filter: { street: $needStreet }) { totalCount }", vars: "$needStreet: String", values: (h) => ({ needStreet: h.streetCode }) },
    resources: { select: "resources(category: $category) { id }", vars: "$category: NeedCategory", values: () => ({}) },
    myClaims: { select: "myClaims(status: $claimStatus) { id }", vars: "$claimStatus: ClaimStatus", values: () => ({}) },
    charities: { select: "charities(status: $charityStatus) { id }", vars: "$charityStatus: CharityStatus", values: () => ({}) },
    alerts: { select: "alerts(first: 1, filter: { street: $alertStreet }) { householdsScanned }", vars: "$alertStreet: String", values: (h) => ({ alertStreet: h.streetCode }) },
    accessLog: { select: "accessLog(first: 1, filter: { household: $logHousehold }) { totalCount }", vars: "$logHousehold: ID", values: (h) => ({ logHousehold: h.id }) },
    auditFindings: { select: "auditFindings(first: 1, filter: { street: $findingStreet }) { totalCount }", vars: "$findingStreet: String", values: (h) => ({ findingStreet: h.streetCode }) },
    departmentSync: { select: "departmentSync { source }", vars: "", values: () => ({}) },
    // monitoring (issue 16): a page of runs, one run by id (the latest of the setup's runs), a page of leads
    monitoringRuns: { select: "monitoringRuns(first: 1) { pageInfo { hasNextPage } }", vars: "", values: () => ({}) },
    monitoringRun: { select: "monitoringRun(id: $runId) { id mode }", vars: "$runId: ID!", values: () => ({ runId: latestRun.id }) },
    leads: { select: "leads(first: 1) { pageInfo { hasNextPage } }", vars: "", values: () => ({}) },
    // federation (issue 17): the subgraph SDL, and an entity looked up as household(id:) looks it up
    _service: { select: "_service { sdl @include(if: $withSdl) }", vars: "$withSdl: Boolean = true", values: () => ({}) },
    _entities: {
      select: "_entities(representations: $representations) { __typename }",
      vars: "$representations: [_Any!]!",
      values: (h, a) => ({ representations: [{ __typename: "Household", id: householdRef(a, h.id) }] }),
    },
    assessEligibility: {
      select: "assessEligibility(input: $facts) { tier }",
      vars: "$facts: HouseholdFactsInput!",
      values: (h) => ({ facts: { hukou: h.hukou, streetCode: h.streetCode, members: [{ sex: "FEMALE", birthDate: "1980-01-01", relation: "HEAD", workAbility: "NONE", selfCare: "FULL" }] } }),
    },
  };

  test("every Query field of POLICY has a way to call it here", () => {
    expect(Object.keys(SNIPPETS).sort()).toEqual(Object.keys(POLICY.Query).sort());
  });

  for (const audience of AUDIENCES)
    for (const field of Object.keys(POLICY.Query)) {
      const access = POLICY.Query[field][audience];
      test(`${audience} × Query.${field} → ${cellLabel(access)}`, async () => {
        const h = households[0];
        const head = await gw.db.prisma.person.findFirstOrThrow({ where: { householdId: h.id, relation: "HEAD" } });
        // (a charity lists no households since issue 12: its sibling is its resources)
        const sibling = field === "policyParameters" ? (audience === "charity" ? "resources" : "households") : "policyParameters";
        const query = `query Q${varDefs(SNIPPETS[field].vars, SNIPPETS[sibling].vars)} { ${SNIPPETS[field].select} ${SNIPPETS[sibling].select} }`;
        const vars = { ...SNIPPETS[field].values(h, audience), ...SNIPPETS[sibling].values(h, audience), ...(field === "person" ? { idNumber: head.idNumber } : {}) };
        const res = await gw.gql(query, vars, asFor(audience, h));
        expect(res.status).toBe(200);
        expect(res.data[sibling]).toBeTruthy();
        if (access) {
          expect(res.errors).toBeUndefined();
          expect(hasValue(res.data[field])).toBe(true);
          // monitoring (issue 16): as the raw rows have it — a page of one run (two runs stored), the run asked for by
          // its id, a page of one lead (of the non-dismissed leads of the latest run in the token's jurisdiction)
          if (field === "monitoringRuns") expect(res.data[field]).toEqual({ pageInfo: { hasNextPage: runRows.length > 1 } });
          if (field === "monitoringRun") expect(res.data[field]).toEqual({ id: latestRun.id, mode: latestRun.mode });
          if (field === "leads") expect(res.data[field]).toEqual({ pageInfo: { hasNextPage: leadsInScope(audience, h).filter((l) => l.dismissed_at === null).length > 1 } });
        } else {
          expect(res.data[field]).toBeNull();
          expect(res.errors).toHaveLength(1);
          expect(res.errors![0]).toMatchObject({ path: [field], extensions: { code: "FORBIDDEN", reason: "FIELD_NOT_ALLOWED" } });
          expect(JSON.stringify(res.body)).not.toContain(head.name);
        }
      });
    }
});

// ------------------------------------------------------------------------------------------------
// Mutations: allowed ones succeed in the audience's jurisdiction; the rest are refused whole, change nothing.

/** `as`: the household whose jurisdiction the token is minted for, when not the test's household */
type MutationCall = (audience: Audience, h: HouseholdRow) => Promise<{ query: string; variables: Record<string, unknown>; check: (data: any) => Promise<void>; as?: HouseholdRow }>;

/**
 * Alert handling (issue 5): each allowed call acts on an alert the audience can see (in its jurisdiction: the
 * token is minted for the alert's household); a department acknowledges or resolves an alert pushed to it
 * (the push stored first). Resolving is final, so each call takes an alert no call has used yet.
 */
function alertCalls(): Record<string, MutationCall> {
  const used = new Set<string>();
  const fresh = (audience: Audience) => {
    const found = alertsVisibleTo(audience).find((x) => !used.has(x.key));
    if (!found) {
      // a refused call never reaches the alert: any key will do
      const handles = ["acknowledgeAlert", "pushAlert", "resolveAlert"].some((m) => POLICY.Mutation[m][audience]);
      if (!POLICY.Household.alerts[audience] || audience === "auditor" || !handles) return { h: households[0], key: `${households[0].id}|NONE`, department: "civil_affairs" };
      throw new Error(`no unused alert visible to ${audience}`);
    }
    used.add(found.key);
    return found;
  };
  const isDepartment = (a: Audience) => ["education", "employment", "housing", "medical_insurance", "disability"].includes(a);
  const alertKeyOf = (key: string) => key; // alert_action rows store the opaque key
  const pushedTo = async (audience: Audience, a: { h: HouseholdRow; key: string }) => {
    if (isDepartment(audience) && POLICY.Mutation.acknowledgeAlert[audience])
      await gw.db.prisma.alertAction.create({ data: { householdId: a.h.id, alertKey: alertKeyOf(a.key), action: "PUSH", department: audience, actorSubject: "policy-matrix", actorAudience: "civil_affairs" } });
  };
  const stored = (a: { h: HouseholdRow; key: string }, action: "ACKNOWLEDGE" | "PUSH" | "RESOLVE", audience: Audience) =>
    gw.db.prisma.alertAction.count({ where: { householdId: a.h.id, alertKey: alertKeyOf(a.key), action, actorAudience: audience } });
  return {
    async acknowledgeAlert(audience) {
      const a = fresh(audience);
      await pushedTo(audience, a);
      return {
        query: `mutation M($key: ID!) { acknowledgeAlert(key: $key) { key status } }`,
        variables: { key: a.key },
        as: a.h,
        async check(data) {
          expect(data.acknowledgeAlert).toEqual({ key: a.key, status: "ACKNOWLEDGED" });
          expect(await stored(a, "ACKNOWLEDGE", audience)).toBe(1);
        },
      };
    },
    async pushAlert(audience) {
      const a = fresh(audience);
      const before = await stored(a, "PUSH", audience); // beforeAll pushed some alerts as civil affairs
      return {
        query: `mutation M($key: ID!, $d: ResponsibleDepartment!) { pushAlert(key: $key, department: $d) { key status pushedTo } }`,
        variables: { key: a.key, d: a.department },
        as: a.h,
        async check(data) {
          expect(data.pushAlert).toEqual({ key: a.key, status: "PUSHED", pushedTo: a.department });
          expect(await stored(a, "PUSH", audience)).toBe(before + 1);
        },
      };
    },
    async resolveAlert(audience) {
      const a = fresh(audience);
      await pushedTo(audience, a);
      return {
        query: `mutation M($key: ID!) { resolveAlert(key: $key, note: "policy matrix: resolved") { key status } }`,
        variables: { key: a.key },
        as: a.h,
        async check(data) {
          expect(data.resolveAlert).toEqual({ key: a.key, status: "RESOLVED" });
          expect(await stored(a, "RESOLVE", audience)).toBe(1);
        },
      };
    },
  };
}

/** The charity-matching mutations (issue 7), each with fresh rows of its own so that every allowed call succeeds. */
function matchingCalls(next: () => number): Record<string, MutationCall> {
  const p = () => gw.db.prisma;
  const resource = (remaining = 5) =>
    p().charityResource.create({ data: { charityId: CHARITY, category: "FOOD", title: `矩阵资源 ${next()}`, unit: "ITEMS", quantity: 5, remaining, validFrom: new Date("2026-01-01") } });
  const need = (h: HouseholdRow, status: "OPEN" | "CLAIMED" = "OPEN") =>
    p().need.create({ data: { householdId: h.id, districtCode: h.districtCode, streetCode: h.streetCode, category: "FOOD", urgency: "MEDIUM", origin: "MANUAL", rule: "MANUAL", reason: "matrix", tier: "DIBAO", since: new Date("2026-11-01"), status } });
  const claimed = async (h: HouseholdRow) => {
    const r = await resource(4);
    const n = await need(h, "CLAIMED");
    return p().claim.create({ data: { needId: n.id, resourceId: r.id, charityId: CHARITY, units: 1, idempotencyKey: `matrix-call-${next()}` } });
  };
  return {
    async registerCharity(_a, h) {
      const n = next();
      const id = `charity-m-${n}`;
      return {
        query: `mutation M($input: RegisterCharityInput!) { registerCharity(input: $input) { id status } }`,
        variables: { input: { id, name: `矩阵新慈善组织 ${n}`, registrationNo: `53${h.districtCode}MJ${String(n).padStart(7, "0")}X`, districts: [h.districtCode] } },
        async check(data) {
          expect(data.registerCharity).toEqual({ id, status: "ACTIVE" });
          expect(await p().charity.count({ where: { id } })).toBe(1);
        },
      };
    },
    async suspendCharity(_a, h) {
      const n = next();
      const c = await p().charity.create({ data: { id: `charity-s-${n}`, name: "待暂停", registrationNo: `53${h.districtCode}MK${String(n).padStart(7, "0")}X`, districts: [h.districtCode] } });
      return {
        query: `mutation M($id: ID!) { suspendCharity(id: $id, reason: "matrix") { id status } }`,
        variables: { id: c.id },
        async check(data) {
          expect(data.suspendCharity).toEqual({ id: c.id, status: "SUSPENDED" });
          expect((await p().charity.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("SUSPENDED");
        },
      };
    },
    async createResource() {
      const title = `矩阵新资源 ${next()}`;
      return {
        query: `mutation M($input: ResourceInput!) { createResource(input: $input) { title remaining } }`,
        variables: { input: { category: "FOOD", title, unit: "ITEMS", quantity: 3, validFrom: "2026-01-01" } },
        async check(data) {
          expect(data.createResource).toEqual({ title, remaining: 3 });
          expect(await p().charityResource.count({ where: { title, charityId: CHARITY } })).toBe(1);
        },
      };
    },
    async updateResource() {
      const r = await resource();
      const title = `改名 ${next()}`;
      return {
        query: `mutation M($id: ID!, $title: String!) { updateResource(id: $id, input: { title: $title }) { id title } }`,
        variables: { id: r.id, title },
        async check(data) {
          expect(data.updateResource).toEqual({ id: r.id, title });
          expect((await p().charityResource.findUniqueOrThrow({ where: { id: r.id } })).title).toBe(title);
        },
      };
    },
    async closeResource() {
      const r = await resource();
      return {
        query: `mutation M($id: ID!) { closeResource(id: $id) { id status } }`,
        variables: { id: r.id },
        async check(data) {
          expect(data.closeResource).toEqual({ id: r.id, status: "CLOSED" });
          expect((await p().charityResource.findUniqueOrThrow({ where: { id: r.id } })).status).toBe("CLOSED");
        },
      };
    },
    async claimNeed(_a, h) {
      const [r, n] = [await resource(), await need(h)];
      return {
        query: `mutation M($n: ID!, $r: ID!, $k: String!) { claimNeed(needRef: $n, resourceId: $r, units: 1, idempotencyKey: $k) { units status } }`,
        variables: { n: gw.pseudonyms.encode(CHARITY, "need", n.id), r: r.id, k: `matrix-claim-${next()}` },
        async check(data) {
          expect(data.claimNeed).toEqual({ units: 1, status: "CLAIMED" });
          expect((await p().charityResource.findUniqueOrThrow({ where: { id: r.id } })).remaining).toBe(4);
          expect((await p().need.findUniqueOrThrow({ where: { id: n.id } })).status).toBe("CLAIMED");
        },
      };
    },
    async recordDelivery(_a, h) {
      const c = await claimed(h);
      return {
        query: `mutation M($c: ID!) { recordDelivery(claimId: $c) { id status } }`,
        variables: { c: c.id },
        async check(data) {
          expect(data.recordDelivery).toEqual({ id: c.id, status: "DELIVERED" });
          expect((await p().need.findUniqueOrThrow({ where: { id: c.needId } })).status).toBe("MET");
        },
      };
    },
    async cancelClaim(_a, h) {
      const c = await claimed(h);
      return {
        query: `mutation M($c: ID!) { cancelClaim(claimId: $c) { id status } }`,
        variables: { c: c.id },
        async check(data) {
          expect(data.cancelClaim).toEqual({ id: c.id, status: "CANCELLED" });
          expect((await p().charityResource.findUniqueOrThrow({ where: { id: c.resourceId } })).remaining).toBe(5);
        },
      };
    },
    async recordNeed(_a, h) {
      const note = `矩阵备注 ${next()}`;
      return {
        query: `mutation M($input: RecordNeedInput!) { recordNeed(input: $input) { category origin status } }`,
        variables: { input: { householdId: h.id, category: "OTHER", urgency: "LOW", note } },
        async check(data) {
          expect(data.recordNeed).toEqual({ category: "OTHER", origin: "MANUAL", status: "OPEN" });
          expect(await p().need.count({ where: { householdId: h.id, note } })).toBe(1);
        },
      };
    },
    async closeNeed(_a, h) {
      const n = await need(h);
      return {
        query: `mutation M($id: ID!) { closeNeed(id: $id) { id status } }`,
        variables: { id: n.id },
        async check(data) {
          expect(data.closeNeed).toEqual({ id: n.id, status: "CLOSED" });
          expect((await p().need.findUniqueOrThrow({ where: { id: n.id } })).status).toBe("CLOSED");
        },
      };
    },
    async recordContactConsent(_a, h) {
      await p().contactConsent.updateMany({ where: { householdId: h.id, charityId: CHARITY_OTHER, revokedAt: null }, data: { revokedAt: NOW, revokedBy: "matrix" } });
      return {
        query: `mutation M($h: ID!, $c: ID!) { recordContactConsent(householdId: $h, charityId: $c) { revokedAt } }`,
        variables: { h: h.id, c: CHARITY_OTHER },
        async check(data) {
          expect(data.recordContactConsent).toEqual({ revokedAt: null });
          expect(await p().contactConsent.count({ where: { householdId: h.id, charityId: CHARITY_OTHER, revokedAt: null } })).toBe(1);
        },
      };
    },
    async revokeContactConsent(_a, h) {
      if (!(await p().contactConsent.count({ where: { householdId: h.id, charityId: CHARITY_OTHER, revokedAt: null } })))
        await p().contactConsent.create({ data: { householdId: h.id, charityId: CHARITY_OTHER, recordedBy: "matrix" } });
      return {
        query: `mutation M($h: ID!, $c: ID!) { revokeContactConsent(householdId: $h, charityId: $c) { revokedAt } }`,
        variables: { h: h.id, c: CHARITY_OTHER },
        async check(data) {
          expect(data.revokeContactConsent.revokedAt).toBe(NOW.toISOString());
          expect(await p().contactConsent.count({ where: { householdId: h.id, charityId: CHARITY_OTHER, revokedAt: null } })).toBe(0);
        },
      };
    },
    async refreshDerivedNeeds(_a, h) {
      // a derived need of the street, removed: the derivation finds it again under the same key (one found from
      // registry facts alone, so that a department system failing under the matrix's load cannot hide it)
      const gone = await p().need.findFirst({ where: { streetCode: h.streetCode, origin: "DERIVED", status: "OPEN", rule: { in: ["WINTER_VULNERABLE", "CARE_ELDERLY"] } }, orderBy: { id: "asc" } });
      if (gone) await p().need.delete({ where: { id: gone.id } });
      return {
        query: `mutation M($street: String!) { refreshDerivedNeeds(street: $street) { streetCode origin } }`,
        variables: { street: h.streetCode },
        async check(data) {
          expect(gone, "the street has an open derived need to remove").not.toBeNull();
          expect(data.refreshDerivedNeeds).toContainEqual({ streetCode: h.streetCode, origin: "DERIVED" });
          expect(await p().need.count({ where: { derivationKey: gone!.derivationKey } })).toBe(1);
        },
      };
    },
  };
}

describe("mutations", () => {
  let seq = 100;
  /** leads the dismissLead calls took */
  const dismissedHere = new Set<string>();
  const counts = async () => {
    const p = gw.db.prisma;
    return {
      household: await p.household.count(),
      person: await p.person.count(),
      income: await p.income.count(),
      asset: await p.asset.count(),
      case: await p.assistanceCase.count(),
      aid: await p.aidRecord.count(),
      temporaryAid: await p.temporaryAidApplication.count(),
    };
  };
  const CALLS: Record<string, MutationCall> = {
    async registerHousehold(_audience, h) {
      const idNumber = makeIdNumber(h.districtCode, "1980-05-06", seq++ % 1000);
      return {
        query: `mutation M($input: RegisterHouseholdInput!) { registerHousehold(input: $input) { streetCode members { idNumber } } }`,
        variables: {
          input: {
            districtCode: h.districtCode,
            streetCode: h.streetCode,
            address: "重庆市渝中区测试路1号",
            hukou: "URBAN",
            members: [{ idNumber, name: "测试人", relation: "HEAD", workAbility: "FULL", selfCare: "FULL" }],
          },
        },
        async check(data) {
          expect(data.registerHousehold).toEqual({ streetCode: h.streetCode, members: [{ idNumber }] });
          expect(await gw.db.prisma.person.count({ where: { idNumber } })).toBe(1);
        },
      };
    },
    async updateHousehold(audience, h) {
      const current = await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id } });
      const phone = `139${String(seq++).padStart(8, "0")}`;
      return {
        query: `mutation M($id: ID!, $version: Int!, $input: UpdateHouseholdInput!) { updateHousehold(id: $id, version: $version, input: $input) { phone version } }`,
        variables: { id: householdRef(audience, h.id), version: current.version, input: { phone } },
        async check(data) {
          expect(data.updateHousehold).toEqual({ phone, version: current.version + 1 });
          expect((await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id } })).phone).toBe(phone);
        },
      };
    },
    async recordTemporaryAidApplication(_audience, h) {
      // a grant: it retains nothing (003 §5 retains refusals), so the household's computed fields stay as the truth has them
      const amountFen = 100_000 + seq++;
      return {
        query: `mutation M($input: TemporaryAidApplicationInput!) { recordTemporaryAidApplication(input: $input) { kind status amountFen } }`,
        variables: { input: { householdId: h.id, kind: "EMERGENCY", appliedOn: "2026-10-01", status: "GRANTED", decidedOn: "2026-10-10", amountFen } },
        async check(data) {
          expect(data.recordTemporaryAidApplication).toEqual({ kind: "EMERGENCY", status: "GRANTED", amountFen });
          expect(await gw.db.prisma.temporaryAidApplication.count({ where: { householdId: h.id, amountFen } })).toBe(1);
        },
      };
    },
    ...matchingCalls(() => seq++),
    ...alertCalls(),
    // a lead of the latest run no one dismissed, in the audience's jurisdiction (a street office: one with its street,
    // the token minted for that street), taken from the end of the id order; the mutations run after every cell
    async dismissLead(audience) {
      const raw = async (id: string) => (await gw.db.sql.query<Record<string, any>>(`SELECT dismissed_at, dismissed_by, dismiss_reason FROM monitoring_lead WHERE id = $1`, [id]))[0];
      const open = async () => {
        // (a street office: a lead of a registry street, which has other open leads for the check below)
        const streets = new Set(households.map((x) => x.streetCode));
        const ids = leadRows.filter((l) => l.gone_run === null && (audience !== "street_office" || streets.has(l.street_code))).map((l) => l.id as string).reverse();
        for (const id of ids) if (!dismissedHere.has(id) && (await raw(id)).dismissed_at === null) return leadRows.find((l) => l.id === id)!;
        throw new Error(`no undismissed lead left for ${audience}`);
      };
      const allowed = POLICY.Mutation.dismissLead[audience] !== undefined && audience !== "auditor";
      const lead = allowed ? await open() : leadRows.at(-1)!;
      if (allowed) dismissedHere.add(lead.id);
      const as = audience === "street_office" ? households.find((x) => x.streetCode === lead.street_code) : undefined;
      if (audience === "street_office" && !as) throw new Error(`no registry household in the street of lead ${lead.id}`);
      return {
        query: `mutation M($id: ID!) { dismissLead(id: $id, reason: "matrix") { id dismissReason } }`,
        variables: { id: lead.id },
        as,
        async check(data) {
          expect(data.dismissLead).toEqual({ id: lead.id, dismissReason: "matrix" });
          const row = await raw(lead.id);
          expect(row.dismissed_at).not.toBeNull();
          expect(row.dismiss_reason).toBe("matrix");
          if (audience !== "street_office") return;
          // the office of another street (one without leads) lists none of them, and cannot dismiss an open one: not found, still open
          const other = leadRows.find((l) => l.gone_run === null && l.street_code === lead.street_code && !dismissedHere.has(l.id) && l.dismissed_at === null);
          expect(other, "another open lead of the street").toBeDefined();
          const elsewhere = { districtCode: as!.districtCode, streetCode: `${lead.street_code.slice(0, 6)}999` };
          expect(leadRows.some((l) => l.street_code === elsewhere.streetCode)).toBe(false);
          const res = await gw.gql(`mutation M($id: ID!) { dismissLead(id: $id, reason: "matrix") { id } }`, { id: other!.id }, asFor("street_office", elsewhere));
          expect(res.errors?.map((e) => e.extensions?.code)).toEqual(["NOT_FOUND"]);
          expect((await raw(other!.id)).dismissed_at).toBeNull();
          const listed = await gw.gql(`{ leads(first: ${LEADS_PAGE}, filter: { includeDismissed: true }) { nodes { id } } }`, {}, asFor("street_office", elsewhere));
          expect(listed.errors).toBeUndefined();
          expect(listed.data.leads.nodes).toEqual([]);
        },
      };
    },
  };

  test("every mutation of POLICY has a way to call it here", () => {
    expect(Object.keys(CALLS).sort()).toEqual(Object.keys(POLICY.Mutation).sort());
  });

  for (const audience of AUDIENCES)
    for (const mutation of Object.keys(POLICY.Mutation)) {
      const allowed = POLICY.Mutation[mutation][audience] !== undefined && audience !== "auditor";
      test(`${audience} × Mutation.${mutation} → ${allowed ? "succeeds" : audience === "auditor" ? "FORBIDDEN (read-only)" : "FORBIDDEN"}`, async () => {
        const h = households[households.length - 1];
        const call = await CALLS[mutation](audience, h);
        const before = await counts();
        const row = await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id } });
        const res = await gw.gql(call.query, call.variables, asFor(audience, call.as ?? h));
        if (allowed) {
          expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
          await call.check(res.data);
          return;
        }
        expect(res.status).toBe(403);
        expect(res.data ?? null).toBeNull();
        expect(res.errors).toHaveLength(1);
        const e = res.errors![0];
        expect(e.extensions).toMatchObject({ code: "FORBIDDEN", reason: audience === "auditor" ? "READ_ONLY_AUDIENCE" : "MUTATION_NOT_ALLOWED" });
        if (audience === "auditor") expect(e.message).toMatch(/read-only/);
        else expect(e.message).toContain(`Mutation.${mutation}`);
        expect(await counts()).toEqual(before);
        expect(await gw.db.prisma.household.findUniqueOrThrow({ where: { id: h.id } })).toEqual(row);
      });
    }
});

// ------------------------------------------------------------------------------------------------

test("the upstream behind a denied field is never called: education asking for medicalInsurance makes no request to the medical system", async () => {
  const stats = async () => (await (await fetch(`${gw.sandboxes!.urls.medicalInsurance}/__sandbox/stats`)).json()) as { requests: number };
  const h = households.find((x) => !failing.has(x.id) && (truths.get(x.id)!.members as Raw[]).some((m) => m.medicalInsurance !== null))!;
  const query = `query($id: ID!) { household(id: $id) { members { name medicalInsurance { tier seriousDisease } } } }`;

  const before = (await stats()).requests;
  const res = await gw.gql(query, { id: h.id }, asFor("education", h));
  expect((await stats()).requests).toBe(before);
  const members = res.data.household.members as Raw[];
  expect(members.length).toBeGreaterThan(0);
  for (const m of members) expect(m.medicalInsurance).toBeNull();
  expect(res.errors).toHaveLength(members.length);
  for (const [i, e] of res.errors!.entries())
    expect(e).toMatchObject({ path: ["household", "members", i, "medicalInsurance"], extensions: { code: "FORBIDDEN" } });

  // the control: an audience that may read it does reach the medical system with the same query
  const control = await gw.gql(query, { id: h.id }, asFor("civil_affairs", h));
  expect(control.errors).toBeUndefined();
  expect((await stats()).requests).toBeGreaterThan(before);
});

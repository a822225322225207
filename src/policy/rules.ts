/**
 * THE FIELD POLICY — who may read which field. Reviewable data, nothing else.
 *
 * Every (type, field) of the schema has a rule; a field without one is readable by no one, and a test
 * fails when the schema gains a field without a rule. For each audience a rule says:
 *   "read"           the value as it is
 *   { mask: kind }   a masked value (src/policy/masks.ts): idNumber, name, phone, address, amountBand, year,
 *                    pseudonym (a per-charity reference, stable for that charity, unlinkable across charities)
 *   "consent"        read only where the household consented to contact (else null, no error)
 *   absent           nothing: the field resolves to null with a FORBIDDEN error at its path
 *                    (an operation or mutation field: the whole operation is refused)
 * The README's policy table is generated from this file (npm run policy:table).
 *
 * Responsibilities (DOMAIN.md §2, §5): civil affairs and street offices run the registry and see it
 * whole within their jurisdiction; each department sees its own records plus the registry fields it
 * needs to act; education never sees diagnoses, medical insurance never sees school records; charities
 * see needs, not identities; auditors read widely (read-only, purpose-bound).
 */
import type { Audience } from "./audiences.js";
import type { MaskKind } from "./masks.js";

export type Access = "read" | "consent" | { mask: MaskKind };
export type FieldRule = Partial<Record<Audience, Access>>;
export type PolicyRules = Record<string, Record<string, FieldRule>>;

// Audience groups, to keep the table readable.
const REGISTRY_KEEPERS = ["civil_affairs", "street_office", "auditor"] as const; // the registry, whole
const DEPARTMENTS = ["education", "employment", "housing", "medical_insurance", "disability", "health"] as const;
const ALL_OFFICIAL = [...REGISTRY_KEEPERS, ...DEPARTMENTS] as const;

function rule(...parts: [readonly Audience[] | Audience, Access][]): FieldRule {
  const r: FieldRule = {};
  for (const [who, access] of parts) for (const a of typeof who === "string" ? [who] : who) r[a] = access;
  return r;
}
const read = (who: readonly Audience[] | Audience): [readonly Audience[] | Audience, Access] => [who, "read"];
const mask = (who: readonly Audience[] | Audience, kind: MaskKind): [readonly Audience[] | Audience, Access] => [who, { mask: kind }];

const everyone = rule(read(ALL_OFFICIAL), read("charity"));
// What a charity reads of a household is what matching needs (DOMAIN.md §5: needs, not identities): the
// street, the tier, the needs — never members, names, birth dates, ages, sex, relations, incomes, the
// address or the registry number; a contact name and phone only where the household consented to it.
const officialsAndCharityConsent = rule(read(ALL_OFFICIAL), ["charity", "consent"]);
const officials = rule(read(ALL_OFFICIAL));
const keepers = rule(read(REGISTRY_KEEPERS));

/** Every field of a department record type readable by exactly those who may read the record. */
function recordType(fields: string[], r: FieldRule): Record<string, FieldRule> {
  return Object.fromEntries(fields.map((f) => [f, r]));
}

// Who may read each department's record (the Person/Household field that leads to it).
const EDUCATION_READERS = rule(read([...REGISTRY_KEEPERS, "education", "disability"]));
const EMPLOYMENT_READERS = rule(read([...REGISTRY_KEEPERS, "employment", "disability"]));
const HOUSING_READERS = rule(read([...REGISTRY_KEEPERS, "housing"]));
// Diagnoses: not for education, employment, housing or charities. Street offices take and investigate
// applications (seed 000 四(一), 002 #29–30): within their street they read what they investigate — the
// reasons and inputs of every rule, medical and disability facts included (issue 12).
const MEDICAL_READERS = rule(read(["civil_affairs", "street_office", "auditor", "medical_insurance", "health"]));
const DISABILITY_READERS = rule(read([...REGISTRY_KEEPERS, "disability", "education", "employment", "health"]));
// Charity matching (issue 7): the registry keepers and charities; departments have no part in it.
// A charity sees needs, never identities: needs carry category, urgency, street, tier, age band — and
// its own pseudonymous references (nd_… for the need, hh_… for the household).
const MATCHING = rule(read(REGISTRY_KEEPERS), read("charity"));
const ROW_WRITERS = rule(read(["civil_affairs", "street_office"]));

const ALERT_HANDLERS = rule(read(["civil_affairs", "street_office", "education", "employment", "housing", "medical_insurance", "disability"]));
const AID_LINK_FIELDS = ["id", "department", "program", "purpose", "personId", "periodStart", "periodEnd", "periodBasis", "amountFen", "monthly", "benefit", "basisFen", "ratio", "status", "source", "districtCode", "asOf", "stale"];

/**
 * Federation entities (src/graphql/subgraph.ts): `_entities` resolves a representation of type T only for the
 * audiences that may call the root field that looks T up, with that field's scope and checks (a charity
 * resolves no Person, as it may not call `person`).
 */
export const ENTITY_LOOKUP = { Household: "household", Person: "person" } as const;

export const POLICY: PolicyRules = {
  Query: {
    // a charity looks up only a household behind a need it claimed or one that matches one of its
    // resources (resolvers/household.ts; any other reference is NOT_FOUND) — and lists none
    household: everyone,
    households: officials,
    person: officials, // a lookup by ID number is an identity lookup: not for charities
    policyParameters: everyone,
    // Apollo Federation (issue 17): a router's entry points. `_service` hands out the subgraph SDL (what the
    // checked-in schema already shows); `_entities` looks each entity up as ENTITY_LOOKUP says, and every field
    // of it is decided by its type's rules below, exactly as through `household` / `person`.
    _service: everyone,
    _entities: everyone,
    // a trial calculation over typed-in facts (issue 5): the caseworkers who take applications
    assessEligibility: rule(read(["civil_affairs", "street_office"])),
    needs: MATCHING, // a charity: open needs in the districts it serves
    resources: MATCHING, // a charity: its own and shared ones
    myClaims: rule(read("charity")),
    charities: keepers,
    // the access log and audit findings: auditors only (DOMAIN.md §4, §5); their own reads are recorded too
    accessLog: rule(read("auditor")),
    auditFindings: rule(read("auditor")),
    // the alert sweep (issue 5): officials; each sees only alerts whose evidence it may read (src/features/aid-chain/monitoring.ts)
    alerts: officials,
  },
  Mutation: {
    registerHousehold: rule(read(["civil_affairs", "street_office"])),
    updateHousehold: rule(read(["civil_affairs", "street_office"])),
    registerCharity: rule(read("civil_affairs")),
    suspendCharity: rule(read("civil_affairs")),
    createResource: rule(read("charity")),
    updateResource: rule(read("charity")),
    closeResource: rule(read("charity")),
    claimNeed: rule(read("charity")),
    recordDelivery: rule(read("charity")),
    cancelClaim: rule(read("charity")),
    recordNeed: ROW_WRITERS,
    closeNeed: ROW_WRITERS,
    recordContactConsent: ROW_WRITERS,
    revokeContactConsent: ROW_WRITERS,
    refreshDerivedNeeds: ROW_WRITERS,
    // alert handling (DOMAIN.md §3): civil affairs and street offices; a department may acknowledge and
    // resolve an alert pushed to it (checked per alert in resolvers/alerts.ts), never push one on
    acknowledgeAlert: ALERT_HANDLERS,
    pushAlert: rule(read(["civil_affairs", "street_office"])),
    resolveAlert: ALERT_HANDLERS,
    // temporary aid 临时救助 (issue 13, 003 §5): the registry's writers, within their jurisdiction
    recordTemporaryAidApplication: ROW_WRITERS,
  },

  Household: {
    id: rule(read(ALL_OFFICIAL), mask("charity", "pseudonym")),
    registryNo: officials,
    districtCode: everyone,
    streetCode: everyone,
    street: everyone,
    address: rule(read([...REGISTRY_KEEPERS, "housing"]), mask(["education", "employment", "medical_insurance", "disability", "health"], "address")),
    hukou: officials,
    status: officials,
    phone: rule(read([...REGISTRY_KEEPERS, "housing", "disability", "health"]), mask(["education", "employment", "medical_insurance"], "phone"), ["charity", "consent"]),
    contactConsent: everyone,
    contactName: officialsAndCharityConsent,
    version: rule(read(["civil_affairs", "street_office", "auditor"])),
    createdAt: officials,
    updatedAt: officials,
    members: officials,
    incomes: rule(read([...REGISTRY_KEEPERS, "housing"])),
    assets: keepers,
    cases: officials,
    currentCase: everyone,
    aidRecords: keepers,
    housing: HOUSING_READERS,
    eligibility: everyone, // charities: the tier only (see Eligibility)
    needs: MATCHING,
    contactConsents: keepers,
    // the aid chain and alerts (issue 5): officials; their content is cut to the sources the audience may
    // read (a link, gap, duplicate or alert with evidence from another source is left out)
    aidChain: officials,
    alerts: officials,
    alertCompleteness: officials,
    // temporary-aid applications and decisions: the registry keepers (departments and charities have no part in them)
    temporaryAidApplications: keepers,
  },

  // Persons: officials only (a charity reaches no person: Household.members and Query.person are not its)
  Person: {
    id: officials,
    idNumber: rule(read([...REGISTRY_KEEPERS, "education", "employment", "medical_insurance", "disability"]), mask(["housing", "health"], "idNumber")),
    name: officials,
    sex: officials,
    birthDate: officials,
    age: officials,
    relation: officials,
    workAbility: officials,
    selfCare: officials,
    household: officials,
    education: EDUCATION_READERS,
    employment: EMPLOYMENT_READERS,
    medicalInsurance: MEDICAL_READERS,
    disability: DISABILITY_READERS,
  },

  Income: {
    id: keepers,
    source: rule(read([...REGISTRY_KEEPERS, "housing"])),
    monthlyFen: rule(read([...REGISTRY_KEEPERS, "housing"])),
    validFrom: rule(read([...REGISTRY_KEEPERS, "housing"])),
    validTo: rule(read([...REGISTRY_KEEPERS, "housing"])),
  },
  Asset: recordType(["id", "kind", "valueFen", "description"], keepers),
  AssistanceCase: {
    id: officials,
    tier: everyone,
    tierClass: everyone,
    status: everyone,
    startDate: officials,
    endDate: officials,
    nextReviewDate: rule(read(REGISTRY_KEEPERS)),
    monthlyFen: rule(read(REGISTRY_KEEPERS), mask(DEPARTMENTS, "amountBand")),
    note: keepers,
  },
  TemporaryAidApplication: recordType(["id", "personId", "kind", "appliedOn", "status", "decidedOn", "amountFen", "reason", "recordedAt"], keepers),
  AidRecord: recordType(["id", "program", "amountFen", "periodStart", "periodEnd", "paidAt", "idempotencyKey"], keepers),
  Street: recordType(["code", "districtCode", "name"], everyone),
  HouseholdConnection: recordType(["edges", "pageInfo", "totalCount"], officials),
  HouseholdEdge: recordType(["cursor", "node"], officials),
  PageInfo: recordType(["hasNextPage", "endCursor"], everyone),
  PolicyParameter: recordType(["key", "value", "unit", "regionCode", "effectiveFrom", "effectiveTo", "source"], everyone),

  // Explainable eligibility (issue 5, DOMAIN.md §5): charities see at most the tier; departments see the tier,
  // the entitlements and the reasons — inside reasons and entitlements, values from a record an audience may
  // not read are withheld by the resolver layer (src/policy/disclosure.ts); income per capita and the
  // re-certification date as the registry fields they come from.
  Eligibility: {
    ...recordType(
      ["complete", "sources", "standardFen", "marginalLimitFen", "gradualExitEnds", "entitlements", "reasons", "parametersUsed"],
      officials,
    ),
    // The computed tier is a decision over every record of the household (issue 12): disclosed as it is only to
    // audiences that read them all (the registry keepers); for others Eligibility.tier is WITHHELD
    // (src/policy/noninterference.ts), and the tier class and per-person tiers are not theirs at all.
    tierClass: keepers,
    persons: keepers,
    asOf: everyone,
    tier: everyone,
    incomePerCapitaFen: rule(read([...REGISTRY_KEEPERS, "housing"])),
    nextRecertification: rule(read(REGISTRY_KEEPERS)),
    // non-null, so every audience that reaches Eligibility reads it (a yes/no, not the date)
    overdue: everyone,
  },
  EligibilitySource: recordType(["source", "answered", "stale"], officials),
  PersonEligibility: recordType(["personId", "tier", "reason"], keepers),
  Entitlement: recordType(["kind", "department", "personId", "amountFen", "monthly", "ratio", "rule", "reference", "withheld", "status", "missing", "provisional"], officials),
  RuleEvaluation: recordType(["rule", "reference", "outcome", "explanation", "personId", "withheld", "inputs"], officials),
  RuleInput: recordType(["name", "value", "source", "asOf", "withheld"], officials),

  // Charity matching (issue 7)
  Need: {
    ...recordType(
      ["category", "urgency", "origin", "status", "districtCode", "streetCode", "street", "tier", "ageBand", "disability", "since", "reason", "matches", "claims"],
      MATCHING,
    ),
    id: rule(read(REGISTRY_KEEPERS), mask("charity", "pseudonym")),
    householdRef: rule(read(REGISTRY_KEEPERS), mask("charity", "pseudonym")),
    // the phone: a charity only where the household consented to that charity
    contact: rule(read(REGISTRY_KEEPERS), ["charity", "consent"]),
    contactName: rule(read(REGISTRY_KEEPERS), ["charity", "consent"]),
    rule: keepers,
    note: keepers, // free text by the street office: may name people
    recordedBy: keepers,
  },
  NeedConnection: recordType(["edges", "pageInfo", "totalCount"], MATCHING),
  NeedEdge: recordType(["cursor", "node"], MATCHING),
  NeedMatch: recordType(["need", "resource", "score", "parts"], MATCHING),
  ScorePart: recordType(["part", "points", "max", "explanation"], MATCHING),
  Resource: recordType(
    ["id", "charity", "category", "title", "unit", "quantity", "remaining", "districts", "streets", "tiers", "minAge", "maxAge", "disabilityRequired",
     "shared", "validFrom", "validTo", "status", "createdAt", "matches"],
    MATCHING,
  ),
  Charity: recordType(["id", "name", "registrationNo", "districts", "status"], MATCHING),
  Claim: recordType(
    ["id", "need", "resource", "charity", "units", "status", "idempotencyKey", "claimedAt", "deliveredAt", "cancelledAt"],
    MATCHING,
  ),
  ContactConsent: recordType(["id", "charity", "recordedBy", "recordedAt", "revokedAt", "revokedBy"], keepers),

  // The audit trail (issue 6): read by auditors only.
  AccessRecord: recordType(
    ["seq", "at", "requestId", "subject", "audience", "jurisdiction", "purpose", "charityId", "operationType", "operationName", "documentHash",
     "variablesHash", "fields", "classes", "householdIds", "personIds", "outcome", "errorCodes", "changes", "prevHash", "hash"],
    rule(read("auditor")),
  ),
  AccessRecordConnection: recordType(["edges", "pageInfo", "totalCount"], rule(read("auditor"))),
  AccessRecordEdge: recordType(["cursor", "node"], rule(read("auditor"))),
  FieldDisclosure: recordType(["coordinate", "disclosure"], rule(read("auditor"))),
  AuditChange: recordType(["path", "before", "after"], rule(read("auditor"))),
  AuditFinding: recordType(
    ["id", "kind", "householdId", "personId", "districtCode", "streetCode", "periodStart", "periodEnd", "amountFen", "paymentIds", "caseId", "reason", "evidence"],
    rule(read("auditor")),
  ),
  AuditFindingConnection: recordType(["edges", "pageInfo", "totalCount"], rule(read("auditor"))),
  AuditFindingEdge: recordType(["cursor", "node"], rule(read("auditor"))),
  FindingEvidence: recordType(["name", "value"], rule(read("auditor"))),

  Education: recordType(["source", "asOf", "stale", "stage", "schoolName", "schoolCode", "hardshipStudent", "term", "aid", "necessaryExpenseFen"], EDUCATION_READERS),
  EducationAid: recordType(["item", "term", "amountFen"], EDUCATION_READERS),
  Employment: recordType(
    ["source", "asOf", "stale", "status", "registeredUnemployedSince", "publicWelfarePost", "trainings", "dibaoEmploymentSubsidy"],
    EMPLOYMENT_READERS,
  ),
  Training: recordType(["course", "completedOn"], EMPLOYMENT_READERS),
  EmploymentSubsidy: recordType(["monthlyFen", "from", "to"], EMPLOYMENT_READERS),
  Housing: recordType(["source", "asOf", "stale", "benefits"], HOUSING_READERS),
  HousingBenefit: recordType(["type", "status", "monthlyRentFen", "monthlySubsidyFen", "grantFen", "startDate", "endDate"], HOUSING_READERS),
  MedicalInsurance: recordType(
    ["source", "asOf", "stale", "tier", "premiumSubsidyRatio", "premiumSubsidyFen", "inPolicyExpenseFen", "outOfPocketFen", "medicalAidPaidFen", "seriousDisease", "chronicDisease", "year"],
    MEDICAL_READERS,
  ),
  Disability: {
    ...recordType(
      ["source", "asOf", "stale", "category", "grade", "severe", "livingSubsidyFen", "nursingSubsidyFen", "rehabilitation", "certificateStatus"],
      DISABILITY_READERS,
    ),
    // The certificate number embeds the ID number: masked like it for those who see the ID number masked.
    certificateNo: rule(read([...REGISTRY_KEEPERS, "disability", "education", "employment"]), mask("health", "idNumber")),
  },

  // The aid chain and alerts (issue 5, DOMAIN.md §3): officials, content cut per source (see Household.aidChain).
  AidChain: recordType(["asOf", "complete", "failedSources", "links", "householdLinks", "persons", "gaps", "duplicates", "incomplete", "unverified", "staleRecords"], officials),
  AidUnverifiedEntitlement: recordType(["key", "kind", "department", "missing", "rule", "reference"], officials),
  StaleRecord: recordType(["source", "personId", "asOf", "period", "parameter", "reason"], officials),
  AidLink: {
    ...recordType(AID_LINK_FIELDS, officials),
    // an ID number or a certificate number (which embeds it): masked for those who see ID numbers masked
    sourceRecordId: rule(read([...REGISTRY_KEEPERS, "education", "employment", "housing", "medical_insurance", "disability"]), mask("health", "idNumber")),
  },
  PersonAidChain: recordType(["personId", "links", "gaps", "duplicates"], officials),
  AidGap: recordType(
    ["key", "kind", "personId", "department", "shortfall", "reason", "rule", "reference", "entitledAmountFen", "entitledRatio", "sources", "links"],
    officials,
  ),
  AidDuplicate: recordType(["key", "kind", "purpose", "personId", "payers", "overlapStart", "overlapEnd", "reason", "links"], officials),
  AidIncompleteCheck: recordType(["kind", "personId", "department", "source", "code"], officials),
  Alert: recordType(
    ["key", "kind", "class", "severity", "department", "householdId", "personId", "message", "reference", "evidence", "status", "pushedTo", "history"],
    officials,
  ),
  AlertEvidence: recordType(["name", "value", "source", "asOf"], officials),
  AlertActionEntry: recordType(["action", "department", "note", "actorSubject", "actorAudience", "at"], officials),
  AlertPage: recordType(["alerts", "householdsScanned", "pageInfo", "complete", "failedSources", "incompleteHouseholds"], officials),
  AlertCompleteness: recordType(["complete", "failedSources", "staleSources"], officials),
  // the subgraph SDL (Query._service)
  _Service: { sdl: everyone },
};

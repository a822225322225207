/**
 * Sensitive classes: what kind of personal data a field discloses, for the access log (issue 12). Next to
 * the field policy (src/policy/rules.ts) and as reviewable: an auditor asks the log "who saw ID numbers"
 * (accessLog(filter: { class: ID_NUMBER })) and finds every record whose operation disclosed one, read
 * or masked, through whichever field.
 *
 *   direct   a field that holds such data (Person.idNumber, MedicalInsurance.seriousDisease, ...): its classes
 *   derived  a field whose value is computed from or quotes records (a rule input's value, an explanation,
 *            an alert's message and evidence, an aid link's amounts, an audit finding's evidence): the classes
 *            of every record it may draw on *that the audience may read* — the withholding layer
 *            (src/policy/disclosure.ts, src/features/aid-chain/monitoring.ts) keeps the others out of it
 * A coordinate read or masked counts (a mask still discloses part: an amount band, a year, a street);
 * a pseudonym (a per-charity reference) and a denied field do not.
 */
import type { Audience } from "./audiences.js";
import { accessFor } from "./plan.js";
import { POLICY } from "./rules.js";

export const SENSITIVE_CLASSES = [
  "ID_NUMBER",
  "NAME",
  "CONTACT",
  "ADDRESS",
  "BIRTH_DATE",
  "REGISTRY_NUMBER",
  "DIAGNOSIS",
  "MEDICAL",
  "DISABILITY",
  "INCOME",
  "ASSETS",
  "EDUCATION",
  "EMPLOYMENT",
  "HOUSING",
  "ASSISTANCE",
] as const;
export type SensitiveClass = (typeof SENSITIVE_CLASSES)[number];

/** Every field of these types discloses these classes (unless FIELD_CLASSES says otherwise). */
export const TYPE_CLASSES: Record<string, SensitiveClass[]> = {
  MedicalInsurance: ["MEDICAL"],
  Disability: ["DISABILITY"],
  Education: ["EDUCATION"],
  EducationAid: ["EDUCATION"],
  Employment: ["EMPLOYMENT"],
  Training: ["EMPLOYMENT"],
  EmploymentSubsidy: ["EMPLOYMENT"],
  Housing: ["HOUSING"],
  HousingBenefit: ["HOUSING"],
  Income: ["INCOME"],
  Asset: ["ASSETS"],
  AidRecord: ["ASSISTANCE"],
  TemporaryAidApplication: ["ASSISTANCE"],
};

/** Fields that hold such data themselves. */
export const FIELD_CLASSES: Record<string, SensitiveClass[]> = {
  "Person.idNumber": ["ID_NUMBER"],
  "Person.name": ["NAME"],
  "Person.birthDate": ["BIRTH_DATE"],
  "Household.registryNo": ["REGISTRY_NUMBER"],
  "Household.address": ["ADDRESS"],
  "Household.phone": ["CONTACT"],
  "Household.contactName": ["NAME", "CONTACT"],
  "Need.contact": ["CONTACT"],
  "Need.contactName": ["NAME", "CONTACT"],
  "MedicalInsurance.seriousDisease": ["MEDICAL", "DIAGNOSIS"],
  "MedicalInsurance.chronicDisease": ["MEDICAL", "DIAGNOSIS"],
  // the certificate number embeds the ID number
  "Disability.certificateNo": ["DISABILITY", "ID_NUMBER"],
  // the record's key in its source: an ID number, a certificate number or a registry number
  "AidLink.sourceRecordId": ["ID_NUMBER", "REGISTRY_NUMBER"],
  "AssistanceCase.monthlyFen": ["ASSISTANCE"],
  "Eligibility.incomePerCapitaFen": ["INCOME"],
};

/** The records a derived value may draw on, by the field each is read through, and their classes. */
export const BASIS_CLASSES: Record<string, SensitiveClass[]> = {
  "Person.medicalInsurance": ["MEDICAL", "DIAGNOSIS"],
  "Person.disability": ["DISABILITY"],
  "Person.education": ["EDUCATION"],
  "Person.employment": ["EMPLOYMENT"],
  "Household.housing": ["HOUSING"],
  "Household.incomes": ["INCOME"],
  "Household.assets": ["ASSETS"],
  "Household.aidRecords": ["ASSISTANCE"],
  "Household.temporaryAidApplications": ["ASSISTANCE"],
};

/** Fields whose value is computed from or quotes records (see BASIS_CLASSES). */
export const DERIVED_FIELDS: readonly string[] = [
  "RuleInput.value",
  "RuleEvaluation.explanation",
  "PersonEligibility.reason",
  "Entitlement.amountFen",
  "AidLink.amountFen",
  "AidLink.basisFen",
  "AidLink.benefit",
  "AidGap.reason",
  "AidGap.entitledAmountFen",
  "AidDuplicate.reason",
  "Alert.message",
  "AlertEvidence.value",
  "Need.reason",
  "AuditFinding.reason",
  "AuditFinding.amountFen",
  "FindingEvidence.value",
];

function readable(audience: Audience, coordinate: string): boolean {
  const [type, field] = coordinate.split(".");
  return accessFor(POLICY, type, field, audience) === "read";
}

/** The classes one coordinate discloses to an audience when read or masked. */
export function classesOf(coordinate: string, audience: Audience): SensitiveClass[] {
  const out = new Set<SensitiveClass>(FIELD_CLASSES[coordinate] ?? TYPE_CLASSES[coordinate.split(".")[0]] ?? []);
  if (DERIVED_FIELDS.includes(coordinate))
    for (const [basis, classes] of Object.entries(BASIS_CLASSES)) if (readable(audience, basis)) for (const c of classes) out.add(c);
  return [...out];
}

/** The classes a disclosed (read or masked) coordinate adds for an audience: fixed by the policy, so remembered. */
const contributions = new Map<string, readonly SensitiveClass[]>();
function contribution(coordinate: string, audience: Audience): readonly SensitiveClass[] {
  const key = `${audience}\u0000${coordinate}`;
  let c = contributions.get(key);
  if (c === undefined) {
    const [type, field] = coordinate.split(".");
    const access = accessFor(POLICY, type, field, audience);
    c = typeof access === "object" && access.mask === "pseudonym" ? [] : classesOf(coordinate, audience);
    // coordinates come from the schema (finite), but bound it anyway
    if (contributions.size < 100_000) contributions.set(key, c);
  }
  return c;
}

/**
 * disclosedClasses of a frozen disclosure object (an operation plan's, shared by every record of the plan: record.ts
 * disclosureOf), per audience: computed once per plan instead of once per request.
 */
const classesOfPlan = new WeakMap<object, Map<Audience, readonly SensitiveClass[]>>();

/** The classes an operation disclosed, from its field disclosures (coordinate → read | masked | denied), sorted. */
export function disclosedClasses(fields: Readonly<Record<string, string>>, audience: Audience): SensitiveClass[] {
  const frozen = Object.isFrozen(fields);
  const known = frozen ? classesOfPlan.get(fields)?.get(audience) : undefined;
  if (known) return [...known];
  const out = new Set<SensitiveClass>();
  for (const [coordinate, how] of Object.entries(fields)) {
    if (how === "denied") continue;
    for (const c of contribution(coordinate, audience)) out.add(c);
  }
  const classes = SENSITIVE_CLASSES.filter((c) => out.has(c));
  if (frozen) {
    let byAudience = classesOfPlan.get(fields);
    if (!byAudience) classesOfPlan.set(fields, (byAudience = new Map()));
    byAudience.set(audience, classes);
  }
  return [...classes];
}

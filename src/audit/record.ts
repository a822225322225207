/**
 * The access record: what one GraphQL operation disclosed, to whom, for what purpose. Pure: built from
 * the principal, the operation plan (src/policy/plan.ts) and what the request collected; no clock, no I/O.
 * Never raw personal data: variables are a keyed digest, changed values are digests unless they are codes.
 */
import type { Jurisdiction, Principal } from "../auth/principal.js";
import type { CanonicalValue } from "./canonical.js";
import { disclosedClasses } from "../policy/classes.js";

export type Disclosure = "read" | "masked" | "denied";
export const OUTCOMES = ["OK", "PARTIAL", "ERROR", "REFUSED"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** One changed value of a mutation: `before`/`after` are codes in clear or `hmac:` digests (null = absent). */
export interface Change {
  path: string;
  before: string | number | boolean | null;
  after: string | number | boolean | null;
}

/** Everything a record says, before it is placed in the chain. */
export interface AuditEntry {
  /** ISO-8601 with milliseconds (UTC): what a timestamptz(3) column gives back unchanged */
  at: string;
  requestId: string;
  subject: string;
  audience: string;
  jurisdiction: string;
  purpose: string | null;
  charityId: string | null;
  operationType: string;
  operationName: string | null;
  documentHash: string;
  variablesHash: string;
  /** field coordinate ("Person.idNumber") → how it was disclosed */
  fields: Record<string, Disclosure>;
  /**
   * the sensitive classes the operation disclosed (ID_NUMBER, DIAGNOSIS, ...: src/policy/classes.ts), sorted;
   * null only in records written before the column existed
   */
  classes: string[] | null;
  /** real ids (also for charities, whose responses carry pseudonyms), sorted, unique */
  households: string[];
  persons: string[];
  outcome: Outcome;
  /** the error codes of the response, sorted, unique */
  errorCodes: string[];
  /** mutations: what changed (null for reads) */
  changes: Change[] | null;
}

/** An entry placed in the chain. */
export interface ChainedRecord extends AuditEntry {
  seq: number;
  prevHash: string;
  hash: string;
  /** how `hash` was computed: 1 unkeyed SHA-256 (records before the keyed chain), 2 HMAC-SHA-256 (src/audit/chain.ts) */
  chainVersion: number;
}

/** The jurisdiction as one stable line: "city:500000", "districts:500103,500120", "streets:500103001". */
export function jurisdictionText(j: Jurisdiction): string {
  if (j.kind === "city") return `city:${j.city}`;
  return j.kind === "districts" ? `districts:${j.districts.join(",")}` : `streets:${j.streets.join(",")}`;
}

export interface PlanCoordinates {
  read: readonly string[];
  masked: readonly { coordinate: string }[];
  denied: readonly { coordinate: string }[];
}

/**
 * Field coordinate → disclosure. A coordinate reached both masked and read cannot happen (access is per coordinate).
 * Frozen: one object per operation plan is shared by every record of that plan (its canonical text is then written once).
 */
export function disclosureOf(plan: PlanCoordinates): Readonly<Record<string, Disclosure>> {
  const fields: Record<string, Disclosure> = {};
  for (const c of plan.read) fields[c] = "read";
  for (const { coordinate } of plan.masked) fields[coordinate] = "masked";
  for (const { coordinate } of plan.denied) fields[coordinate] = "denied";
  return Object.freeze(fields);
}

/** OK: data and no error; PARTIAL: data with errors; ERROR: no data; REFUSED: the operation was not run. */
export function outcomeOf(hasData: boolean, errorCodes: readonly string[], refused: boolean): Outcome {
  if (refused) return "REFUSED";
  if (!hasData) return "ERROR";
  return errorCodes.length ? "PARTIAL" : "OK";
}

const sortedUnique = (xs: Iterable<string>) => [...new Set(xs)].sort();

export interface EntryInput {
  at: Date;
  requestId: string;
  principal: Pick<Principal, "subject" | "audience" | "jurisdiction" | "purpose" | "charityId">;
  operationType: string;
  operationName: string | null;
  documentHash: string;
  variablesHash: string;
  fields: Record<string, Disclosure>;
  households: Iterable<string>;
  persons: Iterable<string>;
  outcome: Outcome;
  errorCodes: Iterable<string>;
  changes: Change[] | null;
}

export function buildEntry(input: EntryInput): AuditEntry {
  const p = input.principal;
  return {
    at: input.at.toISOString(),
    requestId: input.requestId,
    subject: p.subject,
    audience: p.audience,
    jurisdiction: jurisdictionText(p.jurisdiction),
    purpose: p.purpose,
    charityId: p.charityId,
    operationType: input.operationType,
    operationName: input.operationName,
    documentHash: input.documentHash,
    variablesHash: input.variablesHash,
    fields: input.fields,
    classes: disclosedClasses(input.fields, p.audience),
    households: sortedUnique(input.households),
    persons: sortedUnique(input.persons),
    outcome: input.outcome,
    errorCodes: sortedUnique(input.errorCodes),
    changes: input.changes,
  };
}

/** The canonical form of a record's content (hash input besides the previous hash). */
export function canonicalBody(seq: number, e: AuditEntry): CanonicalValue {
  return {
    seq,
    at: e.at,
    requestId: e.requestId,
    subject: e.subject,
    audience: e.audience,
    jurisdiction: e.jurisdiction,
    purpose: e.purpose,
    charityId: e.charityId,
    operationType: e.operationType,
    operationName: e.operationName,
    documentHash: e.documentHash,
    variablesHash: e.variablesHash,
    fields: e.fields,
    // records before the column have no classes and were hashed without the key; every later one has it
    ...(e.classes !== null && e.classes !== undefined && { classes: e.classes }),
    households: e.households,
    persons: e.persons,
    outcome: e.outcome,
    errorCodes: e.errorCodes,
    changes: e.changes ? e.changes.map((c) => ({ path: c.path, before: c.before, after: c.after })) : null,
  };
}

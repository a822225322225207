/**
 * One request's access record in the making: the operation (set by the audit plugin once it is
 * resolved), the household and person ids the response disclosed (collected as Household and Person
 * objects are resolved, see disclosure.ts, and by resolvers whose results carry ids), a live query's early
 * record (written while its department calls are out), and — for mutations — the record appended inside the
 * mutation's own transaction with its before/after diff.
 */
import type { Principal } from "../auth/principal.js";
import { PERSON_SOURCES, type SourceName } from "../domain/records.js";
import { afterRequestsWritten } from "../../connectors/kit/http.js";
import { auditUnavailable } from "../errors.js";
import type { Digester } from "./digest.js";
import { diffSnapshots, type Snapshot } from "./diff.js";
import { canonicalJson } from "./canonical.js";
import { buildEntry, canonicalBody, type AuditEntry, type ChainedRecord, type Change, type Disclosure, type Outcome } from "./record.js";
import type { RowExecutor } from "./store.js";
import type { AuditWriter } from "./writer.js";

export interface OperationInfo {
  operationType: string;
  operationName: string | null;
  documentHash: string;
  variablesHash: string;
  fields: Record<string, Disclosure>;
  /** the operation touches a root field that returns household or person data: it gets an access record */
  recordable: boolean;
}

/**
 * Whether two entries of one request say the same (everything but when they were made): the early record of a query
 * stands for its response only then.
 */
function sameDisclosure(a: AuditEntry, b: AuditEntry): boolean {
  return canonicalJson(canonicalBody(0, { ...a, at: "" })) === canonicalJson(canonicalBody(0, { ...b, at: "" }));
}

const PERSON_KEYED: ReadonlySet<SourceName> = new Set(PERSON_SOURCES);

export class RequestAudit {
  readonly households = new Set<string>();
  readonly persons = new Set<string>();
  operation: OperationInfo | null = null;
  /** records already appended for this request (mutations, inside their transaction) */
  readonly recorded: ChainedRecord[] = [];
  /** an append inside a mutation failed: the response must fail closed */
  failed = false;
  /** why it failed (the database's error), for the log line the audit plugin writes with the request id */
  failure: unknown = undefined;

  constructor(
    private readonly writer: AuditWriter,
    readonly requestId: string,
    readonly principal: Principal,
    readonly digest: Digester,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * The early record of a query: appended while its department calls are out (the usual case: a live read), what the
   * request was about to disclose with outcome OK. `entry` is what it says; `committed` settles when it is in the chain.
   */
  private early: { entry: AuditEntry; committed: Promise<ChainedRecord | null> } | null = null;
  /** the early record was asked for and not written yet (it waits for afterRequestsWritten, see departmentCallsStarted) */
  private earlyPending = false;

  /**
   * Called as a batch of this request goes to a department system (bound: it is handed to the loaders). At the first
   * batch to a system asked per person, a query's record is appended, alongside the calls rather than after them: what
   * the query asked for (its plan), the households and persons it has resolved so far, outcome OK. `commit` keeps that
   * record when the response turns out to say exactly that, and appends the response's own record after it otherwise
   * (errors, more subjects). The append waits until the department requests made so far are on the wire
   * (afterRequestsWritten).
   */
  readonly departmentCallsStarted = (source: SourceName): void => {
    // a person's systems are asked once the query's persons are resolved (a page's housing calls go out before its
    // members are read)
    if (!PERSON_KEYED.has(source)) return;
    if (this.early || this.earlyPending || this.operation?.operationType !== "query" || !this.operation.recordable) return;
    this.earlyPending = true;
    void afterRequestsWritten().then(() => {
      if (!this.earlyPending) return; // the response was ready first
      this.earlyPending = false;
      const entry = this.entry("OK", [], null);
      // a failed early append is not an error of the request: `commit` then appends the response's record as usual
      this.early = { entry, committed: this.writer.append(entry).catch(() => null) };
    });
  };

  /**
   * Commits the record of a response before it leaves (reads; mutations record inside their transaction). When an early
   * record was appended and says exactly what `final` says, that record is the response's and nothing more is written;
   * otherwise `final` is appended, and the request has two records: the later one is what its response disclosed.
   * Rejects when the record could not be committed (the caller fails closed).
   */
  async commit(final: AuditEntry): Promise<void> {
    this.earlyPending = false;
    const early = this.early;
    if (early && (await early.committed) && sameDisclosure(early.entry, final)) return;
    await this.writer.append(final);
  }

  disclose(ids: { households?: Iterable<string | null | undefined>; persons?: Iterable<string | null | undefined> }): void {
    for (const h of ids.households ?? []) if (h) this.households.add(h);
    for (const p of ids.persons ?? []) if (p) this.persons.add(p);
  }

  diff(before: Snapshot | null, after: Snapshot | null): Change[] {
    return diffSnapshots(before, after, this.digest);
  }

  entry(outcome: Outcome, errorCodes: Iterable<string>, changes: Change[] | null): AuditEntry {
    const op = this.operation;
    if (!op) throw new Error("the audited operation is not resolved yet");
    return buildEntry({
      at: this.clock(),
      requestId: this.requestId,
      principal: this.principal,
      ...op,
      households: this.households,
      persons: this.persons,
      outcome,
      errorCodes,
      changes,
    });
  }

  /**
   * Mutations: appends the record with its diff inside the caller's transaction, so the change and its
   * record commit together. Throws AUDIT_UNAVAILABLE (rolling the change back) when it cannot.
   */
  async recordChange(tx: RowExecutor, changes: Change[]): Promise<void> {
    try {
      this.recorded.push(await this.writer.appendWithin(tx, this.entry("OK", [], changes)));
    } catch (err) {
      this.failed = true;
      this.failure = err;
      throw auditUnavailable();
    }
  }
}

/**
 * One request's access record in the making: the operation (set by the audit plugin once it is
 * resolved), the household and person ids the response disclosed (collected as Household and Person
 * objects are resolved, see disclosure.ts, and by resolvers whose results carry ids), and — for
 * mutations — the record appended inside the mutation's own transaction with its before/after diff.
 */
import type { Principal } from "../auth/principal.js";
import { auditUnavailable } from "../errors.js";
import type { Digester } from "./digest.js";
import { diffSnapshots, type Snapshot } from "./diff.js";
import { buildEntry, type AuditEntry, type ChainedRecord, type Change, type Disclosure, type Outcome } from "./record.js";
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

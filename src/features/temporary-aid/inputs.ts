/**
 * recordTemporaryAidApplication's input as plain data: what validation (./validate.ts) and the service read.
 * The GraphQL input type (schema/temporary-aid.ts) implements it; nothing here knows GraphQL.
 */
import type { TemporaryAidKind, TemporaryAidStatus } from "../../db/generated/enums.js";

export interface TemporaryAidApplicationFields {
  householdId: string;
  /** the member the hardship concerns; omitted = the household */
  personId?: string | null;
  kind: TemporaryAidKind;
  appliedOn: Date;
  status: TemporaryAidStatus;
  /** required once decided (GRANTED or REFUSED), absent while APPLIED */
  decidedOn?: Date | null;
  /** the amount granted (fen): only when GRANTED, and then required */
  amountFen?: number | null;
  /** a short reason (why refused, what the grant covers) */
  reason?: string | null;
}

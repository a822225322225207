/**
 * Temporary assistance 临时救助 (DOMAIN.md §2 civil affairs): records an application and its decision. Civil
 * affairs and street offices, within their jurisdiction (a household outside it is NOT_FOUND, exactly like a
 * missing one). The plain input is validated first (every problem, ./validate.ts); then one transaction writes
 * the row and appends the access record of the change (src/audit, when the log is on) — both commit or neither.
 * A REFUSED application keeps the household in the monitoring database (003 §5, src/domain/recertification.ts).
 */
import type { Prisma, TemporaryAidApplication } from "../../db/generated/client.js";
import { badInput, notFound } from "../../errors.js";
import { prismaExecutor } from "../../audit/store.js";
import type { Snapshot } from "../../audit/diff.js";
import { dayOf } from "../../domain/calendar.js";
import { isUuid } from "../households/cursor.js";
import type { HouseholdWriteDeps } from "../households/service.js";
import type { TemporaryAidApplicationFields } from "./inputs.js";
import { validateTemporaryAid } from "./validate.js";

/** The row as the access log's diff sees it (values other than codes are recorded as keyed digests). */
function snapshot(a: TemporaryAidApplication): Snapshot {
  return {
    temporaryAidApplication: {
      id: a.id,
      householdId: a.householdId,
      personId: a.personId,
      kind: a.kind,
      appliedOn: a.appliedOn,
      status: a.status,
      decidedOn: a.decidedOn,
      amountFen: a.amountFen,
      reason: a.reason,
    },
  };
}

export async function recordTemporaryAidApplication(deps: HouseholdWriteDeps, input: TemporaryAidApplicationFields): Promise<TemporaryAidApplication> {
  if (!isUuid(input.householdId)) throw badInput([{ field: "input.householdId", reason: "INVALID_ID", message: "input.householdId is not a household id" }]);
  const household = await deps.prisma.household.findFirst({
    where: { AND: [deps.scope, { id: input.householdId }] },
    select: { id: true, members: { select: { id: true } } },
  });
  if (!household) throw notFound("Household");
  const problems = validateTemporaryAid(input, new Set(household.members.map((m) => m.id)), dayOf(deps.now));
  if (problems.length) throw badInput(problems);

  return deps.prisma.$transaction(async (tx: Prisma.TransactionClient) => {
    const row = await tx.temporaryAidApplication.create({
      data: {
        householdId: household.id,
        personId: input.personId ?? null,
        kind: input.kind,
        appliedOn: input.appliedOn,
        status: input.status,
        decidedOn: input.status === "APPLIED" ? null : (input.decidedOn ?? null),
        amountFen: input.status === "GRANTED" ? (input.amountFen ?? null) : null,
        reason: input.reason?.trim() || null,
      },
    });
    if (deps.audit) {
      deps.audit.disclose({ households: [household.id], persons: [row.personId] });
      await deps.audit.recordChange(prismaExecutor(tx), deps.audit.diff(null, snapshot(row)));
    }
    return row;
  });
}

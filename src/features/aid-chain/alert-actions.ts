/**
 * Acting on an alert (acknowledge, push to a department, resolve): the alert must exist now for its
 * household (recomputed from the facts) and be visible to the caller — a household out of scope or an
 * unknown key is NOT_FOUND. Actions on one household are serialised (a row lock on the household), so two
 * concurrent resolves give one RESOLVE and one ALREADY_RESOLVED; a department acts only on an alert pushed
 * to it.
 */
import type { AlertAction } from "../../db/generated/client.js";
import type { AlertFinding } from "../../domain/alerts.js";
import { alreadyResolved, badInput, forbidden, notFound } from "../../errors.js";
import { alertKeyHousehold, opaqueAlertKey } from "../../policy/opaque.js";
import type { RequestDeps } from "../request.js";
import { alertVisible, monitoringOf, pushedTo, statusOf, visibilityFor, type MonitoringDeps } from "./monitoring.js";

const MAX_NOTE = 2000;
/** Departments that may acknowledge / resolve an alert pushed to them (their audience name is the department's). */
const DEPARTMENT_AUDIENCES = new Set<string>(["education", "employment", "housing", "medical_insurance", "disability"]);

export type AlertActionKind = "ACKNOWLEDGE" | "PUSH" | "RESOLVE";

/** The note of an action, trimmed (null when empty); REQUIRED when `required` and empty, TOO_LONG beyond 2,000 characters. */
export function alertNote(note: string | null | undefined, required: boolean): string | null {
  const n = note?.trim() ?? "";
  if (required && n === "") throw badInput([{ field: "note", reason: "REQUIRED", message: "a note is required to resolve an alert" }]);
  if (n.length > MAX_NOTE) throw badInput([{ field: "note", reason: "TOO_LONG", message: `note must be at most ${MAX_NOTE} characters` }]);
  return n === "" ? null : n;
}

/** Records one action; returns the alert's household, the finding and every stored action of that household, oldest first. */
export async function recordAlertAction(
  deps: MonitoringDeps & Pick<RequestDeps, "pseudonyms">,
  key: string,
  action: AlertActionKind,
  department: string | null,
  note: string | null,
): Promise<{ householdId: string; finding: AlertFinding; actions: AlertAction[] }> {
  const householdId = alertKeyHousehold(key);
  if (!householdId) throw notFound("Alert");
  const h = await deps.loaders.household.load(householdId);
  if (!h) throw notFound("Alert");
  const { alerts } = await monitoringOf(deps, h);
  const finding = alerts.find((a) => opaqueAlertKey(deps.pseudonyms, h.id, a.key) === key);
  if (!finding || !alertVisible(visibilityFor(deps), finding)) throw notFound("Alert");
  const audience = deps.principal.audience;
  const actions = await deps.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "household" WHERE id = ${h.id}::uuid FOR UPDATE`;
    const existing = await tx.alertAction.findMany({ where: { householdId: h.id, alertKey: { in: [key, finding.key] } }, orderBy: [{ at: "asc" }, { id: "asc" }] });
    if (statusOf(existing) === "RESOLVED") throw alreadyResolved(key);
    if (DEPARTMENT_AUDIENCES.has(audience) && (action === "PUSH" || pushedTo(existing) !== audience))
      throw forbidden("A department may acknowledge or resolve only an alert pushed to it", "NOT_PUSHED_TO_YOU");
    await tx.alertAction.create({
      data: { householdId: h.id, alertKey: key, action, department, note, actorSubject: deps.principal.subject, actorAudience: audience },
    });
    return tx.alertAction.findMany({ where: { householdId: h.id }, orderBy: [{ at: "asc" }, { id: "asc" }] });
  });
  return { householdId: h.id, finding, actions };
}

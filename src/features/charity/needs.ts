/**
 * Needs recorded and closed by hand (street offices, civil affairs), and a street's derived needs
 * refreshed on request (./derive.ts).
 */
import type { Household, Need } from "../../db/generated/client.js";
import { STREET_CODE } from "../../auth/principal.js";
import { badInput, notFound, type InputProblem } from "../../errors.js";
import { ageOn } from "../../domain/age.js";
import { ageBand, householdTier } from "../../domain/needs.js";
import { streetInScope } from "../../policy/scope.js";
import { fetchFact } from "../facts/gather.js";
import type { RequestDeps } from "../request.js";
import { needInReach } from "./claims.js";
import { refreshDerivedNeeds, type DerivationSummary } from "./derive.js";
import type { RecordNeedFields } from "./inputs.js";
import { today, type CharityDeps } from "./requests.js";
import { fail, uuidArg, validateText } from "./validate.js";

/** A household in the principal's scope (out of scope = NOT_FOUND). */
export async function householdInScope(deps: Pick<RequestDeps, "loaders">, householdId: string, field = "householdId"): Promise<Household> {
  uuidArg(field, householdId, "household");
  const h = await deps.loaders.household.load(householdId);
  if (!h) throw notFound("Household");
  return h;
}

export async function recordNeed(deps: CharityDeps & Pick<RequestDeps, "loaders" | "sources">, input: RecordNeedFields): Promise<Need> {
  const h = await householdInScope(deps, input.householdId, "input.householdId");
  const problems: InputProblem[] = validateText("input.note", input.note, false);
  const members = await deps.loaders.members.load(h.id);
  let person = null;
  if (input.personId != null) {
    person = members.find((m) => m.id === input.personId) ?? null;
    if (!person) problems.push({ field: "input.personId", reason: "INVALID_ID", message: "input.personId is not a member of the household" });
  }
  const asOf = today(deps);
  if (input.since && input.since > asOf) problems.push({ field: "input.since", reason: "DATE_IN_FUTURE", message: "input.since is after today" });
  fail(problems);
  const cases = await deps.loaders.cases.load(h.id);
  const disability = person ? await fetchFact(deps.sources.disability, person.idNumber, "disability") : undefined;
  return deps.prisma.need.create({
    data: {
      householdId: h.id,
      personId: person?.id ?? null,
      districtCode: h.districtCode,
      streetCode: h.streetCode,
      category: input.category,
      urgency: input.urgency,
      origin: "MANUAL",
      rule: "MANUAL",
      reason: `recorded by the street office: ${input.category}`,
      tier: householdTier({ cases }, asOf),
      ageBand: person ? ageBand(ageOn(person.birthDate, asOf)) : null,
      disability: disability?.ok === true && disability.value?.severe === true,
      since: input.since ?? asOf,
      note: input.note?.trim() || null,
      recordedBy: deps.principal.subject,
    },
  });
}

/** Closes an OPEN need; a CLAIMED one must have its claim cancelled first (NEED_CLAIMED). */
export async function closeNeed(deps: CharityDeps, id: string): Promise<Need> {
  uuidArg("id", id, "need");
  const need = await needInReach(deps, id, null);
  if (need.status === "CLOSED" || need.status === "MET") return need;
  if (need.status === "CLAIMED") throw badInput([{ field: "id", reason: "NEED_CLAIMED", message: "the need has an active claim; it is closed by the delivery or after the claim is cancelled" }]);
  const { count } = await deps.prisma.need.updateMany({ where: { id, status: "OPEN" }, data: { status: "CLOSED", closedAt: deps.now } });
  if (count !== 1) throw badInput([{ field: "id", reason: "NEED_CLAIMED", message: "the need was claimed meanwhile" }]);
  return deps.prisma.need.findUniqueOrThrow({ where: { id } });
}

/** Derives and stores one street's needs (a street outside the principal's jurisdiction is UNKNOWN_STREET, like an unknown one). */
export async function refreshStreetNeeds(deps: Parameters<typeof refreshDerivedNeeds>[0], street: string): Promise<DerivationSummary> {
  const row = STREET_CODE.test(street) ? await deps.prisma.street.findUnique({ where: { code: street } }) : null;
  if (!row || !streetInScope(deps.principal.jurisdiction, row)) throw badInput([{ field: "street", reason: "UNKNOWN_STREET", message: "street is not a known street in your jurisdiction" }]);
  return refreshDerivedNeeds(deps, street);
}

/**
 * Which households a charity may open (issue 12: charities see needs, not a household directory). A
 * charity lists no households and searches no persons (src/policy/rules.ts); `household(id: hh_…)` opens
 * only a household with a need that this charity has claimed, or an open need in a district it serves
 * that matches one of its own ACTIVE resources. Any other reference is NOT_FOUND, exactly like a missing one.
 */
import type { RequestDeps } from "../request.js";
import { matchesForNeed } from "../../domain/matching.js";
import { charityLoaders, matchableNeed, today, type CharityDeps } from "./requests.js";
import { accessFor } from "../../policy/plan.js";
import { POLICY } from "../../policy/rules.js";

type Deps = CharityDeps & Pick<RequestDeps, "enforcePolicy">;

export async function charityMayOpen(deps: Deps, householdId: string): Promise<boolean> {
  const loaders = charityLoaders(deps);
  const me = await loaders.me();
  if (!me) return false;
  const claimed = await deps.prisma.claim.count({ where: { charityId: me.id, need: { householdId } } });
  if (claimed > 0) return true;
  const needs = (await loaders.needsOfHousehold.load(householdId)).filter((n) => n.status === "OPEN" && me.districts.includes(n.districtCode));
  if (needs.length === 0) return false;
  const { byId, matchable } = await loaders.visibleResources();
  const own = matchable.filter((r) => byId.get(r.id)?.charityId === me.id);
  return needs.some((n) => matchesForNeed(matchableNeed(n), own, today(deps), 1).length > 0);
}

/** Whether a "consent" field (Type.field) is withheld from this request for this household: the audience reads it only with consent, and there is none. */
export async function consentWithheld(deps: Deps, type: string, field: string, householdId: string): Promise<boolean> {
  if (!deps.enforcePolicy || accessFor(POLICY, type, field, deps.principal.audience) !== "consent") return false;
  return !(await charityLoaders(deps).consent.load(householdId));
}

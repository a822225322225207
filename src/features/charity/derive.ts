/**
 * Materialises derived needs for one street: gathers each household's facts through the request's
 * loaders (batched: one registry query per table and department batches for the whole street), takes
 * the aid chain's gaps, runs the pure derivation (src/domain/needs.ts) and reconciles with the stored
 * needs by their stable derivation key `<household>:<category>:<person|->`:
 *   new               → created OPEN, since = the evaluation date
 *   still derived     → an OPEN need gets the current urgency, tier, age band and reasons; others stay
 *   no longer derived → an OPEN need is CLOSED — unless a source failed for that household (unknown is
 *                       not "gone"); CLAIMED and MET needs are left to their claims
 * Needs are stored (not computed on read) so that claims reference a stable row, and matching a street
 * reads a table instead of every department system.
 */
import type { Household, Need, Prisma } from "../../db/generated/client.js";
import type { RequestDeps } from "../request.js";
import { householdFacts } from "../facts/gather.js";
import { eligibilityOf, type EligibilityDeps } from "../eligibility/eligibility.js";
import { buildAidChain } from "../../domain/aid-chain.js";
import { MissingParameterError } from "../../domain/observed.js";
import { derivationKey, deriveNeeds, type NeedGap } from "../../domain/needs.js";
import { today } from "./requests.js";

type Deps = EligibilityDeps & Pick<RequestDeps, "scope" | "now" | "loaders">;

export interface DerivationSummary {
  households: number;
  created: number;
  updated: number;
  closed: number;
  /** the needs this derivation created, changed or closed */
  changed: Need[];
}

/**
 * The aid chain's gaps for the household (entitlements with no matching link), as needs use them, and
 * whether every department source answered; null when the chain cannot be built because a policy
 * parameter the eligibility rules need is missing for the region — then the situational needs still
 * count, and nothing is closed for that household. Any other failure (the database, a bug) fails the
 * refresh: it is logged with the request id and the client gets INTERNAL_SERVER_ERROR, never a
 * derivation quietly made without the gaps.
 */
async function gapsOf(deps: Deps, h: Household, asOf: Date): Promise<{ gaps: NeedGap[]; complete: boolean } | null> {
  try {
    const [facts, eligibility] = await Promise.all([householdFacts(deps, h), eligibilityOf(deps, h, asOf)]);
    const chain = buildAidChain(facts, eligibility, asOf);
    return { gaps: chain.gaps.map((g) => ({ kind: g.kind, personId: g.personId })), complete: chain.complete };
  } catch (err) {
    if (err instanceof MissingParameterError) return null;
    throw err;
  }
}

export async function refreshDerivedNeeds(deps: Deps, streetCode: string): Promise<DerivationSummary> {
  const asOf = today(deps);
  const households = await deps.prisma.household.findMany({ where: { AND: [deps.scope, { streetCode, status: { not: "CLOSED" } }] }, orderBy: { id: "asc" } });
  for (const h of households) deps.loaders.household.prime(h.id, h);
  const derived = await Promise.all(
    households.map(async (h) => {
      const [facts, chain] = await Promise.all([householdFacts(deps, h), gapsOf(deps, h, asOf)]);
      // unknown is not "gone": no chain, or a department source failed (the chain is then incomplete)
      return { h, certain: chain?.complete === true, needs: deriveNeeds(facts, asOf, chain?.gaps ?? []) };
    }),
  );
  const existing = await deps.prisma.need.findMany({ where: { householdId: { in: households.map((h) => h.id) }, origin: "DERIVED" } });
  const byKey = new Map(existing.map((n) => [n.derivationKey, n]));
  const summary: DerivationSummary = { households: households.length, created: 0, updated: 0, closed: 0, changed: [] };
  const seen = new Set<string>();
  const creates: Prisma.NeedCreateManyInput[] = [];
  const updates: { id: string; data: Prisma.NeedUpdateInput }[] = [];
  for (const { h, needs } of derived) {
    for (const d of needs) {
      const key = derivationKey(h.id, d);
      seen.add(key);
      const fields = { urgency: d.urgency, tier: d.tier, ageBand: d.ageBand, disability: d.disability, rule: d.rules.join("+").slice(0, 64), reason: d.reasons.join("; ") };
      const found = byKey.get(key);
      if (!found)
        creates.push({ householdId: h.id, personId: d.personId, districtCode: h.districtCode, streetCode: h.streetCode, category: d.category, origin: "DERIVED", derivationKey: key, since: asOf, recordedBy: "derivation", ...fields });
      else if (found.status === "OPEN") {
        const next = { ...fields, districtCode: h.districtCode, streetCode: h.streetCode };
        const changed = (Object.keys(next) as (keyof typeof next)[]).some((k) => found[k] !== next[k]);
        if (changed) updates.push({ id: found.id, data: next });
      }
    }
  }
  const uncertain = new Set(derived.filter((d) => !d.certain).map((d) => d.h.id));
  const gone = existing.filter((n) => n.status === "OPEN" && !seen.has(n.derivationKey ?? "") && !uncertain.has(n.householdId)).map((n) => n.id);
  await deps.prisma.$transaction(
    async (tx) => {
      // skipDuplicates: a derivation running at the same time for the same street created it first
      if (creates.length) summary.created = (await tx.need.createMany({ data: creates, skipDuplicates: true })).count;
      for (const u of updates) summary.updated += (await tx.need.updateMany({ where: { id: u.id, status: "OPEN" }, data: u.data as Prisma.NeedUpdateManyMutationInput })).count;
      if (gone.length) summary.closed = (await tx.need.updateMany({ where: { id: { in: gone }, status: "OPEN" }, data: { status: "CLOSED", closedAt: deps.now } })).count;
    },
    { timeout: 60_000 },
  );
  if (creates.length + updates.length + gone.length)
    summary.changed = await deps.prisma.need.findMany({
      where: { OR: [{ derivationKey: { in: creates.map((c) => c.derivationKey as string) } }, { id: { in: [...updates.map((u) => u.id), ...gone] } }] },
      orderBy: { id: "asc" },
    });
  return summary;
}

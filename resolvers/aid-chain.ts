import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { Household } from "../schema/registry.js";
import { AidChain } from "../schema/aid-chain.js";
import type { GatewayContext } from "../src/graphql/context.js";
import type { Household as HouseholdRow } from "../src/db/generated/client.js";
import type { AidChain as DomainChain, AidLink, Duplicate, Gap } from "../src/domain/aid-chain.js";
import { householdIds, type HouseholdIds } from "../src/policy/opaque.js";
import { monitoringOf, visibilityFor, visibleChain } from "../src/features/aid-chain/monitoring.js";

/**
 * The domain chain in the GraphQL shape. Ids are opaque (src/policy/opaque.ts): the domain's link, gap and
 * duplicate keys embed ID numbers, certificate and registry numbers and never leave the gateway.
 */
export function chainView(c: DomainChain, ids: Pick<HouseholdIds, "link" | "gap" | "duplicate">) {
  // one view per link: the lists below share their links
  const views = new Map<AidLink, ReturnType<typeof linkView>>();
  const linkView = (l: AidLink) => ({ ...l, id: ids.link(l.id), periodStart: l.period.start, periodEnd: l.period.end, stale: l.stale ?? false });
  const link = (l: AidLink) => {
    let v = views.get(l);
    if (v === undefined) views.set(l, (v = linkView(l)));
    return v;
  };
  const gap = (g: Gap) => ({
    ...g,
    key: ids.gap(g.key),
    rule: g.entitlement.rule,
    reference: g.entitlement.reference,
    entitledAmountFen: g.entitlement.amountFen,
    entitledRatio: g.entitlement.ratio,
    links: g.links.map(link),
  });
  const duplicate = (d: Duplicate) => ({ ...d, key: ids.duplicate(d.key), overlapStart: d.overlap.start, overlapEnd: d.overlap.end, links: d.links.map(link) });
  return {
    ...c,
    links: c.links.map(link),
    householdLinks: c.householdLinks.map(link),
    persons: c.persons.map((p) => ({ personId: p.personId, links: p.links.map(link), gaps: p.gaps.map(gap), duplicates: p.duplicates.map(duplicate) })),
    gaps: c.gaps.map(gap),
    duplicates: c.duplicates.map(duplicate),
    unverified: c.unverified.map((u) => ({ key: u.key, kind: u.kind, department: u.department, missing: u.missing, rule: u.entitlement.rule, reference: u.entitlement.reference })),
  };
}

@Resolver(() => Household)
export class HouseholdAidChainResolver {
  @FieldResolver(() => AidChain, {
    nullable: true,
    description:
      "One chain per household and per person (一户一条救助链, DOMAIN.md §3) on the request's date: every link from the registry and the department systems, gaps (entitlements with no matching link) and duplicates. Uses the request's department loaders: no extra upstream calls.",
  })
  async aidChain(@Root() h: HouseholdRow, @Ctx() ctx: GatewayContext) {
    const { chain } = await monitoringOf(ctx, h);
    return chainView(visibleChain(chain, visibilityFor(ctx)), householdIds(ctx.pseudonyms, h.id));
  }
}

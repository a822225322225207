/**
 * Where a monitoring shard's facts come from. A ShardFacts source turns a shard's households into their
 * HouseholdFacts — the registry in bulk (one query per table for the whole shard) and the department
 * records in bulk — exactly as a request gathers them (src/registry/facts.ts), so a run and the API
 * evaluate the same facts.
 *
 * liveShardFacts: the department systems' own batch lookups through the connectors (the request path,
 * with its resilience): every key of the shard is asked at once, so each batch-capable system gets
 * ⌈keys / batch size⌉ calls per shard. Employment has no batch lookup (a one-person API, connectors/WIRE.md):
 * it is asked once per person, bounded by EMPLOYMENT_CONCURRENCY — the mirror (issue 15) removes that.
 */
import type { Household, PrismaClient } from "../../db/generated/client.js";
import type { RequestDeps } from "../request.js";
import { RequestMemo } from "../memo.js";
import type { HouseholdFacts } from "../../domain/facts.js";
import type { Connectors } from "../../../connectors/kit/index.js";
import { createRegistryLoaders } from "../households/loaders.js";
import { householdFacts } from "../facts/gather.js";
import type { Pseudonymizer } from "../../policy/pseudonym.js";

export interface ShardFacts {
  /** which implementation (recorded with the run) */
  readonly kind: "live" | "mirror";
  /** The facts of these households (same order). A failed department source is a failed fact, never an exception. */
  facts(households: Household[], asOf: Date): Promise<HouseholdFacts[]>;
}

/** The monitoring run's own principal: the whole registry, no field policy (views are applied per audience). */
function systemContext(prisma: PrismaClient, connectors: Connectors, pseudonyms: Pseudonymizer, asOf: Date): RequestDeps {
  return {
    requestId: "monitoring",
    prisma,
    principal: {
      subject: "monitoring",
      audience: "civil_affairs",
      roles: [],
      jurisdiction: { kind: "city", city: "500000" },
      purpose: "monitoring run",
      charityId: null,
      tokenId: null,
      expiresAt: new Date(8.64e15),
    },
    scope: {},
    enforcePolicy: false,
    loaders: createRegistryLoaders(prisma, {}),
    sources: connectors.loaders(),
    pseudonyms,
    now: asOf,
    memo: new RequestMemo(),
  };
}

export function liveShardFacts(prisma: PrismaClient, connectors: Connectors, pseudonyms: Pseudonymizer): ShardFacts {
  return {
    kind: "live",
    async facts(households, asOf) {
      const ctx = systemContext(prisma, connectors, pseudonyms, asOf);
      for (const h of households) ctx.loaders.household.prime(h.id, h);
      // the registry: one query per table for the shard
      const members = await Promise.all(households.map((h) => ctx.loaders.members.load(h.id)));
      // the departments: every key at once (one batch per batch size), before the per-household gathering reads the cache
      const ids = members.flat().map((p) => p.idNumber);
      const s = ctx.sources;
      await Promise.all([
        s.education.loadMany(ids),
        s.employment.loadMany(ids),
        s.medicalInsurance.loadMany(ids),
        s.disability.loadMany(ids),
        s.housing.loadMany(households.map((h) => h.registryNo)),
      ]);
      return Promise.all(households.map((h) => householdFacts(ctx, h)));
    },
  };
}

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

/** Households whose department records are asked for at once: a request's page (MAX_PAGE_SIZE 100) is the load the connectors are sized for. */
const CHUNK = 50;

export interface ShardFacts {
  /** which implementation (recorded with the run) */
  readonly kind: "live" | "mirror";
  /** The facts of these households (same order). A failed department source is a failed fact, never an exception. */
  facts(households: Household[], asOf: Date): Promise<HouseholdFacts[]>;
}

/** The monitoring run's own principal: the whole registry, no field policy (views are applied per audience). */
function systemDeps(prisma: PrismaClient, connectors: Connectors, pseudonyms: Pseudonymizer, asOf: Date): RequestDeps {
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
      const out: HouseholdFacts[] = [];
      // in chunks: every key of a chunk at once (one batch per batch size), a chunk after the other — so a shard never
      // queues more calls than the connectors' queue and deadlines were made for (a request's page of households)
      for (let i = 0; i < households.length; i += CHUNK) {
        const chunk = households.slice(i, i + CHUNK);
        const deps = systemDeps(prisma, connectors, pseudonyms, asOf);
        for (const h of chunk) deps.loaders.household.prime(h.id, h);
        // the registry: one query per table for the chunk
        const members = await Promise.all(chunk.map((h) => deps.loaders.members.load(h.id)));
        // the departments: every key at once, before the per-household gathering reads the loaders' cache
        const ids = members.flat().map((p) => p.idNumber);
        const s = deps.sources;
        await Promise.all([
          s.education.loadMany(ids),
          s.employment.loadMany(ids),
          s.medicalInsurance.loadMany(ids),
          s.disability.loadMany(ids),
          s.housing.loadMany(chunk.map((h) => h.registryNo)),
        ]);
        out.push(...(await Promise.all(chunk.map((h) => householdFacts(deps, h)))));
      }
      return out;
    },
  };
}

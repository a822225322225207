/**
 * Where a monitoring shard's facts come from. A ShardFacts source turns a shard's households into their
 * HouseholdFacts — the registry in bulk (one query per table for the whole shard) and the department
 * records in bulk — exactly as a request gathers them (src/features/facts/gather.ts), so a run and the API
 * evaluate the same facts.
 *
 * mirrorShardFacts (every process that has the database has the mirror: the gateway, `npm run worker`): per
 * shard and per source, the department mirror (issue 15, connectors/kit/mirror.ts) when that source's sync is
 * within its freshness at the start of the shard — one query per MIRROR_BATCH keys, no call to the department
 * system at all; the department traffic of a run is then the sync's export and change-feed pages. A source
 * whose mirror is not fresh (or cannot be read) is asked live for that shard, as liveShardFacts does. Records
 * are judged `stale` as of the run's evaluation instant, as the connectors judge live ones.
 *
 * liveShardFacts: the department systems' own batch lookups through the connectors (the request path, with its
 * resilience): every key of a chunk is asked at once, so each batch-capable system gets ⌈keys / batch size⌉ calls;
 * employment has no batch lookup (a one-person API, connectors/WIRE.md): one call per person within
 * EMPLOYMENT_CONCURRENCY.
 */
import DataLoader from "dataloader";
import type { Household, Person, PrismaClient } from "../../db/generated/client.js";
import type { RequestDeps } from "../request.js";
import { RequestMemo } from "../memo.js";
import type { HouseholdFacts } from "../../domain/facts.js";
import { SOURCES, type SourceName } from "../../domain/records.js";
import { badResponseError, MALFORMED, MIRROR_BATCH, type Connectors, type Loaders, type Mirror } from "../../../connectors/kit/index.js";
import { createRegistryLoaders } from "../households/loaders.js";
import { householdFacts } from "../facts/gather.js";
import type { Pseudonymizer } from "../../policy/pseudonym.js";
import type { SqlExecutor } from "../../db/sql.js";

/** Households whose department records are asked for at once live: a request's page (MAX_PAGE_SIZE 100) is the load the connectors are sized for. */
const CHUNK = 50;

export interface ShardFactsResult {
  /** the facts of the households (same order). A failed department source is a failed fact, never an exception. */
  facts: HouseholdFacts[];
  /** the members' registry rows of each household (same order): what the facts leave out, the date of death, the findings read */
  members: Person[][];
  /** the sources read from the department mirror for this shard */
  mirror: SourceName[];
  /** the sources asked live (their mirror not fresh, unreadable, or no mirror) */
  live: SourceName[];
}

export interface ShardFacts {
  /** which implementation */
  readonly kind: "live" | "mirror";
  facts(households: Household[], asOf: Date): Promise<ShardFactsResult>;
}

/** The monitoring run's own principal: the whole registry, no field policy (views are applied per audience). */
function systemDeps(prisma: PrismaClient, sources: Loaders, pseudonyms: Pseudonymizer, asOf: Date, sql?: SqlExecutor): RequestDeps {
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
    // the hot registry loaders through the executor when there is one (the whole registry: no jurisdiction)
    loaders: createRegistryLoaders(prisma, {}, sql && { sql, jurisdiction: null }),
    sources,
    pseudonyms,
    now: asOf,
    memo: new RequestMemo(),
  };
}

/**
 * The facts of `households`, `chunk` households at a time: the registry's rows of a chunk in one query per table,
 * then every department key of the chunk asked at once (before the per-household gathering reads the loaders' cache).
 */
async function gather(
  prisma: PrismaClient,
  sources: () => Loaders,
  pseudonyms: Pseudonymizer,
  households: Household[],
  asOf: Date,
  chunk: number,
  sql?: SqlExecutor,
): Promise<Pick<ShardFactsResult, "facts" | "members">> {
  const out: HouseholdFacts[] = [];
  const persons: Person[][] = [];
  for (let i = 0; i < households.length; i += chunk) {
    const part = households.slice(i, i + chunk);
    const deps = systemDeps(prisma, sources(), pseudonyms, asOf, sql);
    for (const h of part) deps.loaders.household.prime(h.id, h);
    const members = await Promise.all(part.map((h) => deps.loaders.members.load(h.id)));
    persons.push(...members);
    const ids = members.flat().map((p) => p.idNumber);
    const s = deps.sources;
    await Promise.all([
      s.education.loadMany(ids),
      s.employment.loadMany(ids),
      s.medicalInsurance.loadMany(ids),
      s.disability.loadMany(ids),
      s.housing.loadMany(part.map((h) => h.registryNo)),
    ]);
    out.push(...(await Promise.all(part.map((h) => householdFacts(deps, h)))));
  }
  return { facts: out, members: persons };
}

/** `sql`: the database's executor — the household and member rows read through it (src/features/households/loaders.ts), not Prisma. */
export function liveShardFacts(prisma: PrismaClient, connectors: Connectors, pseudonyms: Pseudonymizer, sql?: SqlExecutor): ShardFacts {
  return {
    kind: "live",
    async facts(households, asOf) {
      const { facts, members } = await gather(prisma, () => connectors.loaders(), pseudonyms, households, asOf, CHUNK, sql);
      return { facts, members, mirror: [], live: [...SOURCES] };
    },
  };
}

/**
 * Shards over the department mirror where it is fresh. `clock` is the freshness clock (the process's time, as the
 * mirror service judges freshness: a run's evaluation instant may be another day); the sync state is reloaded at
 * the start of every shard, so a worker process follows the syncs other processes make.
 */
export function mirrorShardFacts(
  prisma: PrismaClient,
  connectors: Connectors,
  mirror: Mirror,
  pseudonyms: Pseudonymizer,
  clock: () => Date = () => new Date(),
  sql?: SqlExecutor,
): ShardFacts {
  return {
    kind: "mirror",
    async facts(households, asOf) {
      await mirror.refresh();
      const now = clock();
      const fromMirror = new Set(SOURCES.filter((s) => mirror.isFresh(s, now)));
      const wentLive = new Set<SourceName>(SOURCES.filter((s) => !fromMirror.has(s)));
      // live loaders (their own per chunk, as a request's) only for the sources that need them
      let live: Loaders | null = null;
      const liveLoader = (source: SourceName) => (live ??= connectors.loaders())[source] as DataLoader<string, any>;
      const loaderOf = (source: SourceName) =>
        new DataLoader<string, any>(
          async (keys) => {
            if (fromMirror.has(source)) {
              const answers = await mirror.getMany(source, keys, asOf).catch(() => null);
              if (answers)
                return keys.map((k) => {
                  const a = answers.get(k);
                  if (a === MALFORMED) return badResponseError(source, { reason: "the department's record is malformed (reported by the mirror sync)" });
                  return a ? { ...a, servedFrom: "MIRROR" } : null;
                });
              // the database could not answer: this batch goes live, and the run says the source was (partly) live
              wentLive.add(source);
            }
            return liveLoader(source).loadMany(keys);
          },
          { maxBatchSize: MIRROR_BATCH, name: source },
        );
      const sources = () => {
        live = null;
        return Object.fromEntries(SOURCES.map((s) => [s, loaderOf(s)])) as unknown as Loaders;
      };
      // with every source mirrored, a chunk is bounded by the registry queries only; live sources keep the request-sized chunk
      const chunk = wentLive.size ? CHUNK : households.length || 1;
      const { facts, members } = await gather(prisma, sources, pseudonyms, households, asOf, chunk, sql);
      return { facts, members, mirror: SOURCES.filter((s) => fromMirror.has(s) && !wentLive.has(s)), live: SOURCES.filter((s) => wentLive.has(s)) };
    },
  };
}

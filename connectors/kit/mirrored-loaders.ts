/**
 * The request's department loaders with the mirror in front (issue 15): for each source, a batch is read
 * from the mirror when that source's sync is within its freshness and the request did not ask for live data;
 * otherwise from the live loader (today's path: deadline, retry, breaker, bulkhead). Every record says where
 * it came from (`servedFrom`). A mirror that cannot be read (database error) falls back to live as well.
 */
import DataLoader from "dataloader";
import type { SourceName } from "../../src/domain/records.js";
import { SOURCES } from "../../src/domain/records.js";
import { badResponseError } from "./errors.js";
import type { Loaders } from "./index.js";
import { MALFORMED, type Mirror, type MirrorAnswer } from "./mirror.js";

/** Per request: whether department data must be read live (set by a root field's `live: true`). */
export interface DepartmentMode {
  live: boolean;
}

/** Keys per mirror query (one round trip to the database per batch). */
export const MIRROR_BATCH = 1000;

/**
 * The mirror reads of the batches that dispatch together (the sources a request's resolvers ask in the same
 * turn: a household's members' education, employment, medical insurance and disability), as one statement.
 * A failed statement fails each of its sources' reads (each then goes live, as before).
 */
function mirrorBatcher(mirror: Mirror, clock: () => Date) {
  let queue: { source: SourceName; keys: readonly string[]; resolve(m: Map<string, MirrorAnswer>): void; reject(e: unknown): void }[] = [];
  const flush = () => {
    const batch = queue;
    queue = [];
    mirror.getManyOf(batch, clock()).then(
      (answers) => {
        for (const b of batch) b.resolve(answers.get(b.source) ?? new Map());
      },
      (err) => {
        for (const b of batch) b.reject(err);
      },
    );
  };
  return (source: SourceName, keys: readonly string[]) =>
    new Promise<Map<string, MirrorAnswer>>((resolve, reject) => {
      // DataLoader dispatches each loader's batch in its own process.nextTick: the check phase comes after all of them
      if (queue.length === 0) setImmediate(flush);
      queue.push({ source, keys, resolve, reject });
    });
}

export function mirroredLoaders(live: Loaders | (() => Loaders), mirror: Mirror, mode: DepartmentMode, clock: () => Date = () => new Date()): Loaders {
  // the live loaders (and their abort wiring) are made only when a batch has to go live
  let liveSet: Loaders | null = typeof live === "function" ? null : live;
  const liveOf = (source: SourceName) => ((liveSet ??= (live as () => Loaders)())[source] as DataLoader<string, any>);
  const read = mirrorBatcher(mirror, clock);
  const one = <S extends SourceName>(source: S) => {
    return new DataLoader<string, any>(
      async (keys) => {
        if (!mode.live && mirror.isFresh(source, clock())) {
          const answers = await read(source, keys).catch(() => null);
          if (answers)
            return keys.map((k) => {
              const a = answers.get(k);
              if (a === MALFORMED) return badResponseError(source, { reason: "the department's record is malformed (reported by the mirror sync)" });
              return a ? { ...a, servedFrom: "MIRROR" } : null;
            });
        }
        const results = await liveOf(source).loadMany(keys);
        return results; // the connectors' records say LIVE themselves
      },
      { maxBatchSize: MIRROR_BATCH, name: source },
    );
  };
  return Object.fromEntries(SOURCES.map((s) => [s, one(s)])) as unknown as Loaders;
}

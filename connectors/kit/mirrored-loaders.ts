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
import { MALFORMED, type Mirror } from "./mirror.js";

/** Per request: whether department data must be read live (set by a root field's `live: true`). */
export interface DepartmentMode {
  live: boolean;
}

/** Keys per mirror query (one round trip to the database per batch). */
export const MIRROR_BATCH = 1000;

export function mirroredLoaders(live: Loaders | (() => Loaders), mirror: Mirror, mode: DepartmentMode, clock: () => Date = () => new Date()): Loaders {
  // the live loaders (and their abort wiring) are made only when a batch has to go live
  let liveSet: Loaders | null = typeof live === "function" ? null : live;
  const liveOf = (source: SourceName) => ((liveSet ??= (live as () => Loaders)())[source] as DataLoader<string, any>);
  const one = <S extends SourceName>(source: S) => {
    return new DataLoader<string, any>(
      async (keys) => {
        if (!mode.live && mirror.isFresh(source, clock())) {
          const answers = await mirror.getMany(source, keys, clock()).catch(() => null);
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

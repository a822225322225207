/**
 * Picks, per key, the parameter in force on `on` for the most specific region in `chain`. Pure.
 * Both ends are inclusive: a version with effectiveTo 2025-06-30 is still in force on that day.
 * The value is not read: rows keep theirs in whatever form the caller holds it (string, Decimal, number).
 */
export interface ParameterRow {
  regionCode: string;
  key: string;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

export function parametersInForce<T extends ParameterRow>(rows: T[], chain: string[], on: Date): T[] {
  const best = new Map<string, T>();
  const rank = (r: T) => chain.indexOf(r.regionCode);
  for (const r of rows) {
    if (rank(r) < 0 || r.effectiveFrom > on || (r.effectiveTo && r.effectiveTo < on)) continue;
    const cur = best.get(r.key);
    if (!cur || rank(r) < rank(cur) || (rank(r) === rank(cur) && r.effectiveFrom > cur.effectiveFrom)) best.set(r.key, r);
  }
  return [...best.values()].sort((a, b) => a.key.localeCompare(b.key));
}

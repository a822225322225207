/**
 * The one per-request memo: a value per (slot, key), computed once in a request and shared by every
 * resolver of that request, dropped with it (one RequestMemo per request, in RequestDeps.memo). The
 * computed fields use it so eligibility, the aid chain and the alerts of a household share one gathering
 * of facts and one evaluation; the per-request DataLoaders that are made on first use (charity data,
 * alert actions) are memoised the same way.
 */
export class RequestMemo {
  private readonly slots = new Map<object, Map<string, unknown>>();

  value<V>(slot: object, key: string, make: () => V): V {
    let values = this.slots.get(slot);
    if (!values) this.slots.set(slot, (values = new Map()));
    if (values.has(key)) return values.get(key) as V;
    const value = make();
    values.set(key, value);
    return value;
  }
}

/** A memo slot: `slot(memo, key, make)` gives this slot's value for `key` in the request of `memo`. */
export function memoSlot<V>(): (memo: RequestMemo, key: string, make: () => V) => V {
  const slot = {};
  return (memo, key, make) => memo.value(slot, key, make);
}

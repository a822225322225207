/**
 * Canonical JSON for hashing and signing: object keys sorted by UTF-16 code units, no whitespace,
 * `undefined` object members left out, strings escaped as JSON.stringify does (RFC 8785's rules for the
 * values the audit log holds: strings, safe integers, booleans, null, arrays, objects). Non-integer
 * or unsafe numbers are refused, so a value never changes meaning when it passes through jsonb and back.
 *
 * Iterative (an explicit stack, no recursion): a value nested 5,000 or 500,000 levels deep — client
 * variables are digested through here — costs memory in proportion to its size, never the call stack.
 */
export type CanonicalValue = string | number | boolean | null | CanonicalValue[] | { [key: string]: CanonicalValue | undefined };

/** Text emitted as is (punctuation, `"key":`), as opposed to a value still to be written. */
class Raw {
  constructor(readonly text: string) {}
}
const COMMA = new Raw(",");
const CLOSE_ARRAY = new Raw("]");
const CLOSE_OBJECT = new Raw("}");
const NOTHING = new Raw(""); // a hole of a sparse array (Array.prototype.map keeps holes; join writes them as nothing)

/** Levels beyond this can only be a cycle (a request body of BODY_LIMIT_BYTES nests far less): refused, never a hang. */
const MAX_NESTING = 5_000_000;

/**
 * The text of frozen objects whose members are all strings, numbers, booleans or null (frozen and flat: nothing in them
 * can change), written once: an access record's `fields` is one such object per operation plan, shared by every
 * request of that plan, and was most of each record's canonical text.
 */
const flatFrozen = new WeakMap<object, string>();

function isFlat(v: { [key: string]: CanonicalValue | undefined }): boolean {
  for (const k in v) {
    const m = v[k];
    if (m !== null && typeof m === "object") return false;
  }
  return true;
}

/** A scalar's canonical text. */
function scalarText(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "number" && Number.isSafeInteger(v)) return String(v);
  if (typeof v === "number") throw new TypeError(`canonical JSON holds safe integers only, not ${v}`);
  throw new TypeError(`canonical JSON cannot hold a ${typeof v}`);
}

/** A frozen object's text when it is flat (written once, then remembered); undefined when it is not flat. */
function frozenText(v: { [key: string]: CanonicalValue | undefined }): string | undefined {
  let text = flatFrozen.get(v);
  if (text === undefined && isFlat(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    text = `{${keys.map((k) => `${JSON.stringify(k)}:${scalarText(v[k] as string | number | boolean | null | undefined)}`).join(",")}}`;
    flatFrozen.set(v, text);
  }
  return text;
}

export function canonicalJson(value: CanonicalValue | undefined): string {
  const out: string[] = [];
  const stack: (CanonicalValue | undefined | Raw)[] = [value];
  let open = 0;
  while (stack.length) {
    const v = stack.pop();
    if (v instanceof Raw) {
      if (v === CLOSE_ARRAY || v === CLOSE_OBJECT) open--;
      out.push(v.text);
      continue;
    }
    if (v === null || typeof v !== "object") {
      out.push(scalarText(v));
      continue;
    }
    if (++open > MAX_NESTING) throw new TypeError("canonical JSON cannot hold a cyclic value");
    if (Array.isArray(v)) {
      out.push("[");
      stack.push(CLOSE_ARRAY);
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push(i in v ? (v[i] === undefined ? null : v[i]) : NOTHING);
        if (i > 0) stack.push(COMMA);
      }
      continue;
    }
    const known = Object.isFrozen(v) ? frozenText(v) : undefined;
    if (known !== undefined) {
      out.push(known);
      open--;
      continue;
    }
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    out.push("{");
    stack.push(CLOSE_OBJECT);
    for (let i = keys.length - 1; i >= 0; i--) {
      stack.push(v[keys[i]]);
      stack.push(new Raw(`${JSON.stringify(keys[i])}:`));
      if (i > 0) stack.push(COMMA);
    }
  }
  return out.join("");
}

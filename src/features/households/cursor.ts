/**
 * Opaque, stable page cursors: base64url of "h:<household reference>". Ordering is by household id.
 * The reference is the household uuid, or — in a charity's cursors — that charity's pseudonymous
 * reference (hh_…), which the caller turns back into a uuid for that charity only.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PSEUDONYM = /^hh_[A-Za-z0-9_-]{22}$/;

export function isUuid(s: string): boolean {
  return UUID.test(s);
}

export function encodeCursor(reference: string): string {
  return Buffer.from(`h:${reference}`, "utf8").toString("base64url");
}

/** The reference inside a cursor (a uuid or a charity reference), or null when it is not a cursor. */
export function decodeCursor(cursor: string): string | null {
  if (cursor.length > 64) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith("h:")) return null;
  const reference = text.slice(2);
  return isUuid(reference) || PSEUDONYM.test(reference) ? reference : null;
}

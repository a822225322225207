/** Opaque, stable page cursors: base64url of "h:<household uuid>". Ordering is by household id. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(s: string): boolean {
  return UUID.test(s);
}

export function encodeCursor(id: string): string {
  return Buffer.from(`h:${id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): string | null {
  if (cursor.length > 64) return null;
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  if (!text.startsWith("h:")) return null;
  const id = text.slice(2);
  return isUuid(id) ? id : null;
}

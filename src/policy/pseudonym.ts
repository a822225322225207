/**
 * Per-charity pseudonymous references. A household (or person) id becomes, for charity C,
 * prefix + base64url(AES-256(key_C, uuid bytes)) — one AES block, a keyed permutation: stable for C,
 * reversible only by the gateway, and unlinkable across charities because each charity's key is
 * derived (HKDF-SHA256) from the gateway secret and the charity id.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from "node:crypto";

export type PseudonymKind = "household" | "person" | "need";
const PREFIX: Record<PseudonymKind, string> = { household: "hh_", person: "pp_", need: "nd_" };

/** Which kind of reference a pseudonym-masked field holds: Person.id a person's, Need.id a need's, the rest a household's. */
export function pseudonymKindOf(coordinate: string): PseudonymKind {
  if (coordinate.startsWith("Person.")) return "person";
  if (coordinate === "Need.id") return "need";
  return "household";
}

export class Pseudonymizer {
  private readonly keys = new Map<string, Buffer>();
  constructor(private readonly secret: Buffer) {
    if (secret.length < 32) throw new Error("pseudonym secret must be at least 32 bytes");
  }

  private key(charityId: string, kind: PseudonymKind): Buffer {
    const id = `${kind}:${charityId}`;
    let k = this.keys.get(id);
    if (!k) {
      k = Buffer.from(hkdfSync("sha256", this.secret, Buffer.alloc(0), `safetynet-pseudonym:${id}`, 32));
      if (this.keys.size > 10_000) this.keys.clear();
      this.keys.set(id, k);
    }
    return k;
  }

  /**
   * A keyed hash (HMAC-SHA256) of `data` under a key derived (HKDF) from the gateway secret and `label`:
   * the building block of the API's opaque identifiers (src/policy/opaque.ts).
   */
  mac(label: string, data: string): Buffer {
    return createHmac("sha256", this.key(label, "mac" as PseudonymKind)).update(data, "utf8").digest();
  }

  encode(charityId: string, kind: PseudonymKind, uuid: string): string {
    const block = Buffer.from(uuid.replaceAll("-", ""), "hex");
    if (block.length !== 16) throw new Error("not a uuid");
    const c = createCipheriv("aes-256-ecb", this.key(charityId, kind), null).setAutoPadding(false);
    return PREFIX[kind] + Buffer.concat([c.update(block), c.final()]).toString("base64url");
  }

  /** The uuid behind a reference, or null when it is not one of this charity's references. */
  decode(charityId: string, kind: PseudonymKind, reference: string): string | null {
    if (!reference.startsWith(PREFIX[kind])) return null;
    const block = Buffer.from(reference.slice(PREFIX[kind].length), "base64url");
    if (block.length !== 16 || reference.length !== PREFIX[kind].length + 22) return null;
    const d = createDecipheriv("aes-256-ecb", this.key(charityId, kind), null).setAutoPadding(false);
    const hex = Buffer.concat([d.update(block), d.final()]).toString("hex");
    const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    // A forged or foreign reference decrypts to 16 random bytes: reject unless it is a v4-shaped uuid.
    return /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid) ? uuid : null;
  }
}

/**
 * Opaque identifiers at the API boundary (issue 12). The domain keeps its internal keys — an aid link's
 * key is `medicalInsurance:<ID number>:…`, an alert's `NEW_SEVERE_DISABILITY:<person>:<certificate no>` —
 * and those never leave the gateway: every id the API returns for them is a keyed hash (HMAC under a key
 * derived from the gateway's pseudonym secret), stable for the same thing across requests, scoped to the
 * household (the same domain key in two households gives unrelated ids), and carrying no ID number,
 * certificate number, name, phone, address or registry number.
 *
 *   AidLink.id       ln_<22>  HMAC(household | link key)
 *   AidGap.key       gp_<22>  HMAC(household | gap key)
 *   AidDuplicate.key dp_<22>  HMAC(household | duplicate key)
 *   Alert.key        al_<43>  household uuid (16 bytes) ‖ HMAC(household | alert key) (16 bytes): the
 *                    mutations find the household from it, recompute its alerts and take the one whose
 *                    opaque key matches; alert_action rows store this opaque key.
 */
import type { Pseudonymizer } from "./pseudonym.js";

export type OpaqueKind = "link" | "gap" | "duplicate" | "alert";
const PREFIX: Record<OpaqueKind, string> = { link: "ln_", gap: "gp_", duplicate: "dp_", alert: "al_" };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function tag(p: Pseudonymizer, kind: OpaqueKind, householdId: string, domainKey: string): Buffer {
  return p.mac(`opaque-id:${kind}`, `${householdId}\u0000${domainKey}`).subarray(0, 16);
}

/** The opaque id of a link, gap or duplicate of one household. */
export function opaqueId(p: Pseudonymizer, kind: Exclude<OpaqueKind, "alert">, householdId: string, domainKey: string): string {
  return PREFIX[kind] + tag(p, kind, householdId, domainKey).toString("base64url");
}

/** The opaque key of an alert of one household. */
export function opaqueAlertKey(p: Pseudonymizer, householdId: string, domainKey: string): string {
  const uuid = Buffer.from(householdId.replaceAll("-", ""), "hex");
  return PREFIX.alert + Buffer.concat([uuid, tag(p, "alert", householdId, domainKey)]).toString("base64url");
}

/** The household an opaque alert key names (still to be checked against its alerts), or null when it is not one. */
export function alertKeyHousehold(key: string): string | null {
  if (!key.startsWith(PREFIX.alert) || key.length !== PREFIX.alert.length + 43) return null;
  const bytes = Buffer.from(key.slice(PREFIX.alert.length), "base64url");
  if (bytes.length !== 32) return null;
  const hex = bytes.subarray(0, 16).toString("hex");
  const uuid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return UUID.test(uuid) ? uuid : null;
}

/** Opaque ids for one household's chain and alerts. */
export interface HouseholdIds {
  link(key: string): string;
  gap(key: string): string;
  duplicate(key: string): string;
  alert(key: string): string;
}

/** Memoised per call: a chain names the same link in several lists (all links, per person, in gaps and duplicates). */
export function householdIds(p: Pseudonymizer, householdId: string): HouseholdIds {
  const memo = (kind: Exclude<OpaqueKind, "alert">) => {
    const ids = new Map<string, string>();
    return (k: string) => {
      let id = ids.get(k);
      if (id === undefined) ids.set(k, (id = opaqueId(p, kind, householdId, k)));
      return id;
    };
  };
  return {
    link: memo("link"),
    gap: memo("gap"),
    duplicate: memo("duplicate"),
    alert: (k) => opaqueAlertKey(p, householdId, k),
  };
}

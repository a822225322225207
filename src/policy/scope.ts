/**
 * Row scope: a principal's jurisdiction decides which households (and so persons) exist for it.
 * Out of scope is indistinguishable from not found: the scope is part of the same WHERE clause.
 */
import type { Prisma } from "../db/generated/client.js";
import type { Jurisdiction } from "../auth/principal.js";

export function householdScope(j: Jurisdiction | null): Prisma.HouseholdWhereInput {
  if (!j) return {};
  switch (j.kind) {
    case "city":
      // Municipality-level code 500000 covers its districts 50xxxx; a prefecture-level city 4 digits.
      return { districtCode: { startsWith: j.city.endsWith("0000") ? j.city.slice(0, 2) : j.city.slice(0, 4) } };
    case "districts":
      return { districtCode: { in: j.districts } };
    case "streets":
      return { streetCode: { in: j.streets } };
  }
}

export function streetInScope(j: Jurisdiction | null, street: { code: string; districtCode: string }): boolean {
  if (!j) return true;
  switch (j.kind) {
    case "city":
      return street.districtCode.startsWith(j.city.endsWith("0000") ? j.city.slice(0, 2) : j.city.slice(0, 4));
    case "districts":
      return j.districts.includes(street.districtCode);
    case "streets":
      return j.streets.includes(street.code);
  }
}

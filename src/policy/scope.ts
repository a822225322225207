/**
 * Row scope: a principal's jurisdiction decides which households (and so persons) exist for it.
 * Out of scope is indistinguishable from not found: the scope is part of the same WHERE clause.
 */
import type { Prisma } from "../db/generated/client.js";
import type { Jurisdiction } from "../auth/principal.js";

/** District-code prefix a city code covers: municipality 500000 -> "50", prefecture-level 510100 -> "5101". */
export function cityPrefix(city: string): string {
  return city.endsWith("0000") ? city.slice(0, 2) : city.slice(0, 4);
}

export function householdScope(j: Jurisdiction | null): Prisma.HouseholdWhereInput {
  if (!j) return {};
  switch (j.kind) {
    case "city":
      return { districtCode: { startsWith: cityPrefix(j.city) } };
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
      return street.districtCode.startsWith(cityPrefix(j.city));
    case "districts":
      return j.districts.includes(street.districtCode);
    case "streets":
      return j.streets.includes(street.code);
  }
}

/**
 * A charity's own resources: offer one, change one (a new quantity moves `remaining` by the same
 * amount, relative to the row as it is when written: claims may have moved it since it was read), close
 * one (no new claims; existing claims stay).
 */
import type { Charity, CharityResource } from "../../db/generated/client.js";
import { STREET_CODE } from "../../auth/principal.js";
import { badInput, notFound, type InputProblem } from "../../errors.js";
import type { RequestDeps } from "../request.js";
import type { ResourceFields, UpdateResourceFields } from "./inputs.js";
import { fail, uuidArg, validateResource, validateResourceUpdate } from "./validate.js";

type Deps = Pick<RequestDeps, "prisma">;

/** Street codes must name streets that exist (an unknown one is UNKNOWN_STREET). */
async function knownStreets(deps: Deps, streets: string[] | undefined): Promise<InputProblem[]> {
  if (!streets?.length) return [];
  const found = new Set((await deps.prisma.street.findMany({ where: { code: { in: streets } }, select: { code: true } })).map((s) => s.code));
  return streets.flatMap((s, i) => (STREET_CODE.test(s) && !found.has(s) ? [{ field: `input.streets.${i}`, reason: "UNKNOWN_STREET" as const, message: `input.streets.${i} is not a known street` }] : []));
}

async function ownResource(deps: Deps, charityId: string, id: string): Promise<CharityResource> {
  uuidArg("id", id, "resource");
  const r = await deps.prisma.charityResource.findFirst({ where: { id, charityId } });
  if (!r) throw notFound("Resource");
  return r;
}

export async function createResource(deps: Deps, me: Charity, input: ResourceFields): Promise<CharityResource> {
  fail([...validateResource(input, me.districts), ...(await knownStreets(deps, input.streets))]);
  return deps.prisma.charityResource.create({
    data: {
      charityId: me.id,
      category: input.category,
      title: input.title.trim(),
      unit: input.unit,
      quantity: input.quantity,
      remaining: input.quantity,
      districts: [...new Set(input.districts ?? [])],
      streets: [...new Set(input.streets ?? [])],
      tiers: [...new Set(input.tiers ?? [])],
      minAge: input.minAge ?? null,
      maxAge: input.maxAge ?? null,
      disabilityRequired: input.disabilityRequired ?? false,
      shared: input.shared ?? false,
      validFrom: input.validFrom,
      validTo: input.validTo ?? null,
    },
  });
}

export async function updateResource(deps: Deps, me: Charity, id: string, input: UpdateResourceFields): Promise<CharityResource> {
  const current = await ownResource(deps, me.id, id);
  fail([...validateResourceUpdate(input, current, me.districts), ...(await knownStreets(deps, input.streets))]);
  return deps.prisma.$transaction(async (tx) => {
    if (input.quantity != null && input.quantity !== current.quantity) {
      // relative to the row as it is now (claims may have moved remaining since it was read)
      const delta = input.quantity - current.quantity;
      const changed = await tx.$executeRaw`UPDATE "charity_resource" SET "quantity" = "quantity" + ${delta}, "remaining" = "remaining" + ${delta}, "updated_at" = now()
        WHERE "id" = ${id}::uuid AND "quantity" = ${current.quantity} AND "remaining" + ${delta} >= 0`;
      if (changed !== 1) throw badInput([{ field: "input.quantity", reason: "RANGE", message: "input.quantity is below what is already claimed" }]);
    }
    return tx.charityResource.update({
      where: { id },
      data: {
        ...(input.title != null && { title: input.title.trim() }),
        ...(input.districts != null && { districts: [...new Set(input.districts)] }),
        ...(input.streets != null && { streets: [...new Set(input.streets)] }),
        ...(input.tiers != null && { tiers: [...new Set(input.tiers)] }),
        ...(input.minAge !== undefined && { minAge: input.minAge }),
        ...(input.maxAge !== undefined && { maxAge: input.maxAge }),
        ...(input.disabilityRequired != null && { disabilityRequired: input.disabilityRequired }),
        ...(input.validTo !== undefined && { validTo: input.validTo }),
      },
    });
  });
}

export async function closeResource(deps: Deps, me: Charity, id: string): Promise<CharityResource> {
  const current = await ownResource(deps, me.id, id);
  if (current.status === "CLOSED") return current;
  return deps.prisma.charityResource.update({ where: { id }, data: { status: "CLOSED" } });
}

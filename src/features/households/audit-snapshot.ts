/**
 * A household as the access log's mutation diffs see it (src/audit/diff.ts): registry fields, members
 * keyed by id, incomes and assets as lists. Read inside the mutation's transaction, before and after.
 */
import type { Prisma } from "../../db/generated/client.js";
import type { Snapshot } from "../../audit/diff.js";

export async function householdSnapshot(tx: Prisma.TransactionClient, id: string): Promise<Snapshot | null> {
  const h = await tx.household.findUnique({
    where: { id },
    include: {
      members: { orderBy: { id: "asc" } },
      incomes: { orderBy: [{ validFrom: "asc" }, { id: "asc" }] },
      assets: { orderBy: { id: "asc" } },
    },
  });
  if (!h) return null;
  return {
    household: {
      id: h.id,
      registryNo: h.registryNo,
      districtCode: h.districtCode,
      streetCode: h.streetCode,
      address: h.address,
      hukou: h.hukou,
      status: h.status,
      phone: h.phone,
      contactConsent: h.contactConsent,
      version: h.version,
    },
    members: Object.fromEntries(
      h.members.map((m) => [
        m.id,
        { id: m.id, idNumber: m.idNumber, name: m.name, sex: m.sex, birthDate: m.birthDate, relation: m.relation, workAbility: m.workAbility, selfCare: m.selfCare },
      ]),
    ),
    incomes: h.incomes.map((i) => ({ source: i.source, monthlyFen: i.monthlyFen, validFrom: i.validFrom, validTo: i.validTo, personId: i.personId })),
    assets: h.assets.map((a) => ({ kind: a.kind, valueFen: a.valueFen, description: a.description })),
  };
}

/** Member ids of a snapshot (the persons a mutation's response can disclose). */
export function snapshotPersons(s: Snapshot | null): string[] {
  return s ? Object.keys((s.members as Record<string, unknown>) ?? {}) : [];
}

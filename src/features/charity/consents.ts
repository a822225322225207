/** A household's consent to disclose its contact details to one charity: recorded and revoked by street offices. */
import type { ContactConsent } from "../../db/generated/client.js";
import { notFound } from "../../errors.js";
import type { RequestDeps } from "../request.js";
import { householdInScope } from "./needs.js";

type Deps = Pick<RequestDeps, "prisma" | "principal" | "now" | "loaders">;

/** Recording it again returns the consent in force. */
export async function recordContactConsent(deps: Deps, householdId: string, charityId: string): Promise<ContactConsent> {
  const h = await householdInScope(deps, householdId);
  const charity = await deps.prisma.charity.findUnique({ where: { id: charityId } });
  if (!charity) throw notFound("Charity");
  return deps.prisma.$transaction(async (tx) => {
    const current = await tx.contactConsent.findFirst({ where: { householdId: h.id, charityId, revokedAt: null } });
    if (current) return current;
    return tx.contactConsent.create({ data: { householdId: h.id, charityId, recordedBy: deps.principal.subject, recordedAt: deps.now } });
  });
}

export async function revokeContactConsent(deps: Deps, householdId: string, charityId: string): Promise<ContactConsent> {
  const h = await householdInScope(deps, householdId);
  const current = await deps.prisma.contactConsent.findFirst({ where: { householdId: h.id, charityId, revokedAt: null } });
  if (!current) throw notFound("Consent");
  return deps.prisma.contactConsent.update({ where: { id: current.id }, data: { revokedAt: deps.now, revokedBy: deps.principal.subject } });
}

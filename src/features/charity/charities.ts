/** The partner charities' register (civil affairs): register one, suspend one. */
import type { Charity } from "../../db/generated/client.js";
import { isUniqueViolation } from "../../db/errors.js";
import { alreadyExists, notFound } from "../../errors.js";
import type { RequestDeps } from "../request.js";
import type { RegisterCharityFields } from "./inputs.js";
import { fail, validateCharity, validateText } from "./validate.js";

type Deps = Pick<RequestDeps, "prisma" | "now">;

export async function registerCharity(deps: Deps, input: RegisterCharityFields): Promise<Charity> {
  fail(validateCharity(input));
  try {
    return await deps.prisma.charity.create({
      data: { id: input.id, name: input.name.trim(), registrationNo: input.registrationNo, districts: [...new Set(input.districts)] },
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyExists("A charity with this id or registration number is already registered", "input");
    throw err;
  }
}

/** From now on the charity reads nothing new and claims nothing (./suspension.ts); suspending twice changes nothing. */
export async function suspendCharity(deps: Deps, id: string, reason: string): Promise<Charity> {
  fail(validateText("reason", reason, true));
  const charity = await deps.prisma.charity.findUnique({ where: { id } });
  if (!charity) throw notFound("Charity");
  if (charity.status === "SUSPENDED") return charity;
  return deps.prisma.charity.update({ where: { id }, data: { status: "SUSPENDED", suspendedAt: deps.now, suspendedReason: reason.trim() } });
}

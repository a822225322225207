import { Prisma } from "./generated/client.js";

/** A unique constraint refused the write (Prisma P2002). */
export function isUniqueViolation(err: unknown): err is Prisma.PrismaClientKnownRequestError {
  return err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";
}

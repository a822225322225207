import type { PrismaClient } from "../db/generated/client.js";
import { createRegistryLoaders, type RegistryLoaders } from "../registry/loaders.js";

/** Everything a resolver may use for one request. Built fresh per request: nothing here is shared. */
export interface GatewayContext {
  requestId: string;
  prisma: PrismaClient;
  loaders: RegistryLoaders;
  /** The request's clock reading: every rule in one request sees the same "today". */
  now: Date;
}

export function createContext(prisma: PrismaClient, requestId: string, now = new Date()): GatewayContext {
  return { requestId, prisma, loaders: createRegistryLoaders(prisma), now };
}

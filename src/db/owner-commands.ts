/**
 * The commands the running gateway serves on its admin socket (src/db/admin-socket.ts) for the CLIs that
 * may not open its embedded database themselves: they run here, over the gateway's own connection, and
 * answer with the same report and exit code as the CLI run alone.
 */
import type { Database } from "./database.js";
import { startAdminSocket, type AdminResult, type AdminSocket } from "./admin-socket.js";
import { main as verifyMain, type Io } from "../audit/verify-cli.js";
import { main as checkpointMain } from "../audit/checkpoint-cli.js";
import type { AuditWriter } from "../audit/writer.js";
import type { MirrorService } from "../../connectors/kit/index.js";
import { main as syncMain } from "../app/sync-cli.js";

async function captured(run: (io: Io) => Promise<number>): Promise<AdminResult> {
  let stdout = "";
  let stderr = "";
  const code = await run({ stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

/** Starts the owner's admin socket when the database is an embedded one in a directory; null otherwise. */
export async function startOwnerCommands(parts: { db: Database; writer?: AuditWriter; mirror?: MirrorService; env?: NodeJS.ProcessEnv }): Promise<AdminSocket | null> {
  if (!parts.db.owner) return null;
  const env = parts.env ?? process.env;
  return startAdminSocket(parts.db.owner.adminSocket, {
    "audit:verify": (args) => captured((io) => verifyMain(args, env, io, { db: parts.db })),
    "audit:checkpoint": () => captured((io) => checkpointMain(env, io, { db: parts.db, writer: parts.writer })),
    ...(parts.mirror && { sync: (args: string[]) => captured((io) => syncMain(args, env, io, { db: parts.db, mirror: parts.mirror! })) }),
  });
}

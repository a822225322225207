/**
 * npm run audit:checkpoint — writes a signed checkpoint of the access log's head now (on demand; the
 * gateway also writes them every AUDIT_CHECKPOINT_EVERY records and AUDIT_CHECKPOINT_SECONDS seconds).
 * Needs the signing key (AUDIT_SIGNING_KEY, or the development key under DATA_DIR/keys): an operator's
 * tool, not an API call — auditors stay read-only at the API.
 */
import { pathToFileURL } from "node:url";
import { loadConfig } from "../app/config.js";
import { configuredTarget, openDatabase, type Database } from "../db/database.js";
import { DatabaseBusyError } from "../db/owner-lock.js";
import { throughOwner } from "../db/admin-socket.js";
import { loadAuditKeys } from "./keys.js";
import { AuditWriter } from "./writer.js";
import type { Io } from "./verify-cli.js";

/** `owned`: checkpoint over an open database, with its writer when it has one (the running gateway's). */
export async function main(env: NodeJS.ProcessEnv, io: Io, owned?: { db: Database; writer?: Pick<AuditWriter, "checkpoint"> }): Promise<number> {
  const config = loadConfig(env);
  const keys = loadAuditKeys({ configured: config.AUDIT_SIGNING_KEY, keysDir: config.keysDir, create: false });
  let db: Database;
  try {
    db = owned?.db ?? (await openDatabase(configuredTarget(config)));
  } catch (err) {
    if (err instanceof DatabaseBusyError) return throughOwner(err, "audit:checkpoint", [], io); // held by the running gateway
    throw err;
  }
  try {
    const c = await (owned?.writer ?? new AuditWriter(db.sql, { keys })).checkpoint();
    if (!c) {
      io.stdout("audit log is empty: no checkpoint written\n");
      return 0;
    }
    io.stdout(`checkpoint: ${c.seq} record(s), head ${c.headHash}, ${c.at}, key ${c.keyId}\n`);
    return 0;
  } finally {
    if (!owned) await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.env, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`audit:checkpoint: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(2);
    },
  );
}

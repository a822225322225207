/**
 * npm run audit:verify [-- --from-checkpoint] [--public-key <hex>] [--json]
 *
 * Re-computes the access log's hash chain (from genesis, or from the last signed checkpoint) and checks
 * every checkpoint's signature. Exit 0: intact; exit 1: broken, with the position of the first broken
 * link; exit 2: could not check (configuration, database, key). The database is the gateway's own
 * (DATABASE_URL, or the embedded one under DATA_DIR); the public key is derived from AUDIT_SIGNING_KEY or
 * the development key under DATA_DIR/keys unless given.
 */
import { pathToFileURL } from "node:url";
import { loadConfig, ConfigError } from "../config.js";
import { configuredTarget, openDatabase, type Database } from "../db/database.js";
import { DatabaseBusyError } from "../db/owner-lock.js";
import { throughOwner } from "../db/admin-socket.js";
import { loadAuditKeys, verifyKeyFromPublicHex, type AuditVerifyKey } from "./keys.js";
import { verifyLog } from "./verify.js";

export const USAGE = "usage: audit-verify [--from-checkpoint] [--public-key <64 hex>] [--json]";

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** `owned.db`: verify over an open database (the running gateway's, through its admin socket). */
export async function main(args: string[], env: NodeJS.ProcessEnv, io: Io, owned?: { db: Database }): Promise<number> {
  let fromCheckpoint = false;
  let json = false;
  let publicHex: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--from-checkpoint") fromCheckpoint = true;
    else if (a === "--json") json = true;
    else if (a === "--public-key" && args[i + 1]) publicHex = args[++i];
    else {
      io.stderr(`${USAGE}\n`);
      return 2;
    }
  }
  let key: AuditVerifyKey;
  let config;
  try {
    config = loadConfig(env);
    key = publicHex ? verifyKeyFromPublicHex(publicHex) : loadAuditKeys({ configured: config.AUDIT_SIGNING_KEY, keysDir: config.keysDir, create: false });
  } catch (err) {
    io.stderr(`audit:verify: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const target = configuredTarget(config);
  let db;
  try {
    db = owned?.db ?? (await openDatabase(target));
  } catch (err) {
    // The embedded database is held by the running gateway: verify through it, with this key.
    if (err instanceof DatabaseBusyError) return throughOwner(err, "audit:verify", publicHex ? args : [...args, "--public-key", key.publicHex], io);
    io.stderr(`audit:verify: cannot open the database: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  try {
    const r = await verifyLog(db.sql, key, { fromCheckpoint });
    if (json) io.stdout(`${JSON.stringify(r)}\n`);
    else if (r.ok)
      io.stdout(
        `audit log intact: ${r.verified} record(s) re-hashed from ${r.from === 0 ? "genesis" : `the checkpoint at record ${r.from}`}, ` +
          `head ${r.head.seq} ${r.head.hash}, ${r.checkpoints} signed checkpoint(s), key ${key.keyId}\n`,
      );
    else io.stdout(`audit log BROKEN at record ${r.firstBreak!.position} (${r.firstBreak!.kind}): ${r.firstBreak!.message}\n`);
    return r.ok ? 0 : 1;
  } catch (err) {
    io.stderr(`audit:verify: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  } finally {
    if (!owned) await db.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main(process.argv.slice(2), process.env, { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`audit:verify: ${err?.stack ?? err}\n`);
      process.exit(2);
    },
  );
}

/**
 * npm run audit:verify [-- --from-checkpoint] [--public-key <hex>] [--expect-head <seq>:<hash>]... [--json]
 *
 * Re-computes the access log's hash chain (from genesis, or from the last signed checkpoint) and checks
 * every checkpoint's and every signed head's signature. Exit 0: intact; exit 1: broken, with the position
 * of the first broken link; exit 2: could not check (configuration, database, key). The database is the
 * gateway's own (DATABASE_URL, or the embedded one under DATA_DIR); the keys are derived from
 * AUDIT_SIGNING_KEY or the development key under DATA_DIR/keys unless a public key is given. With only a
 * public key the chain's HMACs cannot be re-computed: signatures, linkage and the heads' content digests
 * are checked, and the output says so. `--expect-head` names a head recorded outside the database (the
 * gateway's log stream, a witness): the log must still contain it. The head witness file the gateway
 * writes (AUDIT_WITNESS_FILE, default DATA_DIR/audit-witness.ndjson; `--witness <file>` for another,
 * `--no-witness` to ignore it) supplies the newest such head for this database automatically.
 */
import { pathToFileURL } from "node:url";
import { loadConfig, ConfigError } from "../app/config.js";
import { configuredTarget, openDatabase, type Database } from "../db/database.js";
import { DatabaseBusyError } from "../db/owner-lock.js";
import { throughOwner } from "../db/admin-socket.js";
import { loadAuditKeys, verifyKeyFromPublicHex, type AuditVerifyKey } from "./keys.js";
import { verifyLog } from "./verify.js";
import { databaseIdentity, newestWitnessed } from "./witness.js";

export const USAGE = "usage: audit-verify [--from-checkpoint] [--public-key <64 hex>] [--expect-head <seq>:<64 hex>]... [--witness <file> | --no-witness] [--json]";

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** `owned.db`: verify over an open database (the running gateway's, through its admin socket). */
export async function main(args: string[], env: NodeJS.ProcessEnv, io: Io, owned?: { db: Database }): Promise<number> {
  let fromCheckpoint = false;
  let json = false;
  let publicHex: string | undefined;
  const expectHeads: { seq: number; hash: string }[] = [];
  /** undefined: the configured AUDIT_WITNESS_FILE when it exists; null: none */
  let witnessFile: string | null | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const witness = a === "--expect-head" ? /^([1-9][0-9]{0,15}):([0-9a-f]{64})$/.exec(args[i + 1] ?? "") : null;
    if (a === "--from-checkpoint") fromCheckpoint = true;
    else if (a === "--json") json = true;
    else if (a === "--public-key" && args[i + 1]) publicHex = args[++i];
    else if (a === "--witness" && args[i + 1]) witnessFile = args[++i];
    else if (a === "--no-witness") witnessFile = null;
    else if (witness) {
      expectHeads.push({ seq: Number(witness[1]), hash: witness[2] });
      i++;
    } else {
      io.stderr(`${USAGE}\n`);
      return 2;
    }
  }
  let key: AuditVerifyKey;
  let chainKey: Uint8Array | null = null;
  let config;
  try {
    config = loadConfig(env);
    if (publicHex) key = verifyKeyFromPublicHex(publicHex);
    else {
      const keys = loadAuditKeys({ configured: config.AUDIT_SIGNING_KEY, keysDir: config.keysDir, create: false });
      key = keys;
      chainKey = keys.chainKey;
    }
  } catch (err) {
    io.stderr(`audit:verify: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
  const target = configuredTarget(config);
  // The newest head the witness (a file outside the database) saw for this database must still be there.
  const witnessPath = witnessFile === undefined ? config.auditWitnessFile : witnessFile;
  if (witnessPath) {
    const seen = newestWitnessed(witnessPath, databaseIdentity(target));
    if (seen && !expectHeads.some((h) => h.seq === seen.seq)) expectHeads.push(seen);
  }
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
    const r = await verifyLog(db.sql, key, { fromCheckpoint, chainKey, expectHeads });
    const from = r.from === 0 ? "genesis" : `the checkpoint at record ${r.from}`;
    const tail = `head ${r.head.seq} ${r.head.hash}, ${r.checkpoints} signed checkpoint(s), ${r.heads} signed head(s) checked, key ${key.keyId}`;
    const witnessed = r.witnesses ? `, ${r.witnesses} head(s) seen outside the database found` : "";
    if (json) io.stdout(`${JSON.stringify(r)}\n`);
    else if (r.ok && r.keyed) io.stdout(`audit log intact: ${r.verified} record(s) re-hashed from ${from}, ${tail}${witnessed}\n`);
    else if (r.ok)
      io.stdout(
        `audit log intact as far as the public key can tell: ${r.verified} record(s) linked from ${from}, ${tail}${witnessed}; ` +
          `the HMACs of ${r.notRecomputed} keyed record(s) were not re-computed (that needs the audit key) — their content and hashes were checked against the signed heads\n`,
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

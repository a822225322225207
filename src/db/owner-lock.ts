/**
 * One owner per embedded database. PGlite is one PostgreSQL inside one process: a second process that
 * opens the same data directory (a second gateway, a CLI) loses committed rows or leaves a directory
 * that no longer opens, and nothing in PGlite prevents it. So every process takes this lock BEFORE it
 * opens the directory and holds it until it has closed it.
 *
 * Layout: `<dataDir>.owner/` (beside the data directory, mode 0700) holds generation files
 * `<12-digit generation>.lock`, each the JSON of one owner (pid, command, start time, host, the
 * process's kernel start tick). A file is only ever created whole and exclusively (written to a private
 * temporary name, then hard-linked to its final name: link(2) fails when the name exists). A starter
 *   1. refuses at once when any generation file names a live process;
 *   2. links its own file as the next generation (two starters that chose the same one: exactly one
 *      link succeeds, the other looks again);
 *   3. lists the files again and backs off when any other one names a live process.
 * Every starter links before it looks, so of two starters at least one sees the other: two never both
 * own the directory. No live owner's file is removed to take a lock over; the files of gone owners
 * (clean stop, kill -9) are removed by the next owner.
 * A process is "gone" when its pid does not exist, or exists with another kernel start tick (pid
 * reuse, a container's pid 1 again). A lock written on another host cannot be checked and is refused.
 * Restart after kill -9 works at once: no waiting for a lock to go stale.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, linkSync, mkdirSync, realpathSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface OwnerInfo {
  pid: number;
  /** the process's command line, as far as it is known */
  command: string;
  /** ISO time the lock was taken */
  since: string;
  host: string;
  /** Linux: the process's start time in clock ticks since boot (/proc/<pid>/stat field 22) */
  startTick: number | null;
}

export class DatabaseBusyError extends Error {
  readonly code = "DATABASE_IN_USE";
  constructor(
    readonly dataDir: string,
    readonly owner: OwnerInfo,
    /** the running gateway's admin socket (audit:verify / audit:checkpoint can work through it) */
    readonly adminSocket: string,
  ) {
    const who = owner.host === os.hostname() ? `process ${owner.pid}` : `process ${owner.pid} on host ${owner.host}`;
    super(
      `the embedded database ${dataDir} is in use by ${who} (${owner.command}) since ${owner.since}; ` +
        `only one process may open it at a time — stop that process first` +
        (owner.host === os.hostname() ? "" : ` (a lock taken on another host cannot be checked here; if that process is gone, remove ${lockDirOf(dataDir)})`),
    );
  }
}

export interface OwnerLock {
  readonly dataDir: string;
  /** where the owner may serve local admin requests (a Unix socket inside the lock directory) */
  readonly adminSocket: string;
  release(): void;
}

export function lockDirOf(dataDir: string): string {
  return `${path.resolve(dataDir)}.owner`;
}

/**
 * The admin socket's path: inside the lock directory when that fits a socket address (about 100 bytes),
 * else a name under the temporary directory derived from the lock directory.
 */
export function adminSocketOf(dataDir: string): string {
  const inside = path.join(lockDirOf(dataDir), "admin.sock");
  if (Buffer.byteLength(inside) <= 100) return inside;
  const tag = createHash("sha256").update(lockDirOf(dataDir)).digest("hex").slice(0, 16);
  return path.join(os.tmpdir(), `safetynet-admin-${tag}.sock`);
}

const GEN_FILE = /^(\d{12})\.lock$/;

function startTickOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // the command (field 2) may hold spaces and parentheses: fields after the last ")" are plain
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const tick = Number(fields[19]); // field 22 overall
    return Number.isFinite(tick) ? tick : null;
  } catch {
    return null;
  }
}

/** true: the owner process still runs; false: it is gone; null: cannot tell (another host). */
export function ownerAlive(owner: OwnerInfo): boolean | null {
  if (owner.host !== os.hostname()) return null;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
    // EPERM: it exists (another user's process)
  }
  if (owner.startTick !== null) {
    const now = startTickOf(owner.pid);
    if (now !== null && now !== owner.startTick) return false; // the pid was reused
  }
  return true;
}

function generations(lockDir: string): number[] {
  return readdirSync(lockDir)
    .map((f) => GEN_FILE.exec(f)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The generation files other than `except`, with their owners (files removed meanwhile are skipped). */
function others(lockDir: string, except: number): { gen: number; owner: OwnerInfo }[] {
  const out: { gen: number; owner: OwnerInfo }[] = [];
  for (const gen of generations(lockDir)) {
    if (gen === except) continue;
    const owner = readOwner(genPath(lockDir, gen));
    if (owner) out.push({ gen, owner });
  }
  return out;
}

const genPath = (lockDir: string, gen: number) => path.join(lockDir, `${String(gen).padStart(12, "0")}.lock`);

function readOwner(file: string): OwnerInfo | null {
  try {
    const o = JSON.parse(readFileSync(file, "utf8"));
    return typeof o?.pid === "number" ? { pid: o.pid, command: String(o.command), since: String(o.since), host: String(o.host), startTick: o.startTick ?? null } : null;
  } catch {
    return null; // removed meanwhile (its owner released it)
  }
}

function selfInfo(): OwnerInfo {
  return {
    pid: process.pid,
    command: [path.basename(process.argv0 || "node"), ...process.argv.slice(1).map((a, i) => (i === 0 ? path.relative(process.cwd(), a) || a : a))].join(" "),
    since: new Date().toISOString(),
    host: os.hostname(),
    startTick: startTickOf(process.pid),
  };
}

/** One name per directory, whatever symbolic links the configured path goes through. */
function canonicalDir(dataDir: string): string {
  const dir = path.resolve(dataDir);
  if (existsSync(dir)) return realpathSync(dir);
  mkdirSync(path.dirname(dir), { recursive: true });
  return path.join(realpathSync(path.dirname(dir)), path.basename(dir));
}

/** Locks held by this process, by data directory: a second open in the same process is refused too. */
const heldHere = new Map<string, OwnerInfo>();

/**
 * Takes the exclusive lock on a PGlite data directory, or throws DatabaseBusyError naming the owner.
 * Never waits: a live owner refuses at once, a gone owner's lock is taken over at once.
 */
export function acquireOwnerLock(dataDir: string): OwnerLock {
  const dir = canonicalDir(dataDir);
  const lockDir = lockDirOf(dir);
  const adminSocket = adminSocketOf(dir);
  const mine = heldHere.get(dir);
  if (mine) throw new DatabaseBusyError(dir, mine, adminSocket);
  mkdirSync(lockDir, { recursive: true, mode: 0o700 });
  const me = selfInfo();
  const tmp = path.join(lockDir, `.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(me)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      // Anyone alive holding a generation file owns the directory (or is about to back off): refuse.
      const before = others(lockDir, -1);
      const live = before.find((o) => ownerAlive(o.owner) !== false);
      if (live) throw new DatabaseBusyError(dir, live.owner, adminSocket);
      const gen = (generations(lockDir).at(-1) ?? 0) + 1;
      try {
        linkSync(tmp, genPath(lockDir, gen));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") continue; // another starter took it first
        throw err;
      }
      // Every starter links first and looks second, so of two starters at least one sees the other:
      // whoever sees another live file backs off.
      const after = others(lockDir, gen);
      if (after.some((o) => ownerAlive(o.owner) !== false)) {
        try {
          unlinkSync(genPath(lockDir, gen));
        } catch {}
        continue;
      }
      // Ours. The other files belong to processes that are gone.
      for (const o of after)
        try {
          unlinkSync(genPath(lockDir, o.gen));
        } catch {}
      heldHere.set(dir, me);
      const file = genPath(lockDir, gen);
      let released = false;
      return {
        dataDir: dir,
        adminSocket,
        release() {
          if (released) return;
          released = true;
          heldHere.delete(dir);
          try {
            unlinkSync(file);
          } catch {}
        },
      };
    }
    throw new Error(`could not take the lock on ${dir}: too much contention in ${lockDir}`);
  } finally {
    try {
      unlinkSync(tmp);
    } catch {}
  }
}

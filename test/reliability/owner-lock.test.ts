/**
 * The owner lock itself (src/db/owner-lock.ts): many processes starting at once on one directory — a
 * fresh one, one whose owner was killed with SIGKILL, one whose owner stopped cleanly — and exactly one
 * of them owns it each time, the others naming that one. In-process: a second open is refused, a reused
 * pid does not keep a dead owner's lock, a lock from another host is not taken over.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { acquireOwnerLock, DatabaseBusyError, lockDirOf } from "../../src/db/owner-lock.js";
import { openDatabase } from "../../src/db/database.js";
import { REPO } from "./processes.js";
import { compileCli } from "../helpers/cli.js";

let lockJs: string;
let tmp: string;
let starterScript: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), "safetynet-lock-"));
  lockJs = await compileCli(tmp, "src/db/owner-lock.ts");
  starterScript = path.join(tmp, "starter.mjs");
  // Takes the lock, says "won <pid>" or "busy <owner pid>", and holds a won lock until stdin ends.
  await writeFile(
    starterScript,
    `import { acquireOwnerLock } from ${JSON.stringify(lockJs)};
const dir = process.argv[2];
try {
  const lock = acquireOwnerLock(dir);
  process.stdout.write("won " + process.pid + "\\n");
  process.stdin.on("end", () => { lock.release(); process.exit(0); });
  process.stdin.resume();
} catch (err) {
  process.stdout.write(err.owner ? "busy " + err.owner.pid + "\\n" : "error " + err.message + "\\n");
  process.exit(0);
}
`,
  );
}, 300_000);

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await rm(tmp, { recursive: true, force: true });
});

interface Starter {
  child: ChildProcess;
  line: Promise<string>;
}

function starter(dir: string): Starter {
  const child = spawn(process.execPath, [starterScript, dir], { cwd: REPO, stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  let text = "";
  const line = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d) => {
      text += d;
      if (text.includes("\n")) resolve(text.trim());
    });
    child.on("close", () => reject(new Error(`starter ${child.pid} ended without a word: ${text}`)));
  });
  return { child, line };
}

/** Starts n processes at once on dir; returns the winner and checks the others name it. */
async function race(dir: string, n: number): Promise<Starter> {
  const starters = Array.from({ length: n }, () => starter(dir));
  const lines = await Promise.all(starters.map((s) => s.line));
  const winners = starters.filter((_, i) => lines[i].startsWith("won "));
  expect(winners, lines.join("\n")).toHaveLength(1);
  const winner = winners[0];
  // A refused starter names the process it found holding the directory: the winner, or (rarely) a
  // starter of the same race that had linked its file and was about to back off.
  const pids = starters.map((s) => String(s.child.pid));
  for (const l of lines) expect(l, lines.join("\n")).toMatch(new RegExp(`^(won ${winner.child.pid}|busy (${pids.join("|")}))$`));
  return winner;
}

const ended = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.on("close", () => resolve())));

describe("one owner per directory, over real processes", () => {
  test("fresh, after kill -9 of the owner, after a clean release: each time exactly one of 8 starters owns the directory", { timeout: 300_000 }, async () => {
    const dir = path.join(tmp, "data", "pglite");
    for (let round = 0; round < 2; round++) {
      const first = await race(dir, 8);
      first.child.kill("SIGKILL"); // its lock file stays, naming a process that is gone
      await ended(first.child);
      expect((await readdir(lockDirOf(dir))).filter((f) => f.endsWith(".lock")).length).toBeGreaterThan(0);

      const second = await race(dir, 8);
      second.child.stdin!.end(); // clean release
      await ended(second.child);
      expect((await readdir(lockDirOf(dir))).filter((f) => f.endsWith(".lock"))).toEqual([]);

      const third = await race(dir, 8);
      third.child.stdin!.end();
      await ended(third.child);
    }
  });
});

describe("in one process", () => {
  test("a second open of the same directory is refused naming this process; after close it opens again", { timeout: 120_000 }, async () => {
    const dataDir = path.join(tmp, "inproc", "pglite");
    const db = await openDatabase({ kind: "pglite", dataDir });
    try {
      const err = await openDatabase({ kind: "pglite", dataDir }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DatabaseBusyError);
      expect((err as DatabaseBusyError).owner.pid).toBe(process.pid);
      expect((err as DatabaseBusyError).message).toContain(`in use by process ${process.pid}`);
    } finally {
      await db.close();
    }
    const again = await openDatabase({ kind: "pglite", dataDir });
    expect((await again.sql.query<{ one: number }>("SELECT 1 AS one"))[0].one).toBe(1);
    await again.close();
  });

  test.skipIf(process.platform !== "linux")("a lock naming a live pid with another start tick (the pid was reused) is a gone owner's: taken over", async () => {
    const dir = path.join(tmp, "reused", "pglite");
    await mkdir(lockDirOf(dir), { recursive: true });
    const myTick = Number(readFileSync(`/proc/${process.pid}/stat`, "utf8").split(") ")[1].split(" ")[19]);
    const stale = { pid: process.pid, command: "node old-gateway", since: "2026-01-01T00:00:00.000Z", host: os.hostname(), startTick: myTick - 1 };
    await writeFile(path.join(lockDirOf(dir), "000000000007.lock"), JSON.stringify(stale));
    const lock = acquireOwnerLock(dir);
    const files = (await readdir(lockDirOf(dir))).filter((f) => f.endsWith(".lock"));
    expect(files).toEqual(["000000000008.lock"]);
    expect(JSON.parse(readFileSync(path.join(lockDirOf(dir), files[0]), "utf8"))).toMatchObject({ pid: process.pid, startTick: myTick });
    lock.release();
    expect((await readdir(lockDirOf(dir))).filter((f) => f.endsWith(".lock"))).toEqual([]);
  });

  test("a lock written on another host cannot be checked: refused, saying so", async () => {
    const dir = path.join(tmp, "remote", "pglite");
    await mkdir(lockDirOf(dir), { recursive: true });
    const remote = { pid: 1, command: "node dist/src/app/main.js", since: "2026-01-01T00:00:00.000Z", host: `not-${os.hostname()}`, startTick: 5 };
    await writeFile(path.join(lockDirOf(dir), "000000000003.lock"), JSON.stringify(remote));
    expect(() => acquireOwnerLock(dir)).toThrow(/in use by process 1 on host not-.*\(node dist\/src\/app\/main\.js\) since 2026-01-01T00:00:00\.000Z.*another host/);
    expect((await readdir(lockDirOf(dir))).filter((f) => f.endsWith(".lock"))).toEqual(["000000000003.lock"]);
  });

  test("the same directory reached through a symbolic link is the same lock", async () => {
    const real = path.join(tmp, "real-data");
    await mkdir(real, { recursive: true });
    const alias = path.join(tmp, "alias-data");
    await symlink(real, alias, "dir");
    const lock = acquireOwnerLock(path.join(real, "pglite"));
    try {
      expect(() => acquireOwnerLock(path.join(alias, "pglite"))).toThrow(DatabaseBusyError);
    } finally {
      lock.release();
    }
    acquireOwnerLock(path.join(alias, "pglite")).release();
  });
});

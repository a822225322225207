/**
 * The embedded database's owner (the running gateway) serves a few operator commands on a local Unix
 * socket beside its data directory, so a CLI that may not open the directory itself (src/db/owner-lock.ts)
 * can still run through the owner's own connection: `audit:verify`, `audit:checkpoint`.
 *
 * The socket lives in the lock directory (mode 0700) and is itself mode 0600: only the OS user that runs
 * the gateway (and root) can connect. Protocol: one JSON line from the client
 * `{"command": "...", "args": [...]}`, one JSON line back `{"code": n, "stdout": "...", "stderr": "..."}`.
 */
import { chmodSync, unlinkSync } from "node:fs";
import net from "node:net";

export interface AdminResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type AdminHandler = (args: string[]) => Promise<AdminResult>;

const MAX_REQUEST_BYTES = 64 * 1024;

export interface AdminSocket {
  readonly path: string;
  close(): Promise<void>;
}

/** Listens on `socketPath` (a leftover socket file of a gone owner is replaced: the caller holds the lock). */
export async function startAdminSocket(socketPath: string, handlers: Record<string, AdminHandler>): Promise<AdminSocket> {
  try {
    unlinkSync(socketPath);
  } catch {}
  const server = net.createServer((conn) => {
    let buffer = "";
    conn.setEncoding("utf8");
    conn.on("error", () => {});
    // A client that connects and says nothing is dropped; once asked, the command may take its time.
    conn.setTimeout(30_000, () => conn.destroy());
    conn.on("data", (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_REQUEST_BYTES) return conn.destroy();
      const nl = buffer.indexOf("\n");
      if (nl < 0) return;
      conn.setTimeout(0);
      conn.pause();
      void answer(buffer.slice(0, nl)).then((r) => conn.end(`${JSON.stringify(r)}\n`));
    });
  });
  const answer = async (line: string): Promise<AdminResult> => {
    let request: { command?: unknown; args?: unknown };
    try {
      request = JSON.parse(line);
    } catch {
      return { code: 2, stdout: "", stderr: "admin socket: the request is not JSON\n" };
    }
    const handler = typeof request.command === "string" && Object.hasOwn(handlers, request.command) ? handlers[request.command] : undefined;
    if (!handler) return { code: 2, stdout: "", stderr: `admin socket: unknown command ${JSON.stringify(request.command)}\n` };
    const args = Array.isArray(request.args) ? request.args.filter((a): a is string => typeof a === "string") : [];
    try {
      return await handler(args);
    } catch (err) {
      return { code: 2, stdout: "", stderr: `${request.command}: ${err instanceof Error ? err.message : String(err)}\n` };
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      resolve();
    });
  });
  chmodSync(socketPath, 0o600);
  return {
    path: socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        try {
          unlinkSync(socketPath);
        } catch {}
      }),
  };
}

/**
 * Sends one command to the owner's admin socket. Resolves null when nobody serves it (no socket, or a
 * process that holds the lock but serves no socket, e.g. `seed`).
 */
export function callAdmin(socketPath: string, command: string, args: string[]): Promise<AdminResult | null> {
  return new Promise((resolve, reject) => {
    const conn = net.createConnection(socketPath);
    let buffer = "";
    let connected = false;
    conn.setEncoding("utf8");
    conn.on("connect", () => {
      connected = true;
      conn.write(`${JSON.stringify({ command, args })}\n`);
    });
    conn.on("data", (chunk: string) => (buffer += chunk));
    conn.on("error", (err: NodeJS.ErrnoException) => {
      if (!connected && (err.code === "ENOENT" || err.code === "ECONNREFUSED")) resolve(null);
      else reject(new Error(`admin socket ${socketPath}: ${err.message}`));
    });
    conn.on("end", () => {
      try {
        const r = JSON.parse(buffer) as AdminResult;
        resolve({ code: Number(r.code), stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") });
      } catch {
        reject(new Error(`admin socket ${socketPath}: the owner closed the connection without an answer`));
      }
    });
  });
}

/**
 * For a CLI whose database is held by another process: runs `command` through the owner's admin socket
 * and prints its answer; when the owner serves none, prints why the database cannot be opened. Returns
 * the exit code (`refusedCode` for a refusal).
 */
export async function throughOwner(
  busy: { message: string; adminSocket: string },
  command: string,
  args: string[],
  io: { stdout(text: string): void; stderr(text: string): void },
  refusedCode = 2,
): Promise<number> {
  const r = await callAdmin(busy.adminSocket, command, args);
  if (!r) {
    io.stderr(`${command}: ${busy.message}\n`);
    return refusedCode;
  }
  io.stderr(`${command}: the database is held by the running gateway; ran through it\n`);
  if (r.stdout) io.stdout(r.stdout);
  if (r.stderr) io.stderr(r.stderr);
  return r.code;
}

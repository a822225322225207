/**
 * A production start never loads the development room: the project is compiled, its compiled dev/ deleted,
 * and `npm start`'s entry (src/app/main.js) started with NODE_ENV=production over an empty embedded
 * registry. It serves: /healthz answers, and a query with a token its JWKS file verifies answers from an
 * empty registry (no synthetic data set was seeded). Had any module on the start path imported dev/ — or
 * the start opened the door to it — the process would have failed to start.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { REPO, buildProject, removeBuild } from "../reliability/processes.js";
import { authConfigFromEnv } from "../../src/auth/config.js";
import { loadOrCreateDevKeys } from "../../dev/keys/dev-keys.js";

let out: string | undefined;
const dataDir = mkdtempSync(path.join(os.tmpdir(), "prod-start-"));
beforeAll(async () => {
  out = await buildProject();
  rmSync(path.join(out, "dev"), { recursive: true, force: true });
});
afterAll(async () => {
  await removeBuild(out);
  rmSync(dataDir, { recursive: true, force: true });
});

test("NODE_ENV=production starts and serves without the compiled dev/ room, over an empty registry", async () => {
  expect(existsSync(path.join(out!, "dev"))).toBe(false);
  expect(existsSync(path.join(out!, "src/app/main.js"))).toBe(true);
  // the test's own key pair; the gateway trusts only its public JWKS file
  const jwt = { JWT_ISSUER: "prod-test-issuer", JWT_AUDIENCE: "prod-test-audience" };
  const keysDir = path.join(dataDir, "test-keys");
  const auth = authConfigFromEnv({ NODE_ENV: "production", ...jwt, JWT_JWKS_FILE: path.join(keysDir, "dev-jwks.json") });
  if (!auth.ok) throw new Error(auth.problems.join("; "));
  const keys = await loadOrCreateDevKeys(keysDir, auth.config);
  const nowhere = "http://127.0.0.1:9";
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
    PORT: "0",
    DATA_DIR: path.join(dataDir, "data"),
    ...jwt,
    JWT_JWKS_FILE: keys.jwksPath,
    PSEUDONYM_SECRET: "ab".repeat(32),
    AUDIT_SIGNING_KEY: "11".repeat(32),
    EDUCATION_URL: nowhere,
    EMPLOYMENT_URL: nowhere,
    HOUSING_URL: nowhere,
    DISABILITY_URL: nowhere,
    MEDICAL_INSURANCE_URL: nowhere,
    MEDICAL_INSURANCE_CLIENT_ID: "c",
    MEDICAL_INSURANCE_CLIENT_SECRET: "s",
  };
  const child = spawn(process.execPath, [path.join(out!, "src/app/main.js")], { env, cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  child.stdout.on("data", (d) => (text += d));
  child.stderr.on("data", (d) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  try {
    let url: string | undefined;
    while (!url) {
      if (ended) throw new Error(`the production start failed:\n${text}`);
      url = /health\s+(http:\/\/\S+)\/healthz/.exec(text)?.[1];
      await new Promise((r) => setTimeout(r, 200));
    }
    // no development tokens, no sandboxes, no data set in the banner
    expect(text).not.toMatch(/Development tokens|sandboxes|data set/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const token = await keys.mint({ audience: "civil_affairs", city: "500000", ttl: "10m" });
    const res = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ households(first: 1) { totalCount } }" }),
    });
    expect(await res.json()).toEqual({ data: { households: { totalCount: 0 } } });
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
});

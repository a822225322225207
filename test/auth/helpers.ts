import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import { SignJWT, base64url, exportJWK, generateKeyPair, type CryptoKey, type JSONWebKeySet, type JWK } from "jose";
import { authConfigFromEnv, type AuthConfig } from "../../src/auth/config.js";
import { AuthError, type AuthFailureReason } from "../../src/auth/errors.js";

export const ISSUER = "https://idp.safetynet.test/realms/city";
export const AUDIENCE = "safetynet-gateway";

/** An AuthConfig from env overrides on top of a test baseline (keys are passed to the verifier separately). */
export function testConfig(env: Record<string, string> = {}): AuthConfig {
  const result = authConfigFromEnv({
    NODE_ENV: "test",
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    JWT_JWKS_FILE: "/nonexistent/jwks.json",
    ...env,
  });
  if (!result.ok) throw new Error(`test config invalid: ${result.problems.join("; ")}`);
  return result.config;
}

export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKey(alg: "ES256" | "RS256" | "PS256" | "EdDSA" | "ES384" = "ES256", kid = `${alg.toLowerCase()}-${Math.random().toString(36).slice(2, 10)}`): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey, publicKey, publicJwk };
}

export const jwksOf = (...keys: TestKey[]): JSONWebKeySet => ({ keys: keys.map((k) => k.publicJwk) });

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Default valid claims for a civil-affairs token; `undefined` values remove a claim. */
export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = nowSeconds();
  const base: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: "user-1",
    iat: now,
    nbf: now,
    exp: now + 600,
    jti: "token-1",
    dept: "civil_affairs",
    roles: ["caseworker"],
    jurisdiction: { city: "500000" },
    ...overrides,
  };
  for (const [k, v] of Object.entries(base)) if (v === undefined) delete base[k];
  return base;
}

/** Signs `payload` as is (no claim helpers, so missing claims stay missing). */
export async function sign(
  key: TestKey,
  payload: Record<string, unknown>,
  header: { alg?: string; kid?: string | null; typ?: string | null } = {},
): Promise<string> {
  const protectedHeader: Record<string, unknown> = { alg: header.alg ?? key.alg };
  if (header.kid !== null) protectedHeader.kid = header.kid ?? key.kid;
  if (header.typ !== null) protectedHeader.typ = header.typ ?? "JWT";
  return new SignJWT(payload).setProtectedHeader(protectedHeader as { alg: string }).sign(key.privateKey);
}

export const b64json = (value: unknown) => base64url.encode(JSON.stringify(value));

/** Expects an AuthError with the given reason; checks the message is short and free of token/key text. */
export async function expectReason(promise: Promise<unknown>, reason: AuthFailureReason, claim?: string): Promise<AuthError> {
  let caught: unknown;
  let principal: unknown;
  try {
    principal = await promise;
  } catch (err) {
    caught = err;
  }
  expect(principal, "no principal on failure").toBeUndefined();
  expect(caught).toBeInstanceOf(AuthError);
  const err = caught as AuthError;
  expect({ reason: err.reason, code: err.code }).toEqual({ reason, code: "UNAUTHENTICATED" });
  if (claim !== undefined) expect(err.claim).toBe(claim);
  expect(err.message.length).toBeLessThan(200);
  expect(err.message).not.toMatch(/BEGIN|eyJ|"kty"|[A-Za-z0-9_-]{40,}/);
  return err;
}

/** A JWKS endpoint on 127.0.0.1:0 counting fetches; `jwks` and `status` can be changed at any time. */
export interface JwksServer {
  url: URL;
  fetches: number;
  jwks: JSONWebKeySet | string;
  status: number;
  /** When true, requests hang (for the timeout test). */
  hang: boolean;
  close(): Promise<void>;
}

export async function startJwksServer(initial: JSONWebKeySet): Promise<JwksServer> {
  const state = { fetches: 0, jwks: initial as JSONWebKeySet | string, status: 200, hang: false };
  const server: Server = createServer((req, res) => {
    if (req.url !== "/jwks.json") {
      res.writeHead(404).end();
      return;
    }
    state.fetches++;
    if (state.hang) return;
    const body = typeof state.jwks === "string" ? state.jwks : JSON.stringify(state.jwks);
    res.writeHead(state.status, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: new URL(`http://127.0.0.1:${port}/jwks.json`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as JwksServer;
}

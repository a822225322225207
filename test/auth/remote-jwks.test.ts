import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SignJWT, exportSPKI } from "jose";
import { createVerifier, type Verifier } from "../../src/auth/verify.js";
import { b64json, claims, expectReason, jwksOf, makeKey, sign, startJwksServer, testConfig, type JwksServer, type TestKey } from "./helpers.js";

/**
 * A real JWKS endpoint on 127.0.0.1:0 counting fetches. jose's remote key set measures its cache age and
 * cooldown with Date.now(), so only `Date` is faked (timers and sockets stay real) to step past the
 * cooldown without sleeping.
 */
let server: JwksServer;
let keyA: TestKey;
let keyB: TestKey;
let verifier: Verifier;
const bearer = (t: string) => `Bearer ${t}`;
const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

function remoteVerifier(env: Record<string, string> = {}): Verifier {
  return createVerifier(
    testConfig({ JWKS_COOLDOWN_SECONDS: "30", JWKS_CACHE_MAX_AGE_SECONDS: "600", ...env }),
    { kind: "remote", url: server.url },
  );
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-11-22T09:00:00Z"));
  keyA = await makeKey("ES256", "key-a");
  keyB = await makeKey("ES256", "key-b");
  server = await startJwksServer(jwksOf(keyA));
  verifier = remoteVerifier();
});

afterEach(async () => {
  vi.useRealTimers();
  await server.close();
});

describe("remote JWKS", () => {
  it("fetches once, then serves from the cache", async () => {
    expect(server.fetches).toBe(0);
    await expect(verifier.verify(bearer(await sign(keyA, claims())))).resolves.toMatchObject({ subject: "user-1" });
    await expect(verifier.verify(bearer(await sign(keyA, claims())))).resolves.toBeTruthy();
    advance(5 * 60_000);
    await expect(verifier.verify(bearer(await sign(keyA, claims())))).resolves.toBeTruthy();
    expect(server.fetches).toBe(1);
  });

  it("an unknown kid causes exactly one refetch; more unknown kids within the cooldown cause none", async () => {
    await verifier.verify(bearer(await sign(keyA, claims())));
    expect(server.fetches).toBe(1);
    advance(31_000); // past the cooldown, within the cache max age

    const stranger1 = await makeKey("ES256", "unknown-1");
    const stranger2 = await makeKey("ES256", "unknown-2");
    await expectReason(verifier.verify(bearer(await sign(stranger1, claims()))), "UNKNOWN_KEY");
    expect(server.fetches).toBe(2);

    await expectReason(verifier.verify(bearer(await sign(stranger2, claims()))), "UNKNOWN_KEY");
    expect(server.fetches).toBe(2);

    // a burst of random kids (a key-fetch amplification attempt) still causes no fetch
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sign(stranger1, claims(), { kid: `random-${i}` }).then((t) => verifier.verify(bearer(t)).catch((e) => e))),
    );
    expect(burst.every((e) => e?.reason === "UNKNOWN_KEY")).toBe(true);
    expect(server.fetches).toBe(2);
    // known keys keep working meanwhile
    await expect(verifier.verify(bearer(await sign(keyA, claims())))).resolves.toBeTruthy();
    expect(server.fetches).toBe(2);
  });

  it("on a cold cache an unknown kid costs the initial fetch only", async () => {
    const stranger = await makeKey("ES256", "unknown-cold");
    await expectReason(verifier.verify(bearer(await sign(stranger, claims()))), "UNKNOWN_KEY");
    await expectReason(verifier.verify(bearer(await sign(stranger, claims(), { kid: "unknown-cold-2" }))), "UNKNOWN_KEY");
    expect(server.fetches).toBe(1);
  });

  it("key rotation: a token with the new kid verifies after one refetch; the retired key stops working", async () => {
    await verifier.verify(bearer(await sign(keyA, claims())));
    expect(server.fetches).toBe(1);

    server.jwks = jwksOf(keyA, keyB); // the identity provider publishes the next key
    advance(31_000);
    const principal = await verifier.verify(bearer(await sign(keyB, claims({ sub: "rotated" }))));
    expect(principal.subject).toBe("rotated");
    expect(server.fetches).toBe(2);
    await expect(verifier.verify(bearer(await sign(keyB, claims())))).resolves.toBeTruthy();
    await expect(verifier.verify(bearer(await sign(keyA, claims())))).resolves.toBeTruthy();
    expect(server.fetches).toBe(2);

    server.jwks = jwksOf(keyB); // key A retired
    advance(601_000); // cache expired: the next verification refetches
    await expectReason(verifier.verify(bearer(await sign(keyA, claims()))), "UNKNOWN_KEY");
    expect(server.fetches).toBe(3);
    await expect(verifier.verify(bearer(await sign(keyB, claims())))).resolves.toBeTruthy();
    expect(server.fetches).toBe(3);
  });

  it("a key published within the cooldown of the last fetch is not seen until the cooldown passes", async () => {
    await verifier.verify(bearer(await sign(keyA, claims())));
    server.jwks = jwksOf(keyA, keyB);
    advance(10_000);
    await expectReason(verifier.verify(bearer(await sign(keyB, claims()))), "UNKNOWN_KEY");
    expect(server.fetches).toBe(1);
    advance(21_000);
    await expect(verifier.verify(bearer(await sign(keyB, claims())))).resolves.toBeTruthy();
    expect(server.fetches).toBe(2);
  });

  it("rejected before any key fetch: oversized, alg none, HS256 with the public key, disallowed alg, malformed", async () => {
    const capped = remoteVerifier({ JWT_MAX_TOKEN_BYTES: "1024" });
    await expectReason(capped.verify(bearer(await sign(keyA, claims({ padding: "x".repeat(1500) })))), "TOKEN_TOO_LARGE");
    await expectReason(capped.verify(bearer(`${b64json({ alg: "none" })}.${b64json(claims())}.`)), "ALGORITHM_NOT_ALLOWED");
    const hs = await new SignJWT(claims())
      .setProtectedHeader({ alg: "HS256", kid: "key-a" })
      .sign(new TextEncoder().encode(await exportSPKI(keyA.publicKey)));
    await expectReason(capped.verify(bearer(hs)), "ALGORITHM_NOT_ALLOWED");
    const ps = await makeKey("PS256", "ps");
    await expectReason(remoteVerifier({ JWT_ALGORITHMS: "ES256" }).verify(bearer(await sign(ps, claims()))), "ALGORITHM_NOT_ALLOWED");
    await expectReason(capped.verify("Bearer not-a-jwt"), "MALFORMED_TOKEN");
    await expectReason(capped.verify(undefined), "MISSING_TOKEN");
    expect(server.fetches).toBe(0);
  });

  describe("key set unavailable → KEYS_UNAVAILABLE (503)", () => {
    it("HTTP 500", async () => {
      server.status = 500;
      const err = await expectReason(verifier.verify(bearer(await sign(keyA, claims()))), "KEYS_UNAVAILABLE");
      expect(err.httpStatus).toBe(503);
      server.status = 200; // recovers without a restart (a failed fetch does not start the cooldown)
      await expect(verifier.verify(bearer(await sign(keyA, claims())))).resolves.toBeTruthy();
    });

    it("not JSON / not a key set", async () => {
      server.jwks = "<html>proxy error</html>";
      await expectReason(verifier.verify(bearer(await sign(keyA, claims()))), "KEYS_UNAVAILABLE");
      server.jwks = JSON.stringify({ nokeys: true });
      await expectReason(verifier.verify(bearer(await sign(keyA, claims()))), "KEYS_UNAVAILABLE");
    });

    it("connection refused", async () => {
      const token = await sign(keyA, claims());
      await server.close();
      await expectReason(verifier.verify(bearer(token)), "KEYS_UNAVAILABLE");
      await expect(verifier.refreshKeys()).rejects.toMatchObject({ reason: "KEYS_UNAVAILABLE" });
    });

    it("timeout (JWKS_TIMEOUT_SECONDS)", async () => {
      server.hang = true;
      // the endpoint takes the request and never answers: only the timeout can end the fetch (a verifier without
      // one would wait until the test's own timeout fails it), whatever the machine's speed
      const slow = remoteVerifier({ JWKS_TIMEOUT_SECONDS: "1" });
      await expectReason(slow.verify(bearer(await sign(keyA, claims()))), "KEYS_UNAVAILABLE");
      expect(server.fetches).toBe(1);
    });
  });

  it("refreshKeys() fetches now (readiness probe)", async () => {
    await verifier.refreshKeys();
    expect(server.fetches).toBe(1);
    await expect(verifier.verify(bearer(await sign(keyA, claims())))).resolves.toBeTruthy();
    expect(server.fetches).toBe(1);
    expect(verifier.keySource).toBe("remote");
  });
});

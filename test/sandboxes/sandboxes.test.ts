/** startSandboxes: generates the population once, starts five servers on loopback, closes them. */
import { describe, expect, it } from "vitest";
import { startSandboxes } from "../../dev/sandboxes/index.js";
import { SOURCES } from "../../src/domain/records.js";
import { AS_OF, SEED, request } from "./helpers.js";

describe("startSandboxes", () => {
  it("generates 300 persons, starts the five sandboxes on ephemeral loopback ports, closes", async () => {
    const sb = await startSandboxes({ seed: SEED, asOf: AS_OF, persons: 300 });
    try {
      expect(Object.keys(sb.urls).sort()).toEqual([...SOURCES].sort());
      const ports = new Set<string>();
      for (const s of SOURCES) {
        expect(sb.urls[s]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        ports.add(new URL(sb.urls[s]).port);
        expect((await request(`${sb.urls[s]}/health`)).body).toEqual({ status: "ok" });
      }
      expect(ports.size).toBe(5);
      expect(sb.medicalCredentials.clientId).toBeTruthy();
      const tok = await request(`${sb.urls.medicalInsurance}/oauth/token`, {
        method: "POST",
        headers: { authorization: `Basic ${Buffer.from(`${sb.medicalCredentials.clientId}:${sb.medicalCredentials.clientSecret}`).toString("base64")}` },
        body: new URLSearchParams({ grant_type: "client_credentials" }),
      });
      expect(tok.status).toBe(200);
      const persons = [...sb.data.medicalInsurance.insured.keys()];
      expect(persons.length).toBeGreaterThan(250);
    } finally {
      await sb.close();
    }
    await expect(fetch(`${sb.urls.education}/health`)).rejects.toThrow();
  });

  // (how long it takes is not asserted here: a loaded machine may take any time; the test's timeout bounds it)
  it("starts the default population: every sandbox answers", async () => {
    const sb = await startSandboxes({ seed: SEED, asOf: AS_OF });
    try {
      expect(sb.data.medicalInsurance.insured.size).toBeGreaterThan(10_000);
      for (const s of SOURCES) expect((await request(`${sb.urls[s]}/health`)).body).toEqual({ status: "ok" });
    } finally {
      await sb.close();
    }
  });
});

import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadConfig } from "../src/app/config.js";
import { startGateway, type RunningGateway } from "../src/app/gateway.js";
import { YUZHONG_STREETS } from "../dev/seed/reference.js";

// The `npm start` path on the embedded default: an empty data directory is migrated and seeded with the
// default set, the sandboxes serve the same population, and a second start reuses all of it.
const dir = mkdtempSync(path.join(os.tmpdir(), "gw-start-"));
let gw: RunningGateway | null = null;
afterAll(async () => {
  await gw?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function query(g: RunningGateway, q: string) {
  const token = g.devTokens.find((t) => t.audience === "civil_affairs")!.token;
  const res = await g.app.inject({ method: "POST", url: "/graphql", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, payload: { query: q } });
  return res.json() as any;
}

test("first start seeds the default set; department records match the registry; a restart reuses both", async () => {
  // a 30 s upstream deadline (the default is 2 s): the education call below must succeed on a loaded machine too
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: "silent", PORT: "0", UPSTREAM_TIMEOUT_MS: "30000" });
  gw = await startGateway(config, () => {});
  expect(gw.dataset).not.toBeNull();
  expect(gw.devTokens.map((t) => t.audience).sort()).toHaveLength(10);

  const streets = await gw.db.prisma.street.findMany({ where: { districtCode: "500103" } });
  expect(streets.map((s) => s.code).sort()).toEqual(YUZHONG_STREETS.map((s) => s.code).sort());

  const page = await query(gw, `{ households(first: 5) { totalCount edges { node { id registryNo members { idNumber } } } } }`);
  expect(page.errors).toBeUndefined();
  expect(page.data.households.edges).toHaveLength(5);
  expect(page.data.households.totalCount).toBe(await gw.db.prisma.household.count());

  // A registry member the education sandbox knows, fetched through the gateway: same record.
  const students = gw.sandboxes!.data.education.students;
  const registryIds = (await gw.db.prisma.person.findMany({ select: { idNumber: true }, take: 5000 })).map((p) => p.idNumber);
  const studentId = registryIds.find((id) => students.has(id));
  expect(studentId).toBeDefined();
  const person = await query(gw, `{ person(idNumber: "${studentId}") { education { schoolName stage } } }`);
  expect(person.data.person.education).toEqual({ schoolName: students.get(studentId!)!.schoolName, stage: students.get(studentId!)!.stage });

  const first = gw.dataset;
  const households = await gw.db.prisma.household.count();
  await gw.close();
  gw = null;

  gw = await startGateway(config, () => {});
  expect(gw.dataset).toEqual(first);
  expect(await gw.db.prisma.household.count()).toBe(households);
  expect(gw.sandboxes!.data.education.students.get(studentId!)).toEqual(students.get(studentId!));
});

import { test, expect } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { applyMigrations } from "../../src/db/migrate.js";
test("smoke", async () => {
  const db = await openDatabase({ kind: "pglite", dataDir: null });
  const done = await applyMigrations(db.sql);
  expect(done.length).toBe(1);
  await db.prisma.street.create({ data: { code: "500103001", districtCode: "500103", name: "x" } });
  expect(await db.prisma.street.count()).toBe(1);
  await db.close();
});

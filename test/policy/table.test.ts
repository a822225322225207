import { readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { POLICY } from "../../src/policy/rules.js";
import { AUDIENCES } from "../../src/policy/audiences.js";
import { TABLE_END, TABLE_START, cell, extractPolicyBlock, renderPolicyTable, replacePolicyBlock } from "../../src/policy/table.js";

const README = new URL("../../README.md", import.meta.url);

test("README.md's policy table is the one rendered from src/policy/rules.ts (run `npm run policy:table`)", () => {
  const block = extractPolicyBlock(readFileSync(README, "utf8"));
  expect(block, `README.md lacks the lines ${TABLE_START} and ${TABLE_END}`).not.toBeNull();
  expect(block, "README.md's policy table is out of date: run `npm run policy:table`").toBe(renderPolicyTable());
});

test("the table has one row per (type, field) of the policy and one column per audience, cells as the policy says", () => {
  const text = renderPolicyTable();
  const rows = text.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| field |"));
  expect(rows).toHaveLength(Object.values(POLICY).reduce((n, fields) => n + Object.keys(fields).length, 0));
  let i = 0;
  for (const fields of Object.values(POLICY))
    for (const [field, rule] of Object.entries(fields)) {
      const cells = rows[i++].split("|").slice(1, -1).map((c) => c.trim());
      expect(cells).toEqual([field, ...AUDIENCES.map((a) => cell(rule[a]))]);
    }
  for (const type of Object.keys(POLICY)) expect(text).toContain(`**${type}**`);
  expect(cell(undefined)).toBe("—");
  expect(cell({ mask: "amountBand" })).toBe("masked(amountBand)");
  expect(cell("consent")).toBe("consent");
});

test("replacing the block touches nothing outside the markers; missing markers are appended at the end", () => {
  const readme = `# Title\n\nbefore\n\n${TABLE_START}\nstale\n${TABLE_END}\n\nafter\n`;
  expect(replacePolicyBlock(readme, "| new |\n")).toBe(`# Title\n\nbefore\n\n${TABLE_START}\n| new |\n${TABLE_END}\n\nafter\n`);
  expect(replacePolicyBlock("# Title\n", "x\n")).toBe(`# Title\n\n${TABLE_START}\nx\n${TABLE_END}\n`);
  expect(replacePolicyBlock("# Title", "x\n")).toBe(`# Title\n\n${TABLE_START}\nx\n${TABLE_END}\n`);
  const once = replacePolicyBlock(readme, renderPolicyTable());
  expect(replacePolicyBlock(once, renderPolicyTable())).toBe(once);
  expect(extractPolicyBlock(once)).toBe(renderPolicyTable());
  expect(() => replacePolicyBlock(`${TABLE_START}\nno end\n`, "x\n")).toThrow(/marker/);
});

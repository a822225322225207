/**
 * The README's policy table, rendered from POLICY (src/policy/rules.ts): one Markdown table per GraphQL
 * type, a row per field, a column per audience. `npm run policy:table` writes it between the marker
 * lines of README.md; a test fails when README.md's block differs from what this renders.
 */
import { AUDIENCES, AUDIENCE_TITLES, type Audience } from "./audiences.js";
import { POLICY, type Access, type PolicyRules } from "./rules.js";

export const TABLE_START = "<!-- policy-table:start -->";
export const TABLE_END = "<!-- policy-table:end -->";

export function cell(access: Access | undefined): string {
  if (access === undefined) return "—";
  if (access === "read" || access === "consent") return access;
  return `masked(${access.mask})`;
}

/** The Markdown between the markers (without the marker lines), ending with a newline. */
export function renderPolicyTable(rules: PolicyRules = POLICY, audiences: readonly Audience[] = AUDIENCES): string {
  const out: string[] = [
    "<!-- generated from src/policy/rules.ts by `npm run policy:table`; do not edit by hand -->",
    "",
    "**read** the value as it is · **masked(kind)** a masked value (`src/policy/masks.ts`: idNumber, name, phone, address, " +
      "amountBand, year; pseudonym = a per-charity reference) · **consent** only where the household consented to contact " +
      "(else null) · **—** nothing: null and a `FORBIDDEN` error at that path (a mutation: the whole operation is refused).",
    "",
    `Audiences: ${audiences.map((a) => `\`${a}\` ${AUDIENCE_TITLES[a]}`).join(" · ")}.`,
  ];
  for (const [type, fields] of Object.entries(rules)) {
    out.push("", `**${type}**`, "");
    out.push(`| field | ${audiences.join(" | ")} |`);
    out.push(`|---|${audiences.map(() => "---").join("|")}|`);
    for (const [field, rule] of Object.entries(fields)) out.push(`| ${field} | ${audiences.map((a) => cell(rule[a])).join(" | ")} |`);
  }
  return `${out.join("\n")}\n`;
}

/** The text between the marker lines of `readme`, or null when the markers are missing or out of order. */
export function extractPolicyBlock(readme: string): string | null {
  const lines = readme.split("\n");
  const start = lines.indexOf(TABLE_START);
  const end = lines.indexOf(TABLE_END);
  if (start < 0 || end < 0 || end < start) return null;
  const inner = lines.slice(start + 1, end);
  return inner.length ? `${inner.join("\n")}\n` : "";
}

/**
 * `readme` with the block between the markers replaced by `table`; the two marker lines are appended at
 * the end first when missing. Nothing outside the markers changes.
 */
export function replacePolicyBlock(readme: string, table: string): string {
  let text = readme;
  if (extractPolicyBlock(text) === null) {
    if (text.includes(TABLE_START) || text.includes(TABLE_END))
      throw new Error(`README.md has one policy-table marker without the other (or they are out of order): fix them by hand`);
    text = `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${text === "" ? "" : "\n"}${TABLE_START}\n${TABLE_END}\n`;
  }
  const lines = text.split("\n");
  const start = lines.indexOf(TABLE_START);
  const end = lines.indexOf(TABLE_END);
  const body = table.endsWith("\n") ? table.slice(0, -1) : table;
  return [...lines.slice(0, start + 1), ...(body === "" ? [] : body.split("\n")), ...lines.slice(end)].join("\n");
}

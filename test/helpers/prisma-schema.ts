import { readFileSync } from "node:fs";

/** What schema.prisma declares, read independently of Prisma's own tooling, for comparing with a database. */
export interface DeclaredColumn {
  column: string;
  nullable: boolean;
  pgType: string; // information_schema.columns.data_type
  enumName?: string;
}

const SCALARS: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Boolean: "boolean",
  DateTime: "timestamp without time zone",
  Decimal: "numeric",
  Float: "double precision",
  Json: "jsonb",
};
const NATIVE: Record<string, string> = {
  Uuid: "uuid",
  VarChar: "character varying",
  Char: "character",
  Date: "date",
  Timestamptz: "timestamp with time zone",
  Decimal: "numeric",
  Text: "text",
};

export function readPrismaSchema(file: string) {
  const src = readFileSync(file, "utf8").replace(/\/\/.*$/gm, "");
  const blocks = [...src.matchAll(/^(model|enum)\s+(\w+)\s*\{([\s\S]*?)^\}/gm)];
  const enums = new Map<string, string[]>();
  for (const [, kind, name, body] of blocks)
    if (kind === "enum") enums.set(name, body.split("\n").map((l) => l.trim()).filter((l) => /^\w+$/.test(l)));
  const modelNames = new Set(blocks.filter((b) => b[1] === "model").map((b) => b[2]));
  const tables = new Map<string, DeclaredColumn[]>();
  for (const [, kind, name, body] of blocks) {
    if (kind !== "model") continue;
    const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? name;
    const columns: DeclaredColumn[] = [];
    for (const line of body.split("\n").map((l) => l.trim())) {
      const m = /^(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!m || line.startsWith("@@")) continue;
      const [, field, type, list, optional, attrs] = m;
      if (modelNames.has(type)) continue; // relation fields have no column
      const column = /@map\("([^"]+)"\)/.exec(attrs)?.[1] ?? field;
      if (list) {
        columns.push({ column, nullable: true, pgType: "ARRAY" }); // scalar and enum lists: a nullable array column
        continue;
      }
      const native = /@db\.(\w+)/.exec(attrs)?.[1];
      const isEnum = enums.has(type);
      columns.push({
        column,
        nullable: Boolean(optional),
        pgType: isEnum ? "USER-DEFINED" : native ? NATIVE[native] : SCALARS[type],
        ...(isEnum && { enumName: type }),
      });
    }
    tables.set(table, columns);
  }
  return { tables, enums };
}

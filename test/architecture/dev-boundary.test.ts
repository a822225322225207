/**
 * The development room rule (README, Architecture): the production path — everything outside dev/ and
 * test/ — never imports dev/ statically. Type-only imports count too: they are erased at run time, but
 * they would make production code depend on the shape of a fixture; the few types the start needs from
 * dev/ are taken through the door below. The only way in is `import("…dev/…")` in the door files, which
 * load dev/ for a development start only. And the pure domain (src/domain) imports nothing outside itself
 * (in particular not the department adapters in connectors/: it owns the record types).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { format, importsOf, readImports, sourceFiles, type FoundImport } from "./imports.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** Every folder of the production path (and the production tools in scripts/). */
const PRODUCTION = ["src", "connectors", "resolvers", "schema", "prisma", "scripts"] as const;
/** The files that may load dev/, and only dynamically. */
const DOORS = ["src/app/dev-room.ts", "src/auth/keys.ts"];

const inDev = (i: FoundImport) => i.target !== null && (i.target === "dev" || i.target.startsWith("dev/"));

/** The rule over a set of imports: every import into dev/ that is not a dynamic one in a door file. */
function devViolations(imports: readonly FoundImport[]): FoundImport[] {
  return imports.filter((i) => inDev(i) && !(i.kind === "dynamic" && DOORS.includes(i.file)));
}

function domainViolations(imports: readonly FoundImport[]): FoundImport[] {
  return imports.filter((i) => i.file.startsWith("src/domain/") && i.target !== null && !i.target.startsWith("src/domain/"));
}

describe("the development room (dev/)", () => {
  const files = sourceFiles(REPO, PRODUCTION);
  const imports = readImports(REPO, files);

  test("the scan sees the production path (the start, the domain, a connector, a resolver)", () => {
    expect(files).toEqual(expect.arrayContaining(["src/app/main.ts", "src/app/gateway.ts", "src/domain/records.ts", "connectors/kit/index.ts", "resolvers/household.ts"]));
    // the gateway's imports as the scanner reads them: the configuration is imported on a known line
    const gateway = imports.filter((i) => i.file === "src/app/gateway.ts");
    expect(gateway.map((i) => i.specifier)).toContain("./config.js");
  });

  test("no module outside dev/ and test/ imports dev/ statically (type-only imports included)", () => {
    expect(devViolations(imports).map(format)).toEqual([]);
  });

  test("the door loads the development room dynamically, from the door files only", () => {
    const doors = imports.filter((i) => inDev(i)).map((i) => `${i.file} ${i.kind} ${i.target}`);
    expect(doors.sort()).toEqual([
      "src/app/dev-room.ts dynamic dev/room.ts",
      "src/app/dev-room.ts dynamic dev/room.ts",
      "src/auth/keys.ts dynamic dev/keys/dev-keys.ts",
      "src/auth/keys.ts dynamic dev/keys/dev-keys.ts",
    ]);
  });

  test("src/domain imports nothing outside src/domain (not connectors/: the domain owns the record types)", () => {
    expect(files.filter((f) => f.startsWith("src/domain/")).length).toBeGreaterThan(10);
    expect(domainViolations(imports).map(format)).toEqual([]);
  });
});

describe("the rule can fail", () => {
  test("a synthetic tree with static, type-only, re-export and side-effect imports of dev/ is refused, naming file and line", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "dev-boundary-"));
    try {
      mkdirSync(path.join(root, "src/app"), { recursive: true });
      mkdirSync(path.join(root, "src/domain"), { recursive: true });
      mkdirSync(path.join(root, "connectors/kit"), { recursive: true });
      mkdirSync(path.join(root, "dev/seed"), { recursive: true });
      writeFileSync(path.join(root, "dev/seed/run.ts"), "export const runSeed = 1;\n");
      writeFileSync(
        path.join(root, "src/app/start.ts"),
        [
          "// import { runSeed } from \"../../dev/seed/run.js\";  (a comment: not an import)",
          'import { readFileSync } from "node:fs";',
          'import { runSeed } from "../../dev/seed/run.js";',
          "import type { Seed } from '../../dev/seed/run.js';",
          "export {",
          "  runSeed as seed,",
          '} from "../../dev/seed/run.js";',
          'import "../../dev/seed/run.js";',
          'const later = () => import("../../dev/seed/run.js");',
          "",
        ].join("\n"),
      );
      writeFileSync(path.join(root, "src/domain/rule.ts"), 'import type { Record } from "../../connectors/kit/index.js";\nexport const ok = 1;\n');
      const imports = readImports(root, sourceFiles(root, ["src", "connectors"]));
      expect(devViolations(imports).map(format)).toEqual([
        'src/app/start.ts:3 static import of "../../dev/seed/run.js" (dev/seed/run.ts)',
        'src/app/start.ts:4 type-only import of "../../dev/seed/run.js" (dev/seed/run.ts)',
        'src/app/start.ts:5 static import of "../../dev/seed/run.js" (dev/seed/run.ts)',
        'src/app/start.ts:8 static import of "../../dev/seed/run.js" (dev/seed/run.ts)',
        // a dynamic import outside the door files is refused too
        'src/app/start.ts:9 dynamic import of "../../dev/seed/run.js" (dev/seed/run.ts)',
      ]);
      expect(domainViolations(imports).map(format)).toEqual(['src/domain/rule.ts:1 type-only import of "../../connectors/kit/index.js" (connectors/kit/index.ts)']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("a dynamic import in a door file passes; the same import made static does not", () => {
    const door = importsOf("src/app/dev-room.ts", 'export function load() { return import("../../dev/room.js"); }\n');
    expect(devViolations(door)).toEqual([]);
    const made = importsOf("src/app/dev-room.ts", 'import * as room from "../../dev/room.js";\nexport const load = () => room;\n');
    expect(devViolations(made).map(format)).toEqual(['src/app/dev-room.ts:1 static import of "../../dev/room.js" (dev/room.ts)']);
  });
});

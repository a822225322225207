/**
 * Education (教委) sandbox: `POST /api/v1/students/search` with 1–200 ID numbers (WIRE.md), over
 * student records derived from the population's `facts.school`.
 *
 * Aid per term by stage (DOMAIN.md §2; 002 #8–10, 003 §10), for hardship students and students of
 * DIBAO / TEKUN / marginal households, amounts in yuan per term (illustrative, near national norms):
 *   PRESCHOOL   FEE_WAIVER 900 (dibao/TEKUN) / 600 (others) + LIVING_SUBSIDY 500 / 337.50
 *   PRIMARY     NUTRITION_LUNCH 500 (5 yuan × 100 school days) + LIVING_SUBSIDY 500 / 250
 *   JUNIOR      NUTRITION_LUNCH 500 + LIVING_SUBSIDY 625 / 312.50
 *   SENIOR      FEE_WAIVER 800 + NATIONAL_GRANT 1250 / 750 + FREE_TEXTBOOKS 260 (dibao/TEKUN only)
 *   VOCATIONAL  FEE_WAIVER 1000 + NATIONAL_GRANT 1000 + FREE_TEXTBOOKS 220 (dibao/TEKUN only)
 *   HIGHER      STUDENT_LOAN 4000–6000 (about two in three) + NATIONAL_GRANT 1650 (dibao/TEKUN)
 * About 6 % of entitled students get nothing (the gaps the aid chain is to find).
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { hashString, type Rng } from "../seed/rng.js";
import type { SchoolStage, SynthHousehold } from "../seed/model.js";
import { createSandboxApp, emptyUntidy, type SandboxOptions, type UntidyReport } from "./kit/app.js";
import {
  type DeriveOptions,
  type Deriver,
  type Tier,
  daysBetween,
  deriveAll,
  fenToYuan,
  fmtBeijing,
  isDeceased,
  keyRng,
  msToIso,
  knownTo,
  personTier,
  type Residence,
  residenceOf,
  residenceSchema,
  untidyOf,
  updatedAtMs,
} from "./kit/population.js";

export type AidItem = "FEE_WAIVER" | "NATIONAL_GRANT" | "FREE_TEXTBOOKS" | "NUTRITION_LUNCH" | "STUDENT_LOAN" | "LIVING_SUBSIDY";

export interface StudentAid {
  item: AidItem;
  term: string;
  amountYuan: string;
}

export interface StudentRecord {
  idNumber: string;
  term: string;
  stage: SchoolStage;
  schoolCode: string;
  schoolName: string;
  hardship: boolean;
  aid: StudentAid[];
  /** annual necessary education spending (fees, lodging, materials), decimal yuan */
  necessaryExpenseYuan: string;
  /** where the student lives (WIRE.md): district and street code */
  residence?: Residence;
  updatedAt: string;
}

export interface EducationData {
  /** by ID number */
  students: Map<string, StudentRecord>;
  untidy: UntidyReport;
}

export const EDUCATION_MAX_IDS = 200;

const STAGES = ["PRESCHOOL", "PRIMARY", "JUNIOR", "SENIOR", "VOCATIONAL", "HIGHER"] as const;
const AID_ITEMS = ["FEE_WAIVER", "NATIONAL_GRANT", "FREE_TEXTBOOKS", "NUTRITION_LUNCH", "STUDENT_LOAN", "LIVING_SUBSIDY"] as const;

export const studentRecordSchema: z.ZodType<StudentRecord> = z.object({
  idNumber: z.string().min(1),
  term: z.string().min(1),
  stage: z.enum(STAGES),
  schoolCode: z.string(),
  schoolName: z.string(),
  hardship: z.boolean(),
  aid: z.array(z.object({ item: z.enum(AID_ITEMS), term: z.string().min(1), amountYuan: z.string().regex(/^\d+(\.\d{1,2})?$/) })),
  necessaryExpenseYuan: z.string().regex(/^\d+(\.\d{1,2})?$/),
  residence: residenceSchema.optional(),
  updatedAt: z.string().min(1),
});

/** The school term a date falls in: September–January autumn, February–August spring. */
export function termOf(iso: string): string {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  if (m >= 9) return `${y}-AUTUMN`;
  if (m === 1) return `${y - 1}-AUTUMN`;
  return `${y}-SPRING`;
}

/** The first day of a term: 1 September / 20 February. */
export function termStart(term: string): string {
  return term.endsWith("AUTUMN") ? `${term.slice(0, 4)}-09-01` : `${term.slice(0, 4)}-02-20`;
}

/** A 10-character school code: the district code and 4 digits from the school's name. */
export function schoolCodeOf(districtCode: string, schoolName: string): string {
  return `${districtCode}${String(hashString(schoolName) % 10000).padStart(4, "0")}`;
}

type Group = "core" | "other";

function aidFor(stage: SchoolStage, group: Group, term: string, rng: ReturnType<typeof keyRng>): StudentAid[] {
  const core = group === "core";
  const out: StudentAid[] = [];
  const add = (item: AidItem, fen: number) => out.push({ item, term, amountYuan: fenToYuan(fen) });
  switch (stage) {
    case "PRESCHOOL":
      add("FEE_WAIVER", core ? 90_000 : 60_000);
      add("LIVING_SUBSIDY", core ? 50_000 : 33_750);
      break;
    case "PRIMARY":
      add("NUTRITION_LUNCH", 50_000);
      add("LIVING_SUBSIDY", core ? 50_000 : 25_000);
      break;
    case "JUNIOR":
      add("NUTRITION_LUNCH", 50_000);
      add("LIVING_SUBSIDY", core ? 62_500 : 31_250);
      break;
    case "SENIOR":
      add("FEE_WAIVER", 80_000);
      add("NATIONAL_GRANT", core ? 125_000 : 75_000);
      if (core) add("FREE_TEXTBOOKS", 26_000);
      break;
    case "VOCATIONAL":
      add("FEE_WAIVER", 100_000);
      add("NATIONAL_GRANT", 100_000);
      if (core) add("FREE_TEXTBOOKS", 22_000);
      break;
    case "HIGHER":
      if (rng.chance(0.65)) add("STUDENT_LOAN", rng.pick([400_000, 500_000, 600_000]));
      if (core) add("NATIONAL_GRANT", 165_000);
      break;
  }
  return out;
}

function groupOf(tier: Tier | null, hardship: boolean): Group | null {
  if (tier === "TEKUN" || tier === "DIBAO") return "core";
  // 003 §10: marginal and other economically hard-up families' students (the OTHER tier), and hardship students
  if (tier === "DIBAO_MARGINAL" || tier === "OTHER" || hardship) return "other";
  return null;
}

export function createEducationDeriver(opts: DeriveOptions): Deriver<EducationData> {
  const students = new Map<string, StudentRecord>();
  const untidy = emptyUntidy();
  const currentTerm = termOf(opts.asOf);
  const daysIntoTerm = daysBetween(termStart(currentTerm), opts.asOf);
  return {
    add(h: SynthHousehold) {
      h.members.forEach((p, i) => {
        const school = p.facts.school;
        if (!school || isDeceased(p, opts.asOf) || !knownTo(h, "education")) return;
        const rng = keyRng(opts.seed, "education", p.idNumber);
        const u = untidyOf(h, rng);
        if (u.unknown) {
          untidy.unknownPersons.push(p.idNumber);
          return;
        }
        const updated = updatedAtMs(rng, opts.asOf, u.stale, daysIntoTerm);
        // a stale record still describes the term it was last updated in
        const term = u.stale ? termOf(msToIso(updated)) : currentTerm;
        if (u.stale) untidy.stale.push(p.idNumber);
        const group = groupOf(personTier(h, i, opts.asOf).tier, school.hardship);
        const gap = rng.chance(0.06);
        students.set(p.idNumber, {
          idNumber: p.idNumber,
          term,
          stage: school.stage,
          schoolCode: schoolCodeOf(h.districtCode, school.schoolName),
          schoolName: school.schoolName,
          hardship: school.hardship,
          aid: group === null || gap ? [] : aidFor(school.stage, group, term, rng),
          necessaryExpenseYuan: fenToYuan(p.facts.educationExpenseFen ?? 0),
          residence: residenceOf(h),
          updatedAt: fmtBeijing(updated),
        });
      });
    },
    finish: () => ({ students, untidy }),
  };
}

/** Education records of the population: deterministic for (households, seed, asOf). */
export function deriveEducationData(households: Iterable<SynthHousehold>, opts: DeriveOptions): EducationData {
  return deriveAll(createEducationDeriver(opts), households);
}

/** A day's change (bulk exchange): the hardship assessment is redone and the necessary expense re-estimated; updated that day. */
function evolve(r: StudentRecord, rng: Rng, dayMs: number): StudentRecord {
  return {
    ...r,
    hardship: rng.chance(0.5) ? !r.hardship : r.hardship,
    necessaryExpenseYuan: fenToYuan(rng.int(1000, 12000) * 100),
    updatedAt: fmtBeijing(dayMs + rng.int(0, 10 * 3600) * 1000),
  };
}

function malform(r: StudentRecord): unknown {
  return {
    ...r,
    stage: STAGES.indexOf(r.stage) + 1,
    hardship: r.hardship ? "Y" : "N",
    aid: r.aid.map((a) => ({ ...a, amountYuan: Number(a.amountYuan) })),
    necessaryExpenseYuan: Number(r.necessaryExpenseYuan),
    updatedAt: 20260903,
  };
}

export function buildSandbox(data: EducationData, opts: SandboxOptions = {}): FastifyInstance {
  const kit = createSandboxApp(
    { keyField: "idNumber", schema: studentRecordSchema, records: new Map(data.students), malform, evolve },
    data.untidy,
    opts,
  );
  kit.bulkRoutes("/api/v1/students");
  kit.app.post("/api/v1/students/search", async (req, reply) => {
    const ids = (req.body as { idNumbers?: unknown } | null)?.idNumbers;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > EDUCATION_MAX_IDS || !ids.every((x) => typeof x === "string")) {
      return reply.code(400).send({ error: `idNumbers must be an array of 1–${EDUCATION_MAX_IDS} ID numbers` });
    }
    const results: unknown[] = [];
    const notFound: string[] = [];
    for (const id of new Set(ids as string[])) {
      const r = kit.records.get(id);
      if (r) results.push(kit.serve(id, r));
      else notFound.push(id);
    }
    return { results, notFound };
  });
  return kit.app;
}

/**
 * Disabled persons' federation (残联) sandbox: `GET /cdpf/api/certificates?ids=<id>,<id>,...`
 * (1–50 ids) → a JSON array of certificate records (WIRE.md), derived from `facts.disability`.
 *
 * The "two subsidies" (002 #10, #23; 003 §16), fen per month, illustrative:
 * - living subsidy (困难残疾人生活补贴) 10,000 for holders of a valid certificate in DIBAO, TEKUN or
 *   DIBAO_MARGINAL households (about 5 % entitled go without: gaps for the aid chain);
 * - nursing subsidy (重度残疾人护理补贴) 15,000 for grade 1, 10,000 for grade 2 — but not for TEKUN
 *   persons who get civil affairs' TEKUN_CARE_SUBSIDY (not both allowed), except the duplicates below;
 *   about 1 in 16 entitled go without (救助遗漏: the aid chain's nursing gaps), chosen by a hash of the seed
 *   and ID number so that no other record's draws move.
 * Rehabilitation: CHILD_REHABILITATION for most disabled children (< 18), ASSISTIVE_DEVICE,
 * ACCESSIBILITY_RETROFIT (severe physical / visual), COMMUNITY_REHABILITATION (mental, intellectual).
 *
 * Duplicates (WIRE.md untidiness): some TEKUN persons with a grade 1–2 disability who got
 * TEKUN_CARE_SUBSIDY in the last year also get the nursing subsidy.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { hashString, type Rng } from "../seed/rng.js";
import type { DisabilityCategory, SynthHousehold } from "../seed/model.js";
import { createSandboxApp, emptyUntidy, type SandboxOptions, type UntidyReport } from "./kit/app.js";
import {
  type DeriveOptions,
  type Deriver,
  addDays,
  ageOn,
  aidToPerson,
  deriveAll,
  fmtDateBeijing,
  isDeceased,
  keyRng,
  knownTo,
  personTier,
  type Residence,
  residenceOf,
  residenceSchema,
  untidyOf,
  updatedAtMs, ensureOneDuplicate } from "./kit/population.js";

export interface CertificateRecord {
  idNumber: string;
  certNo: string;
  category: "1" | "2" | "3" | "4" | "5" | "6" | "7";
  grade: "1" | "2" | "3" | "4";
  livingSubsidy: number;
  nursingSubsidy: number;
  rehab: string[];
  certStatus: "VALID" | "EXPIRED";
  /** where the certificate holder lives (WIRE.md): district and street code */
  residence?: Residence;
  lastModified: string;
}

export interface DisabilityData {
  /** by ID number */
  certificates: Map<string, CertificateRecord>;
  untidy: UntidyReport;
}

export const DISABILITY_MAX_IDS = 50;
export const LIVING_SUBSIDY_FEN = 10_000;
export const NURSING_SUBSIDY_FEN: Readonly<Record<1 | 2, number>> = { 1: 15_000, 2: 10_000 };

export const CATEGORY_CODE: Readonly<Record<DisabilityCategory, CertificateRecord["category"]>> = {
  VISUAL: "1",
  HEARING: "2",
  SPEECH: "3",
  PHYSICAL: "4",
  INTELLECTUAL: "5",
  MENTAL: "6",
  MULTIPLE: "7",
};

export const certificateRecordSchema: z.ZodType<CertificateRecord> = z.object({
  idNumber: z.string().min(1),
  certNo: z.string().min(1),
  category: z.enum(["1", "2", "3", "4", "5", "6", "7"]),
  grade: z.enum(["1", "2", "3", "4"]),
  livingSubsidy: z.number().int().nonnegative(),
  nursingSubsidy: z.number().int().nonnegative(),
  rehab: z.array(z.string()),
  certStatus: z.enum(["VALID", "EXPIRED"]),
  residence: residenceSchema.optional(),
  lastModified: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});

interface Candidate {
  key: string;
  rank: number;
  record: CertificateRecord;
  grade: 1 | 2;
}

export function createDisabilityDeriver(opts: DeriveOptions): Deriver<DisabilityData> {
  const certificates = new Map<string, CertificateRecord>();
  const untidy = emptyUntidy();
  const yearAgo = addDays(opts.asOf, -365);
  const candidates: Candidate[] = [];

  function makeDuplicate(c: Candidate): void {
    c.record.nursingSubsidy = NURSING_SUBSIDY_FEN[c.grade];
    untidy.duplicates.push(c.key);
  }

  return {
    add(h: SynthHousehold) {
      h.members.forEach((p, i) => {
        const d = p.facts.disability;
        if (!d || !knownTo(h, "disability")) return;
        const rng = keyRng(opts.seed, "disability", p.idNumber);
        const u = untidyOf(h, rng);
        if (u.unknown) {
          untidy.unknownPersons.push(p.idNumber);
          return;
        }
        if (u.stale) untidy.stale.push(p.idNumber);
        const deceased = isDeceased(p, opts.asOf);
        const valid = !deceased && !rng.chance(0.04);
        const { tier } = personTier(h, i, opts.asOf);
        const severe = d.grade <= 2;
        const age = ageOn(p.birthDate, opts.asOf);

        const living = valid && (tier === "DIBAO" || tier === "TEKUN" || tier === "DIBAO_MARGINAL") && !rng.chance(0.05) ? LIVING_SUBSIDY_FEN : 0;
        const careSubsidised = tier === "TEKUN" && aidToPerson(h, i, "TEKUN_CARE_SUBSIDY", yearAgo, opts.asOf).length > 0;
        const missed = hashString(`${opts.seed}|nursing-gap|${p.idNumber}`) % 16 === 0;
        const nursing = valid && severe && !careSubsidised && !missed ? NURSING_SUBSIDY_FEN[d.grade as 1 | 2] : 0;

        const rehab: string[] = [];
        if (valid) {
          if (age < 18 && rng.chance(0.75)) rehab.push("CHILD_REHABILITATION");
          if ((d.category === "VISUAL" || d.category === "HEARING" || d.category === "PHYSICAL" || d.category === "MULTIPLE") && rng.chance(0.45)) rehab.push("ASSISTIVE_DEVICE");
          if (severe && (d.category === "PHYSICAL" || d.category === "VISUAL" || d.category === "MULTIPLE") && rng.chance(0.15)) rehab.push("ACCESSIBILITY_RETROFIT");
          if (age >= 18 && (d.category === "MENTAL" || d.category === "INTELLECTUAL") && rng.chance(0.2)) rehab.push("COMMUNITY_REHABILITATION");
        }

        const certNo = d.certificateNo.length === 20 ? d.certificateNo : `${p.idNumber}${CATEGORY_CODE[d.category]}${d.grade}`;
        const record: CertificateRecord = {
          idNumber: p.idNumber,
          certNo,
          category: CATEGORY_CODE[d.category],
          grade: String(d.grade) as CertificateRecord["grade"],
          livingSubsidy: living,
          nursingSubsidy: nursing,
          rehab,
          certStatus: valid ? "VALID" : "EXPIRED",
          residence: residenceOf(h),
          lastModified: fmtDateBeijing(updatedAtMs(rng, opts.asOf, u.stale)),
        };
        certificates.set(p.idNumber, record);
        if (valid && severe && careSubsidised && !u.stale) {
          const c: Candidate = { key: p.idNumber, rank: hashString(`${opts.seed}|dup|${p.idNumber}`), record, grade: d.grade as 1 | 2 };
          candidates.push(c);
          if (rng.chance(0.3)) makeDuplicate(c);
        }
      });
    },
    finish() {
      ensureOneDuplicate(untidy.duplicates, candidates, makeDuplicate);
      untidy.duplicates.sort();
      return { certificates, untidy };
    },
  };
}

/** Disability certificates of the population: deterministic for (households, seed, asOf). */
export function deriveDisabilityData(households: Iterable<SynthHousehold>, opts: DeriveOptions): DisabilityData {
  return deriveAll(createDisabilityDeriver(opts), households);
}

/** A day's change (bulk exchange): a review changes the living subsidy and possibly the certificate status; modified that day. */
function evolve(r: CertificateRecord, rng: Rng, dayMs: number): CertificateRecord {
  return {
    ...r,
    livingSubsidy: rng.chance(0.5) ? 0 : rng.int(5, 20) * 1000,
    certStatus: rng.chance(0.2) ? (r.certStatus === "VALID" ? "EXPIRED" : "VALID") : r.certStatus,
    lastModified: fmtDateBeijing(dayMs),
  };
}

function malform(r: CertificateRecord): unknown {
  return {
    ...r,
    category: Number(r.category),
    grade: Number(r.grade),
    livingSubsidy: String(r.livingSubsidy),
    nursingSubsidy: r.nursingSubsidy > 0,
    rehab: r.rehab.join(","),
  };
}

export function buildSandbox(data: DisabilityData, opts: SandboxOptions = {}): FastifyInstance {
  const kit = createSandboxApp(
    { keyField: "idNumber", schema: certificateRecordSchema, records: new Map(data.certificates), malform, evolve },
    data.untidy,
    opts,
  );
  kit.bulkRoutes("/cdpf/api/bulk");
  kit.app.get<{ Querystring: { ids?: string | string[] } }>("/cdpf/api/certificates", async (req, reply) => {
    const raw = req.query.ids;
    const ids = (Array.isArray(raw) ? raw.join(",") : (raw ?? "")).split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (ids.length < 1 || ids.length > DISABILITY_MAX_IDS) {
      return reply.code(400).send({ error: `ids must list 1–${DISABILITY_MAX_IDS} ID numbers, comma-separated` });
    }
    const out: unknown[] = [];
    for (const id of new Set(ids)) {
      const r = kit.records.get(id);
      if (r) out.push(kit.serve(id, r));
    }
    return out;
  });
  return kit.app;
}

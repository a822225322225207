import { z } from "zod";
import type { EducationRecord } from "../../src/domain/records.js";
import { type BatchResult, type Connector, type ConnectorDeps, bulkConverter, collectRecords, field, parseEnvelope, probeHealth } from "../kit/connector.js";
import { isStale, residenceFields, wire } from "../kit/convert.js";
import { joinUrl } from "../kit/http.js";

/** education (教委): POST /api/v1/students/search with ≤ 200 ID numbers (WIRE.md). */

export const EDUCATION_MAX_BATCH = 200;

export const stageSchema = z.enum(["PRESCHOOL", "PRIMARY", "JUNIOR", "SENIOR", "VOCATIONAL", "HIGHER"]);
export const aidItemSchema = z.enum(["FEE_WAIVER", "NATIONAL_GRANT", "FREE_TEXTBOOKS", "NUTRITION_LUNCH", "STUDENT_LOAN", "LIVING_SUBSIDY"]);

export const studentRecordSchema = z.object({
  idNumber: wire.key(),
  term: z.string().min(1),
  stage: stageSchema,
  schoolCode: z.string(),
  schoolName: z.string(),
  hardship: z.boolean(),
  aid: z.array(z.object({ item: aidItemSchema, term: z.string().min(1), amountYuan: wire.yuan() })),
  necessaryExpenseYuan: wire.yuan(),
  residence: wire.residence(),
  updatedAt: wire.dateTime(),
});
export type StudentRecordWire = z.output<typeof studentRecordSchema>;

export const searchResponseSchema = z.object({
  results: z.array(z.unknown()),
  notFound: z.array(z.string()).optional(),
});

export function mapStudentRecord(w: StudentRecordWire, now: Date, staleAfterDays: number): EducationRecord {
  return {
    source: "education",
    servedFrom: "LIVE",
    asOf: w.updatedAt,
    stale: isStale(w.updatedAt, now, staleAfterDays),
    stage: w.stage,
    schoolName: w.schoolName,
    schoolCode: w.schoolCode,
    hardshipStudent: w.hardship,
    term: w.term,
    aid: w.aid.map((a) => ({ item: a.item, term: a.term, amountFen: a.amountYuan })),
    necessaryExpenseFen: w.necessaryExpenseYuan,
    ...residenceFields(w.residence),
  };
}

export interface EducationConfig {
  baseUrl: string;
  batchSize: number;
  maxConcurrency: number;
  timeoutMs: number;
  staleAfterDays: number;
}

export function createEducationConnector(cfg: EducationConfig, deps: ConnectorDeps): Connector<EducationRecord> {
  const url = joinUrl(cfg.baseUrl, "/api/v1/students/search");
  return {
    name: "education",
    department: "education (教委)",
    batchSize: Math.min(cfg.batchSize, EDUCATION_MAX_BATCH),
    maxConcurrency: cfg.maxConcurrency,
    async loadBatch(keys: string[], signal: AbortSignal): Promise<BatchResult<EducationRecord>> {
      const res = await deps.http.postJson(url, { idNumbers: keys }, { signal });
      const body = parseEnvelope("education", searchResponseSchema, res.body, url);
      const now = deps.now();
      return collectRecords("education", keys, body.results, {
        schema: studentRecordSchema,
        keyOf: field("idNumber"),
        map: (w) => mapStudentRecord(w, now, cfg.staleAfterDays),
        url,
      });
    },
    health: () => probeHealth(deps.http, joinUrl(cfg.baseUrl, "/health"), cfg.timeoutMs),
    bulk: {
      exportUrl: joinUrl(cfg.baseUrl, "/api/v1/students/export"),
      changesUrl: joinUrl(cfg.baseUrl, "/api/v1/students/changes"),
      convert: bulkConverter(studentRecordSchema, "idNumber", (w, now) => mapStudentRecord(w, now, cfg.staleAfterDays)),
    },
  };
}

import { z } from "zod";
import type { EmploymentRecord } from "../../src/domain/records.js";
import { type BatchResult, type Connector, type ConnectorDeps, bulkConverter, collectRecords, field, probeHealth } from "../kit/connector.js";
import { isStale, residenceFields, wire } from "../kit/convert.js";
import { badResponseError } from "../kit/errors.js";
import { joinUrl } from "../kit/http.js";

/** employment (人力社保): GET /api/persons/{idNumber}/employment, one key per request, rate-limited (WIRE.md). */

export const employmentStatusSchema = z.enum([
  "EMPLOYED",
  "FLEXIBLE",
  "UNEMPLOYED_REGISTERED",
  "UNEMPLOYED_UNREGISTERED",
  "RETIRED",
  "NOT_IN_LABOUR_FORCE",
]);

export const employmentRecordSchema = z.object({
  idNumber: wire.key(),
  status: employmentStatusSchema,
  unemploymentRegisteredOn: wire.date().nullable(),
  publicWelfarePost: z.boolean(),
  trainings: z.array(z.object({ course: z.string(), completedOn: wire.date() })),
  dibaoEmploymentSubsidy: z.object({ monthlyFen: wire.fen(), from: wire.date(), to: wire.date() }).nullable(),
  residence: wire.residence(),
  lastUpdated: wire.date(),
});
export type EmploymentRecordWire = z.output<typeof employmentRecordSchema>;

export function mapEmploymentRecord(w: EmploymentRecordWire, now: Date, staleAfterDays: number): EmploymentRecord {
  return {
    source: "employment",
    servedFrom: "LIVE",
    asOf: w.lastUpdated,
    stale: isStale(w.lastUpdated, now, staleAfterDays),
    status: w.status,
    registeredUnemployedSince: w.unemploymentRegisteredOn,
    publicWelfarePost: w.publicWelfarePost,
    trainings: w.trainings.map((t) => ({ course: t.course, completedOn: t.completedOn })),
    dibaoEmploymentSubsidy: w.dibaoEmploymentSubsidy
      ? { monthlyFen: w.dibaoEmploymentSubsidy.monthlyFen, from: w.dibaoEmploymentSubsidy.from, to: w.dibaoEmploymentSubsidy.to }
      : null,
    ...residenceFields(w.residence),
  };
}

export interface EmploymentConfig {
  baseUrl: string;
  maxConcurrency: number;
  timeoutMs: number;
  staleAfterDays: number;
}

export function createEmploymentConnector(cfg: EmploymentConfig, deps: ConnectorDeps): Connector<EmploymentRecord> {
  return {
    name: "employment",
    department: "human resources and social security (人力社保)",
    batchSize: 1,
    maxConcurrency: cfg.maxConcurrency,
    async loadBatch(keys: string[], signal: AbortSignal): Promise<BatchResult<EmploymentRecord>> {
      // The system has no batch API: one GET per key (the DataLoader's batch size is 1; this also copes with more).
      const now = deps.now();
      const answers = await Promise.all(
        keys.map(async (key) => {
          const url = joinUrl(cfg.baseUrl, `/api/persons/${encodeURIComponent(key)}/employment`);
          const res = await deps.http.getJson(url, { signal, okStatuses: [200, 404] });
          if (res.status === 404) return { key, records: [] as unknown[], url };
          const answered = field("idNumber")(res.body);
          if (typeof answered === "string" && answered !== key) {
            throw badResponseError("employment", { url, status: res.status, reason: "answer is for another person" });
          }
          return { key, records: [res.body], url };
        }),
      );
      const out: BatchResult<EmploymentRecord> = new Map();
      for (const a of answers) {
        const one = collectRecords("employment", [a.key], a.records, {
          schema: employmentRecordSchema,
          keyOf: field("idNumber"),
          map: (w) => mapEmploymentRecord(w, now, cfg.staleAfterDays),
          url: a.url,
        });
        out.set(a.key, one.get(a.key) ?? null);
      }
      return out;
    },
    health: () => probeHealth(deps.http, joinUrl(cfg.baseUrl, "/health"), cfg.timeoutMs),
    bulk: {
      exportUrl: joinUrl(cfg.baseUrl, "/api/bulk/employment/export"),
      changesUrl: joinUrl(cfg.baseUrl, "/api/bulk/employment/changes"),
      convert: bulkConverter(employmentRecordSchema, "idNumber", (w, now) => mapEmploymentRecord(w, now, cfg.staleAfterDays)),
    },
  };
}

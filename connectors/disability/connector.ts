import { z } from "zod";
import type { DisabilityCategory, DisabilityRecord } from "../../src/domain/records.js";
import { type BatchResult, type Connector, type ConnectorDeps, bulkConverter, collectRecords, field, parseEnvelope, probeHealth } from "../kit/connector.js";
import { isStale, residenceFields, wire } from "../kit/convert.js";
import { joinUrl } from "../kit/http.js";

/** disabled persons' federation (残联): GET /cdpf/api/certificates?ids=a,b,… with ≤ 50 ID numbers (WIRE.md). */

export const DISABILITY_MAX_BATCH = 50;

export const DISABILITY_CATEGORIES: Record<"1" | "2" | "3" | "4" | "5" | "6" | "7", DisabilityCategory> = {
  "1": "VISUAL",
  "2": "HEARING",
  "3": "SPEECH",
  "4": "PHYSICAL",
  "5": "INTELLECTUAL",
  "6": "MENTAL",
  "7": "MULTIPLE",
};

export const certificateRecordSchema = z.object({
  idNumber: wire.key(),
  certNo: z.string().length(20),
  category: z.enum(["1", "2", "3", "4", "5", "6", "7"]),
  grade: z.enum(["1", "2", "3", "4"]),
  livingSubsidy: wire.fen(),
  nursingSubsidy: wire.fen(),
  rehab: z.array(z.string()),
  certStatus: z.enum(["VALID", "EXPIRED"]),
  residence: wire.residence(),
  lastModified: wire.date(),
});
export type CertificateRecordWire = z.output<typeof certificateRecordSchema>;

export function mapCertificateRecord(w: CertificateRecordWire, now: Date, staleAfterDays: number): DisabilityRecord {
  const grade = Number(w.grade) as 1 | 2 | 3 | 4;
  return {
    source: "disability",
    servedFrom: "LIVE",
    asOf: w.lastModified,
    stale: isStale(w.lastModified, now, staleAfterDays),
    certificateNo: w.certNo,
    category: DISABILITY_CATEGORIES[w.category],
    grade,
    severe: grade <= 2,
    livingSubsidyFen: w.livingSubsidy,
    nursingSubsidyFen: w.nursingSubsidy,
    rehabilitation: [...w.rehab],
    certificateStatus: w.certStatus,
    ...residenceFields(w.residence),
  };
}

/** Several certificates for one person: a valid one wins over an expired one, then the latest. */
export function pickCertificate(a: DisabilityRecord, b: DisabilityRecord): DisabilityRecord {
  if (a.certificateStatus !== b.certificateStatus) return a.certificateStatus === "VALID" ? a : b;
  return b.asOf.getTime() > a.asOf.getTime() ? b : a;
}

export interface DisabilityConfig {
  baseUrl: string;
  batchSize: number;
  maxConcurrency: number;
  timeoutMs: number;
  staleAfterDays: number;
}

/** Keys that cannot be sent in a comma-separated list; they are answered `null` without asking. */
const unsendable = (key: string) => key === "" || key.includes(",");

export function createDisabilityConnector(cfg: DisabilityConfig, deps: ConnectorDeps): Connector<DisabilityRecord> {
  const base = joinUrl(cfg.baseUrl, "/cdpf/api/certificates");
  return {
    name: "disability",
    department: "disabled persons' federation (残联)",
    batchSize: Math.min(cfg.batchSize, DISABILITY_MAX_BATCH),
    maxConcurrency: cfg.maxConcurrency,
    async loadBatch(keys: string[], signal: AbortSignal): Promise<BatchResult<DisabilityRecord>> {
      const sendable = keys.filter((k) => !unsendable(k));
      if (sendable.length === 0) return new Map(keys.map((k) => [k, null]));
      const url = `${base}?ids=${sendable.map(encodeURIComponent).join(",")}`;
      const res = await deps.http.getJson(url, { signal });
      const records = parseEnvelope("disability", z.array(z.unknown()), res.body, base);
      const now = deps.now();
      return collectRecords("disability", keys, records, {
        schema: certificateRecordSchema,
        keyOf: field("idNumber"),
        map: (w) => mapCertificateRecord(w, now, cfg.staleAfterDays),
        pick: pickCertificate,
        url: base,
      });
    },
    health: () => probeHealth(deps.http, joinUrl(cfg.baseUrl, "/health"), cfg.timeoutMs),
    bulk: {
      exportUrl: joinUrl(cfg.baseUrl, "/cdpf/api/bulk/export"),
      changesUrl: joinUrl(cfg.baseUrl, "/cdpf/api/bulk/changes"),
      convert: bulkConverter(certificateRecordSchema, "idNumber", (w, now) => mapCertificateRecord(w, now, cfg.staleAfterDays)),
    },
  };
}

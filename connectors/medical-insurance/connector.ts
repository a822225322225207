import { z } from "zod";
import type { MedicalInsuranceRecord } from "../../src/domain/records.js";
import { type BatchResult, type Connector, type ConnectorDeps, bulkConverter, collectRecords, field, parseEnvelope, probeHealth, raceAbort } from "../kit/connector.js";
import { isStale, residenceFields, wire } from "../kit/convert.js";
import { badResponseError, toUpstreamError } from "../kit/errors.js";
import { joinUrl } from "../kit/http.js";

/**
 * medical insurance (医保): OAuth2 client credentials, then POST /api/v2/insured/query with ≤ 100 ID
 * numbers; snake_case, code tables, Beijing-time compact timestamps (WIRE.md).
 */

export const MEDICAL_MAX_BATCH = 100;

export const SPECIAL_DISEASES = {
  M01: "THALASSEMIA",
  M02: "CML",
  M03: "PNEUMOCONIOSIS",
  M04: "CHILD_LEUKAEMIA",
  M05: "UREMIA",
  M06: "CANCER",
  M07: "HEMOPHILIA",
  M08: "SEVERE_MENTAL_ILLNESS",
  M09: "CONGENITAL_HEART_DISEASE",
} as const;

export const CHRONIC_DISEASES = {
  C01: "HYPERTENSION",
  C02: "DIABETES",
  C03: "COPD",
  C04: "CORONARY_HEART_DISEASE",
  C05: "SCHIZOPHRENIA",
  C06: "RHEUMATOID_ARTHRITIS",
  C07: "CHRONIC_HEPATITIS_B",
} as const;

/** assist_type_code → share of the tier-1 personal premium paid by assistance */
export const PREMIUM_SUBSIDY_RATIO = { "11": 1.0, "12": 0.9, "13": 0.7, "14": 0.7, "00": 0 } as const;

const codeOf = <T extends Record<string, string>>(table: T) => z.enum(Object.keys(table) as [keyof T & string, ...(keyof T & string)[]]);

export const insuredRecordSchema = z.object({
  id_no: wire.key(),
  insured_tier: z.enum(["1", "2"]),
  assist_type_code: z.enum(["11", "12", "13", "14", "00"]),
  premium_subsidy_fen: wire.fen(),
  in_policy_expense_fen: wire.fen(),
  out_of_pocket_fen: wire.fen(),
  medical_aid_paid_fen: wire.fen(),
  special_disease_code: codeOf(SPECIAL_DISEASES).nullable(),
  chronic_disease_code: codeOf(CHRONIC_DISEASES).nullable(),
  settle_year: z.number().int().min(1900).max(9999),
  residence: wire.residenceSnake(),
  updated_time: wire.beijingCompact(),
});
export type InsuredRecordWire = z.output<typeof insuredRecordSchema>;

/** `code` "0000" carries data; any other code is a business error (→ UPSTREAM_BAD_RESPONSE). */
export const queryResponseSchema = z.object({
  code: z.string(),
  message: z.string().optional(),
  data: z.array(z.unknown()).nullable(),
});

export const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === "bearer", "token_type must be Bearer"),
  expires_in: z.number().positive(),
});

export function mapInsuredRecord(w: InsuredRecordWire, now: Date, staleAfterDays: number): MedicalInsuranceRecord {
  return {
    source: "medicalInsurance",
    servedFrom: "LIVE",
    asOf: w.updated_time,
    stale: isStale(w.updated_time, now, staleAfterDays),
    tier: w.insured_tier === "1" ? 1 : 2,
    premiumSubsidyRatio: PREMIUM_SUBSIDY_RATIO[w.assist_type_code],
    premiumSubsidyFen: w.premium_subsidy_fen,
    inPolicyExpenseFen: w.in_policy_expense_fen,
    outOfPocketFen: w.out_of_pocket_fen,
    medicalAidPaidFen: w.medical_aid_paid_fen,
    seriousDisease: w.special_disease_code ? SPECIAL_DISEASES[w.special_disease_code] : null,
    chronicDisease: w.chronic_disease_code ? CHRONIC_DISEASES[w.chronic_disease_code] : null,
    year: w.settle_year,
    ...residenceFields(w.residence),
  };
}

export interface MedicalInsuranceConfig {
  baseUrl: string;
  batchSize: number;
  maxConcurrency: number;
  timeoutMs: number;
  staleAfterDays: number;
  clientId: string;
  clientSecret: string;
}

interface Token {
  value: string;
  /** refresh once Date.now() passes this (shortly before the real expiry) */
  refreshAt: number;
}

/** How long before `expires_in` runs out a token is refreshed: 10 % of its life, at most 30 s. */
export function tokenRefreshMargin(expiresInSeconds: number): number {
  return Math.min(30_000, expiresInSeconds * 100);
}

export interface MedicalInsuranceConnector extends Connector<MedicalInsuranceRecord> {
  /** forget the cached token (tests, credential rotation) */
  resetToken(): void;
}

/** How long the sync waits for a token (a lookup waits UPSTREAM_TIMEOUT_MS). */
const SYNC_TOKEN_DEADLINE_MS = 60_000;

export function createMedicalInsuranceConnector(cfg: MedicalInsuranceConfig, deps: ConnectorDeps): MedicalInsuranceConnector {
  const tokenUrl = joinUrl(cfg.baseUrl, "/oauth/token");
  const queryUrl = joinUrl(cfg.baseUrl, "/api/v2/insured/query");
  let token: Token | null = null;
  let pending: Promise<Token> | null = null;

  /**
   * The cached token, or a new one. Concurrent callers share ONE token request. That request is not tied
   * to any one caller's signal (a caller giving up must not fail the others); it has its own deadline.
   */
  function getToken(signal: AbortSignal, deadlineMs: number = cfg.timeoutMs): Promise<Token> {
    if (token && Date.now() < token.refreshAt) return Promise.resolve(token);
    if (!pending) {
      const started = Date.now();
      const request = (async (): Promise<Token> => {
        const own = AbortSignal.any([AbortSignal.timeout(deadlineMs), deps.closed]);
        const res = await deps.http.postForm(
          tokenUrl,
          { grant_type: "client_credentials", client_id: cfg.clientId, client_secret: cfg.clientSecret },
          { signal: own, okStatuses: [200, 401] },
        );
        if (res.status === 401) throw badResponseError("medicalInsurance", { url: tokenUrl, status: 401, reason: "client credentials rejected" });
        const body = parseEnvelope("medicalInsurance", tokenResponseSchema, res.body, tokenUrl);
        const lifeMs = body.expires_in * 1000;
        return { value: body.access_token, refreshAt: started + lifeMs - tokenRefreshMargin(body.expires_in) };
      })();
      pending = request;
      request.then(
        (t) => {
          token = t;
          if (pending === request) pending = null;
        },
        () => {
          if (pending === request) pending = null;
        },
      );
    }
    return raceAbort(pending, signal).catch((e: unknown) => {
      throw toUpstreamError(e, "medicalInsurance", { url: tokenUrl });
    });
  }

  async function query(keys: string[], t: Token, signal: AbortSignal) {
    return deps.http.postJson(queryUrl, { id_numbers: keys }, { signal, okStatuses: [200, 401], headers: { authorization: `Bearer ${t.value}` } });
  }

  return {
    name: "medicalInsurance",
    department: "medical insurance (医保)",
    batchSize: Math.min(cfg.batchSize, MEDICAL_MAX_BATCH),
    maxConcurrency: cfg.maxConcurrency,
    async loadBatch(keys: string[], signal: AbortSignal): Promise<BatchResult<MedicalInsuranceRecord>> {
      let t = await getToken(signal);
      let res = await query(keys, t, signal);
      if (res.status === 401) {
        // expired or revoked early: refresh once (unless someone already did) and retry once
        if (token === t) token = null;
        t = await getToken(signal);
        res = await query(keys, t, signal);
        if (res.status === 401) {
          if (token === t) token = null;
          throw badResponseError("medicalInsurance", { url: queryUrl, status: 401, reason: "fresh token rejected" });
        }
      }
      const body = parseEnvelope("medicalInsurance", queryResponseSchema, res.body, queryUrl);
      if (body.code !== "0000") {
        throw badResponseError("medicalInsurance", { url: queryUrl, reason: `business error ${body.code}: ${body.message ?? ""}` });
      }
      if (body.data === null) throw badResponseError("medicalInsurance", { url: queryUrl, reason: "code 0000 without data" });
      const now = deps.now();
      return collectRecords("medicalInsurance", keys, body.data, {
        schema: insuredRecordSchema,
        keyOf: field("id_no"),
        map: (w) => mapInsuredRecord(w, now, cfg.staleAfterDays),
        url: queryUrl,
      });
    },
    health: () => probeHealth(deps.http, joinUrl(cfg.baseUrl, "/health"), cfg.timeoutMs),
    bulk: {
      exportUrl: joinUrl(cfg.baseUrl, "/api/v2/insured/bulk/export"),
      changesUrl: joinUrl(cfg.baseUrl, "/api/v2/insured/bulk/changes"),
      convert: bulkConverter(insuredRecordSchema, "id_no", (w, now) => mapInsuredRecord(w, now, cfg.staleAfterDays)),
      // the sync's own deadline (its page's), not a lookup's: a bulk read waits for its token as for its page
      headers: async (signal) => ({ authorization: `Bearer ${(await getToken(signal, SYNC_TOKEN_DEADLINE_MS)).value}` }),
      unauthorized: () => {
        token = null;
      },
    },
    resetToken() {
      token = null;
    },
  };
}

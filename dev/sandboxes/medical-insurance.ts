/**
 * Medical insurance (医保) sandbox: OAuth2 client credentials (`POST /oauth/token`), then
 * `POST /api/v2/insured/query` with 1–100 ID numbers, snake_case records with code tables
 * (WIRE.md). Records derived from the population: almost everybody is insured (tier 1; about 8 %
 * chose tier 2); assist_type_code from the person's tier in force (003 §9); premium subsidy =
 * ratio × the tier-1 personal premium (380 yuan/year); expenses from the facts; medical aid paid =
 * 70 % (TEKUN, DIBAO) / 60 % (marginal, rigid expenditure, other) of the in-policy out-of-pocket part.
 *
 * Duplicates (WIRE.md untidiness): for some seriously ill dibao persons whose household got
 * TEMPORARY_AID_EXPENDITURE from civil affairs in the last year, medical aid paid is the whole
 * out-of-pocket amount, i.e. it covers the same expenses the temporary aid paid for.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { timingSafeEqual, randomBytes } from "node:crypto";
import { z } from "zod";
import { hashString, type Rng } from "../seed/rng.js";
import type { SynthHousehold } from "../seed/model.js";
import { createSandboxApp, emptyUntidy, type SandboxOptions, type UntidyReport } from "./kit/app.js";
import {
  type DeriveOptions,
  type Deriver,
  type Tier,
  addDays,
  aidToPerson,
  deriveAll,
  fmtCompactBeijing,
  isDeceased,
  keyRng,
  knownTo,
  personTier,
  residenceOf,
  untidyOf,
  updatedAtMs, ensureOneDuplicate } from "./kit/population.js";

export type AssistTypeCode = "11" | "12" | "13" | "14" | "00";

export interface InsuredRecord {
  id_no: string;
  insured_tier: "1" | "2";
  assist_type_code: AssistTypeCode;
  premium_subsidy_fen: number;
  in_policy_expense_fen: number;
  out_of_pocket_fen: number;
  medical_aid_paid_fen: number;
  special_disease_code: string | null;
  chronic_disease_code: string | null;
  settle_year: number;
  /** where the insured person lives (WIRE.md): district and street code */
  residence?: { district_code: string; street_code: string };
  updated_time: string;
}

export interface MedicalInsuranceData {
  /** by ID number */
  insured: Map<string, InsuredRecord>;
  untidy: UntidyReport;
}

export interface MedicalCredentials {
  clientId: string;
  clientSecret: string;
}

export interface MedicalSandboxOptions extends SandboxOptions {
  /** the one client allowed to get tokens (default: clientId "safetynet-gateway" and a secret from `defaultMedicalCredentials(1)`) */
  credentials?: MedicalCredentials;
  /** token lifetime (default 300 s); also settable as `tokenTtlSeconds` in `PUT /__sandbox/faults` */
  tokenTtlSeconds?: number;
}

export const MEDICAL_MAX_IDS = 100;
/** Tier-1 residents' medical insurance personal premium, fen per year (illustrative). */
export const TIER1_PERSONAL_PREMIUM_FEN = 38_000;

/** special_disease_code table (WIRE.md) */
export const SPECIAL_DISEASE_CODES: Readonly<Record<string, string>> = {
  THALASSEMIA: "M01",
  CML: "M02",
  PNEUMOCONIOSIS: "M03",
  CHILD_LEUKAEMIA: "M04",
  UREMIA: "M05",
  CANCER: "M06",
  HEMOPHILIA: "M07",
  SEVERE_MENTAL_ILLNESS: "M08",
  CONGENITAL_HEART_DISEASE: "M09",
};
/** chronic_disease_code table (WIRE.md) */
export const CHRONIC_DISEASE_CODES: Readonly<Record<string, string>> = {
  HYPERTENSION: "C01",
  DIABETES: "C02",
  COPD: "C03",
  CORONARY_HEART_DISEASE: "C04",
  SCHIZOPHRENIA: "C05",
  RHEUMATOID_ARTHRITIS: "C06",
  CHRONIC_HEPATITIS_B: "C07",
};

export const ASSIST_TYPE_BY_TIER: Readonly<Record<Tier, AssistTypeCode>> = {
  TEKUN: "11",
  DIBAO: "12",
  DIBAO_MARGINAL: "13",
  RIGID_EXPENDITURE: "14",
  OTHER: "14",
  MONITORED: "00",
};
export const PREMIUM_SUBSIDY_RATIO: Readonly<Record<AssistTypeCode, number>> = { "11": 1, "12": 0.9, "13": 0.7, "14": 0.7, "00": 0 };
export const MEDICAL_AID_RATIO: Readonly<Record<AssistTypeCode, number>> = { "11": 0.7, "12": 0.7, "13": 0.6, "14": 0.6, "00": 0 };

const fenInt = z.number().int().nonnegative();
export const insuredRecordSchema: z.ZodType<InsuredRecord> = z.object({
  id_no: z.string().min(1),
  insured_tier: z.enum(["1", "2"]),
  assist_type_code: z.enum(["11", "12", "13", "14", "00"]),
  premium_subsidy_fen: fenInt,
  in_policy_expense_fen: fenInt,
  out_of_pocket_fen: fenInt,
  medical_aid_paid_fen: fenInt,
  special_disease_code: z.string().nullable(),
  chronic_disease_code: z.string().nullable(),
  settle_year: z.number().int(),
  residence: z.object({ district_code: z.string(), street_code: z.string() }).optional(),
  updated_time: z.string().regex(/^\d{14}$/),
});

/** The default credentials of a sandbox set started with this seed (a sandbox, not a secret). */
export function defaultMedicalCredentials(seed: number): MedicalCredentials {
  return { clientId: "safetynet-gateway", clientSecret: `sandbox-${(hashString(`medical|${seed}`) >>> 0).toString(16).padStart(8, "0")}` };
}

interface Candidate {
  key: string;
  rank: number;
  record: InsuredRecord;
}

export function createMedicalInsuranceDeriver(opts: DeriveOptions): Deriver<MedicalInsuranceData> {
  const insured = new Map<string, InsuredRecord>();
  const untidy = emptyUntidy();
  const yearAgo = addDays(opts.asOf, -365);
  const candidates: Candidate[] = [];
  const year = Number(opts.asOf.slice(0, 4));
  return {
    add(h: SynthHousehold) {
      h.members.forEach((p, i) => {
        if (isDeceased(p, opts.asOf) || !knownTo(h, "medicalInsurance")) return;
        const rng = keyRng(opts.seed, "medicalInsurance", p.idNumber);
        if (h.departmentOnly === undefined && rng.chance(0.02)) return; // not insured (absent by design, not untidiness)
        const u = untidyOf(h, rng);
        if (u.unknown) {
          untidy.unknownPersons.push(p.idNumber);
          return;
        }
        if (u.stale) untidy.stale.push(p.idNumber);
        const { tier } = personTier(h, i, opts.asOf);
        const code: AssistTypeCode = tier === null ? "00" : ASSIST_TYPE_BY_TIER[tier];
        const oop = p.facts.outOfPocketFen;
        const updated = updatedAtMs(rng, opts.asOf, u.stale);
        const record: InsuredRecord = {
          id_no: p.idNumber,
          insured_tier: rng.chance(0.08) ? "2" : "1",
          assist_type_code: code,
          premium_subsidy_fen: Math.round(PREMIUM_SUBSIDY_RATIO[code] * TIER1_PERSONAL_PREMIUM_FEN),
          in_policy_expense_fen: p.facts.medicalExpenseFen,
          out_of_pocket_fen: oop,
          medical_aid_paid_fen: Math.round(MEDICAL_AID_RATIO[code] * oop),
          special_disease_code: p.facts.seriousIllness === null ? null : (SPECIAL_DISEASE_CODES[p.facts.seriousIllness] ?? null),
          chronic_disease_code: p.facts.chronicIllness === null ? null : (CHRONIC_DISEASE_CODES[p.facts.chronicIllness] ?? null),
          settle_year: u.stale ? Number(fmtCompactBeijing(updated).slice(0, 4)) : year,
          residence: { district_code: residenceOf(h).districtCode, street_code: residenceOf(h).streetCode },
          updated_time: fmtCompactBeijing(updated),
        };
        insured.set(p.idNumber, record);
        if (
          !u.stale &&
          tier === "DIBAO" &&
          p.facts.seriousIllness !== null &&
          oop > 0 &&
          aidToPerson(h, i, "TEMPORARY_AID_EXPENDITURE", yearAgo, opts.asOf).length > 0
        ) {
          const c = { key: p.idNumber, rank: hashString(`${opts.seed}|dup|${p.idNumber}`), record };
          candidates.push(c);
          if (rng.chance(0.35)) makeDuplicate(c);
        }
      });
    },
    finish() {
      ensureOneDuplicate(untidy.duplicates, candidates, makeDuplicate);
      untidy.duplicates.sort();
      return { insured, untidy };
    },
  };

  function makeDuplicate(c: Candidate): void {
    c.record.medical_aid_paid_fen = c.record.out_of_pocket_fen;
    untidy.duplicates.push(c.key);
  }
}

/** Medical insurance records of the population: deterministic for (households, seed, asOf). */
export function deriveMedicalInsuranceData(households: Iterable<SynthHousehold>, opts: DeriveOptions): MedicalInsuranceData {
  return deriveAll(createMedicalInsuranceDeriver(opts), households);
}

/** A day's change (bulk exchange): new settled expenses (and the aid share on them); updated that day. */
function evolve(r: InsuredRecord, rng: Rng, dayMs: number): InsuredRecord {
  const added = rng.int(1, 50) * 10_000;
  const outOfPocket = r.out_of_pocket_fen + Math.round(added * 0.3);
  return {
    ...r,
    in_policy_expense_fen: r.in_policy_expense_fen + added,
    out_of_pocket_fen: outOfPocket,
    medical_aid_paid_fen: Math.min(outOfPocket, r.medical_aid_paid_fen + Math.round(added * 0.1)),
    updated_time: fmtCompactBeijing(dayMs + rng.int(0, 10 * 3600) * 1000),
  };
}

function malform(r: InsuredRecord): unknown {
  return {
    ...r,
    insured_tier: Number(r.insured_tier),
    assist_type_code: Number(r.assist_type_code),
    premium_subsidy_fen: `${r.premium_subsidy_fen / 100}元`,
    settle_year: String(r.settle_year),
    updated_time: Number(r.updated_time),
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** client_id / client_secret from HTTP Basic (RFC 6749 §2.3.1: form-encoded, then base64) or the body. */
function clientOf(authorization: string | undefined, body: Record<string, unknown>): { id: string; secret: string } | null {
  if (authorization && /^basic /i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    try {
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
      return { id: dec(decoded.slice(0, colon)), secret: dec(decoded.slice(colon + 1)) };
    } catch {
      return null;
    }
  }
  const id = body.client_id;
  const secret = body.client_secret;
  return typeof id === "string" && typeof secret === "string" ? { id, secret } : null;
}

export function buildSandbox(data: MedicalInsuranceData, opts: MedicalSandboxOptions = {}): FastifyInstance {
  const credentials = opts.credentials ?? defaultMedicalCredentials(1);
  let ttlSeconds = opts.tokenTtlSeconds ?? 300;
  /** token -> expiry (ms since the epoch) */
  const tokens = new Map<string, number>();
  const kit = createSandboxApp(
    { keyField: "id_no", schema: insuredRecordSchema, records: new Map(data.insured), malform, evolve },
    data.untidy,
    opts,
    { tokenTtlSeconds: { get: () => ttlSeconds, set: (v) => (ttlSeconds = v), min: 0, exclusiveMin: true } },
  );
  const app = kit.app;
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.post("/oauth/token", async (req, reply) => {
    const body = (typeof req.body === "object" && req.body !== null ? req.body : {}) as Record<string, unknown>;
    if (body.grant_type !== "client_credentials") return reply.code(400).send({ error: "unsupported_grant_type" });
    const client = clientOf(req.headers.authorization, body);
    if (!client || client.id !== credentials.clientId || !sameSecret(client.secret, credentials.clientSecret)) {
      return reply.code(401).header("WWW-Authenticate", 'Basic realm="oauth"').send({ error: "invalid_client" });
    }
    const now = Date.now();
    for (const [t, exp] of tokens) if (exp <= now) tokens.delete(t); // forget expired tokens
    const token = randomBytes(24).toString("base64url");
    tokens.set(token, now + ttlSeconds * 1000);
    return reply.header("Cache-Control", "no-store").send({ access_token: token, token_type: "Bearer", expires_in: Math.ceil(ttlSeconds) });
  });

  /** The API's bearer-token check: false (and the 401 sent) when the token is missing, unknown or expired. */
  const authorized = (req: FastifyRequest, reply: FastifyReply): boolean => {
    const auth = req.headers.authorization;
    const token = auth && /^bearer /i.test(auth) ? auth.slice(7).trim() : null;
    const exp = token === null ? undefined : tokens.get(token);
    if (exp === undefined || exp <= Date.now()) {
      if (token !== null && exp !== undefined) tokens.delete(token);
      void reply.code(401).header("WWW-Authenticate", 'Bearer error="invalid_token"').send({ error: "invalid_token" });
      return false;
    }
    return true;
  };
  kit.bulkRoutes("/api/v2/insured/bulk", authorized);

  app.post("/api/v2/insured/query", async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    const ids = (req.body as { id_numbers?: unknown } | null)?.id_numbers;
    if (!Array.isArray(ids) || ids.length < 1 || ids.length > MEDICAL_MAX_IDS || !ids.every((x) => typeof x === "string")) {
      return { code: "E1001", message: `id_numbers must be an array of 1–${MEDICAL_MAX_IDS} ID numbers`, data: null };
    }
    const out: unknown[] = [];
    for (const id of new Set(ids as string[])) {
      const r = kit.records.get(id);
      if (r) out.push(kit.serve(id, r));
    }
    return { code: "0000", message: "ok", data: out };
  });
  return app;
}

/**
 * Employment (人力社保) sandbox: `GET /api/persons/{idNumber}/employment`, rate-limited by a token
 * bucket (default 500 requests/s, burst 100; `rateLimitPerSecond` and `burst` settable in
 * `PUT /__sandbox/faults`), over records derived from the population's `facts.employment`.
 *
 * The dibao employment subsidy (000 二(七), 002 #13: the monthly dibao reduction, for up to a year)
 * goes to some dibao members who found work: most workers of households in gradual exit (低保渐退),
 * a quarter of the earners of dibao households in force, half of the earners of households that left
 * dibao in the last year. Monthly amount = the member's earnings (what dibao was reduced by), capped at
 * the household's dibao payment and the local standard × household size.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { EmploymentStatus, SynthHousehold } from "../seed/model.js";
import { PolicyTable } from "../seed/reference.js";
import { createSandboxApp, emptyUntidy, type SandboxOptions, type UntidyReport } from "./kit/app.js";
import {
  type DeriveOptions,
  type Deriver,
  addDays,
  addMonths,
  caseCovers,
  caseInForce,
  deriveAll,
  firstOfMonth,
  fmtDateBeijing,
  isDeceased,
  keyRng,
  knownTo,
  type Residence,
  residenceOf,
  residenceSchema,
  untidyOf,
  updatedAtMs,
} from "./kit/population.js";
import { TokenBucket } from "./kit/rate-limit.js";
import type { Rng } from "../seed/rng.js";

export interface EmploymentWireRecord {
  idNumber: string;
  status: EmploymentStatus;
  unemploymentRegisteredOn: string | null;
  publicWelfarePost: boolean;
  trainings: { course: string; completedOn: string }[];
  dibaoEmploymentSubsidy: { monthlyFen: number; from: string; to: string } | null;
  /** where the person lives (WIRE.md): district and street code */
  residence?: Residence;
  lastUpdated: string;
}

export interface EmploymentData {
  /** by ID number */
  persons: Map<string, EmploymentWireRecord>;
  untidy: UntidyReport;
}

export interface EmploymentSandboxOptions extends SandboxOptions {
  /** token refill rate (default 500) */
  rateLimitPerSecond?: number;
  /** bucket capacity (default 100) */
  burst?: number;
}

const STATUSES = ["EMPLOYED", "FLEXIBLE", "UNEMPLOYED_REGISTERED", "UNEMPLOYED_UNREGISTERED", "RETIRED", "NOT_IN_LABOUR_FORCE"] as const;
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const employmentRecordSchema: z.ZodType<EmploymentWireRecord> = z.object({
  idNumber: z.string().min(1),
  status: z.enum(STATUSES),
  unemploymentRegisteredOn: isoDate.nullable(),
  publicWelfarePost: z.boolean(),
  trainings: z.array(z.object({ course: z.string(), completedOn: isoDate })),
  dibaoEmploymentSubsidy: z.object({ monthlyFen: z.number().int().nonnegative(), from: isoDate, to: isoDate }).nullable(),
  residence: residenceSchema.optional(),
  lastUpdated: isoDate,
});

/** Free vocational training courses (002 #13: at least three free sessions). */
export const COURSES = ["家政服务", "养老护理员", "育婴员", "中式烹调", "中式面点", "电工", "焊工", "电子商务", "计算机操作", "美容美发", "汽车维修", "保安员", "网络直播营销", "农业实用技术"] as const;

const EARNER_SOURCES = new Set(["WAGES", "BUSINESS", "AGRICULTURE"]);

export function createEmploymentDeriver(opts: DeriveOptions): Deriver<EmploymentData> {
  const persons = new Map<string, EmploymentWireRecord>();
  const untidy = emptyUntidy();
  const policy = new PolicyTable();
  const yearAgo = addDays(opts.asOf, -365);
  return {
    add(h: SynthHousehold) {
      h.members.forEach((p, i) => {
        const e = p.facts.employment;
        if (!e || isDeceased(p, opts.asOf) || !knownTo(h, "employment")) return;
        const rng = keyRng(opts.seed, "employment", p.idNumber);
        const u = untidyOf(h, rng);
        if (u.unknown) {
          untidy.unknownPersons.push(p.idNumber);
          return;
        }
        if (u.stale) untidy.stale.push(p.idNumber);
        const updated = updatedAtMs(rng, opts.asOf, u.stale);
        const updatedOn = fmtDateBeijing(updated);
        // a stale record shows what the system knew then: trainings before the update, no subsidy
        const trainings = Array.from({ length: e.trainings }, () => ({
          course: rng.pick(COURSES),
          completedOn: addDays(updatedOn, -rng.int(0, 1000)),
        })).sort((a, b) => (a.completedOn < b.completedOn ? -1 : a.completedOn > b.completedOn ? 1 : 0));

        // the dibao employment subsidy
        let subsidy: EmploymentWireRecord["dibaoEmploymentSubsidy"] = null;
        if (!u.stale && (e.status === "EMPLOYED" || e.status === "FLEXIBLE")) {
          const dibao = h.cases.find(
            (c) => c.tier === "DIBAO" && caseCovers(c, i) && (caseInForce(c, opts.asOf) || (c.status === "TERMINATED" && c.endDate !== null && c.endDate >= yearAgo && c.endDate <= opts.asOf)),
          );
          const chance = !dibao ? 0 : dibao.status === "GRADUAL_EXIT" ? 0.85 : dibao.status === "TERMINATED" ? 0.5 : 0.25;
          if (dibao && rng.chance(chance)) {
            const earnings = h.incomes.filter((x) => x.personIndex === i && EARNER_SOURCES.has(x.source) && x.validFrom <= opts.asOf && (x.validTo === null || x.validTo >= opts.asOf));
            const wage = earnings.reduce((s, x) => s + x.monthlyFen, 0);
            const startedWork = earnings.reduce<string | null>((m, x) => (m === null || x.validFrom > m ? x.validFrom : m), null);
            const standard = policy.value(h.hukou === "URBAN" ? "DIBAO_STANDARD_URBAN" : "DIBAO_STANDARD_RURAL", opts.asOf, h.districtCode);
            let reduction = wage > 0 ? wage : rng.int(150, 600) * 100;
            reduction = Math.min(reduction, standard * h.members.length, dibao.monthlyFen && dibao.monthlyFen > 0 ? dibao.monthlyFen : Infinity);
            reduction = Math.max(1000, Math.floor(reduction / 100) * 100);
            // from the month after the job started when that was within the last year, else some month of the last year
            const began = startedWork !== null && startedWork > yearAgo ? startedWork : addDays(opts.asOf, -rng.int(0, 360));
            const from = firstOfMonth(addMonths(began, 1));
            const months = dibao.status === "GRADUAL_EXIT" ? 12 : rng.int(6, 12);
            subsidy = { monthlyFen: reduction, from, to: addDays(addMonths(from, months), -1) };
          }
        }

        persons.set(p.idNumber, {
          idNumber: p.idNumber,
          status: e.status,
          unemploymentRegisteredOn: e.status === "UNEMPLOYED_REGISTERED" ? (e.unemployedSince ?? addDays(opts.asOf, -rng.int(30, 900))) : null,
          publicWelfarePost: e.publicWelfarePost,
          trainings,
          dibaoEmploymentSubsidy: subsidy,
          residence: residenceOf(h),
          lastUpdated: updatedOn,
        });
      });
    },
    finish: () => ({ persons, untidy }),
  };
}

/** Employment records of the population: deterministic for (households, seed, asOf). */
export function deriveEmploymentData(households: Iterable<SynthHousehold>, opts: DeriveOptions): EmploymentData {
  return deriveAll(createEmploymentDeriver(opts), households);
}

/** A day's change (bulk exchange): the status moves on, a training may be completed; updated that day. */
function evolve(r: EmploymentWireRecord, rng: Rng, dayMs: number): EmploymentWireRecord {
  const day = fmtDateBeijing(dayMs);
  const status = rng.pick(STATUSES.filter((s) => s !== r.status));
  return {
    ...r,
    status,
    unemploymentRegisteredOn: status === "UNEMPLOYED_REGISTERED" ? day : null,
    trainings: rng.chance(0.3) ? [...r.trainings, { course: rng.pick(COURSES), completedOn: day }] : r.trainings,
    lastUpdated: day,
  };
}

function malform(r: EmploymentWireRecord): unknown {
  return {
    ...r,
    status: STATUSES.indexOf(r.status),
    publicWelfarePost: r.publicWelfarePost ? "yes" : "no",
    trainings: r.trainings.map((t) => t.course).join(","),
    lastUpdated: Number(r.lastUpdated.replaceAll("-", "")),
  };
}

export function buildSandbox(data: EmploymentData, opts: EmploymentSandboxOptions = {}): FastifyInstance {
  const bucket = new TokenBucket(opts.rateLimitPerSecond ?? 500, opts.burst ?? 100);
  const kit = createSandboxApp(
    { keyField: "idNumber", schema: employmentRecordSchema, records: new Map(data.persons), malform, evolve },
    data.untidy,
    opts,
    {
      rateLimitPerSecond: { get: () => bucket.ratePerSecond, set: (v) => bucket.setRate(v), min: 0, exclusiveMin: true },
      burst: { get: () => bucket.burst, set: (v) => bucket.setBurst(v), min: 1, integer: true },
    },
  );
  // after the fault hook: a request that got through the faults takes a token
  kit.app.addHook("onRequest", async (req, reply) => {
    if (!req.url.startsWith("/api/")) return;
    const wait = bucket.take();
    if (wait > 0) return reply.code(429).header("Retry-After", String(wait)).send({ error: "rate limited" });
  });
  kit.bulkRoutes("/api/bulk/employment");
  kit.app.get<{ Params: { idNumber: string } }>("/api/persons/:idNumber/employment", async (req, reply) => {
    const r = kit.records.get(req.params.idNumber);
    if (!r) return reply.code(404).send({ error: "not found" });
    return kit.serve(req.params.idNumber, r);
  });
  return kit.app;
}

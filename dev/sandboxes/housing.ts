/**
 * Housing (住建) sandbox: `GET /housing/v1/households/{registryNo}/benefits?page=&pageSize=`
 * (pageSize 1–50, default 2; pages from 1), over benefits derived per household (001 (6), 002 #11–12,
 * 003 §11). The system knows only households that have a benefit (active, ended or applied for);
 * any other registry number is 404.
 *
 * - URBAN households of DIBAO, dispersed TEKUN, DIBAO_MARGINAL or RIGID_EXPENDITURE, and orphans
 *   aged 18+: public rental housing (实物配租) or a rental subsidy (租赁补贴). Dibao A-class and
 *   TEKUN tenants: subsidy = rent (001 (6)); other dibao: half the rent; marginal / rigid: public
 *   rental at its low rent, or a standard subsidy of 180 yuan per person (200–600).
 * - Households granted temporary aid in the last year: a rental subsidy for 12 months (003 §11).
 * - RURAL households of those tiers or monitored: dilapidated-house renovation grants (危房改造)
 *   of 10,000–35,000 yuan.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { SynthHousehold } from "../seed/model.js";
import { createSandboxApp, emptyUntidy, type SandboxOptions, type UntidyReport } from "./kit/app.js";
import {
  type DeriveOptions,
  type Deriver,
  type PersonTier,
  addDays,
  addMonths,
  TIER_ORDER,
  ageOn,
  daysBetween,
  deriveAll,
  firstOfMonth,
  fmtDateBeijing,
  fmtUtc,
  isDeceased,
  keyRng,
  personTier,
  untidyDraw,
  updatedAtMs,
} from "./kit/population.js";

export type BenefitType = "PUBLIC_RENTAL" | "RENTAL_SUBSIDY" | "DILAPIDATED_RENOVATION";
export type BenefitState = "ACTIVE" | "ENDED" | "APPLIED";

export interface Benefit {
  benefitType: BenefitType;
  state: BenefitState;
  monthlyRentFen: number | null;
  monthlySubsidyFen: number | null;
  grantFen: number | null;
  startDate: string;
  endDate: string | null;
  modified: string;
}

/** What the housing system holds per household; also the shape of a fixture record. */
export interface HousingHouseholdRecord {
  registryNo: string;
  items: Benefit[];
}

export interface HousingData {
  /** by household registry number */
  households: Map<string, HousingHouseholdRecord>;
  untidy: UntidyReport;
}

export const HOUSING_DEFAULT_PAGE_SIZE = 2;
export const HOUSING_MAX_PAGE_SIZE = 50;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const fen = z.number().int().nonnegative().nullable();
export const benefitSchema: z.ZodType<Benefit> = z.object({
  benefitType: z.enum(["PUBLIC_RENTAL", "RENTAL_SUBSIDY", "DILAPIDATED_RENOVATION"]),
  state: z.enum(["ACTIVE", "ENDED", "APPLIED"]),
  monthlyRentFen: fen,
  monthlySubsidyFen: fen,
  grantFen: fen,
  startDate: isoDate,
  endDate: isoDate.nullable(),
  modified: z.string().min(1),
});
export const housingRecordSchema: z.ZodType<HousingHouseholdRecord> = z.object({
  registryNo: z.string().min(1),
  items: z.array(benefitSchema),
});

const round100 = (x: number): number => Math.round(x / 100) * 100;

/** The strongest tier in force over the members (a single-person inclusion counts for the household). */
function strongestTier(h: SynthHousehold, asOf: string): PersonTier {
  let best: PersonTier = { tier: null, tierClass: null, case: null };
  h.members.forEach((_, i) => {
    const t = personTier(h, i, asOf);
    if (t.tier !== null && (best.tier === null || TIER_ORDER.indexOf(t.tier) < TIER_ORDER.indexOf(best.tier))) best = t;
  });
  return best;
}

export function createHousingDeriver(opts: DeriveOptions): Deriver<HousingData> {
  const households = new Map<string, HousingHouseholdRecord>();
  const untidy = emptyUntidy();

  function benefitsOf(h: SynthHousehold, rng: ReturnType<typeof keyRng>, asOf: string): Omit<Benefit, "modified">[] {
    const out: Omit<Benefit, "modified">[] = [];
    const yearAgo = addDays(asOf, -365);
    const living = h.members.filter((p) => !isDeceased(p, asOf));
    const n = Math.max(1, living.length);
    /** the standard rental subsidy: 180 yuan per person, 200–600 yuan */
    const standardSubsidy = Math.min(60_000, Math.max(20_000, n * 18_000));
    const { tier, tierClass } = strongestTier(h, asOf);
    const closed = h.status === "CLOSED";
    const orphan18 = h.members.some((p) => p.facts.orphan === true && ageOn(p.birthDate, asOf) >= 18);
    const pastStart = (minDays: number, maxDays: number) => firstOfMonth(addDays(asOf, -rng.int(minDays, maxDays)));
    const stateOf = (): BenefitState => (closed ? "ENDED" : rng.weightedPairs<BenefitState>([["ACTIVE", 85], ["APPLIED", 9], ["ENDED", 6]]));
    const span = (state: BenefitState, start: string): { startDate: string; endDate: string | null } => {
      if (state === "APPLIED") return { startDate: addDays(asOf, -rng.int(5, 90)), endDate: null };
      if (state === "ENDED") {
        const days = daysBetween(start, asOf);
        return { startDate: start, endDate: addDays(start, rng.int(Math.min(30, days - 1), days - 1)) };
      }
      return { startDate: start, endDate: null };
    };

    if (h.hukou === "URBAN") {
      const dispersedTekun = tier === "TEKUN" && tierClass !== "TEKUN_CENTRALISED";
      const eligible = tier === "DIBAO" || dispersedTekun || tier === "DIBAO_MARGINAL" || tier === "RIGID_EXPENDITURE" || orphan18;
      const p = !eligible ? 0 : orphan18 ? 0.6 : tier === "DIBAO" || dispersedTekun ? 0.45 : 0.3;
      const fullSubsidy = tierClass === "DIBAO_A" || tier === "TEKUN";
      if (p > 0 && rng.chance(p)) {
        const halfSubsidy = tier === "DIBAO" && !fullSubsidy;
        const area = Math.min(70, Math.max(30, n * rng.int(15, 20)));
        const state = stateOf();
        if (rng.chance(0.4)) {
          const rent = round100(area * rng.int(1000, 1400));
          const start = pastStart(60, 2500);
          // a quarter moved into public rental after renting with a subsidy first
          if (state !== "APPLIED" && rng.chance(0.25)) {
            const earlier = addMonths(start, -rng.int(12, 48));
            const marketRent = round100(area * rng.int(2500, 3500));
            out.push({
              benefitType: "RENTAL_SUBSIDY", state: "ENDED", monthlyRentFen: marketRent,
              monthlySubsidyFen: fullSubsidy ? marketRent : standardSubsidy,
              grantFen: null, startDate: earlier, endDate: addDays(start, -1),
            });
          }
          out.push({
            benefitType: "PUBLIC_RENTAL", state, monthlyRentFen: rent,
            monthlySubsidyFen: fullSubsidy ? rent : halfSubsidy ? round100(rent / 2) : null,
            grantFen: null, ...span(state, start),
          });
        } else {
          const marketRent = fullSubsidy || rng.chance(0.8) ? round100(area * rng.int(2500, 3500)) : null;
          out.push({
            benefitType: "RENTAL_SUBSIDY", state, monthlyRentFen: marketRent,
            monthlySubsidyFen: fullSubsidy && marketRent !== null ? marketRent : marketRent !== null ? Math.min(standardSubsidy, marketRent) : standardSubsidy,
            grantFen: null, ...span(state, pastStart(60, 2000)),
          });
        }
      }
      // 003 §11: households granted temporary aid get a rental subsidy for 12 months
      const temp = h.aid.find((a) => (a.program === "TEMPORARY_AID_EMERGENCY" || a.program === "TEMPORARY_AID_EXPENDITURE") && a.periodStart >= yearAgo && a.periodStart <= asOf);
      if (temp && !out.some((b) => b.state === "ACTIVE") && rng.chance(0.5)) {
        const start = firstOfMonth(addMonths(temp.periodStart, 1));
        const end = addDays(addMonths(start, 12), -1);
        const rent = round100(Math.min(70, Math.max(30, n * 17)) * rng.int(2500, 3500));
        if (start <= asOf) {
          out.push({
            benefitType: "RENTAL_SUBSIDY", state: end < asOf || closed ? "ENDED" : "ACTIVE", monthlyRentFen: rent,
            monthlySubsidyFen: fullSubsidy ? rent : Math.min(rent, standardSubsidy),
            grantFen: null, startDate: start, endDate: end,
          });
        }
      }
    } else {
      const eligible = tier === "DIBAO" || (tier === "TEKUN" && tierClass !== "TEKUN_CENTRALISED") || tier === "DIBAO_MARGINAL" || tier === "MONITORED" || tier === "RIGID_EXPENDITURE";
      if (eligible && rng.chance(0.35)) {
        const state = closed ? "ENDED" : rng.weightedPairs<BenefitState>([["ENDED", 60], ["ACTIVE", 25], ["APPLIED", 15]]);
        const grant = rng.int(100, 350) * 10_000;
        if (state === "APPLIED") {
          out.push({ benefitType: "DILAPIDATED_RENOVATION", state, monthlyRentFen: null, monthlySubsidyFen: null, grantFen: grant, startDate: addDays(asOf, -rng.int(5, 120)), endDate: null });
        } else if (state === "ACTIVE") {
          out.push({ benefitType: "DILAPIDATED_RENOVATION", state, monthlyRentFen: null, monthlySubsidyFen: null, grantFen: grant, startDate: addDays(asOf, -rng.int(30, 240)), endDate: null });
        } else {
          const start = addDays(asOf, -rng.int(300, 2500));
          const end = addMonths(start, rng.int(3, 9));
          out.push({ benefitType: "DILAPIDATED_RENOVATION", state, monthlyRentFen: null, monthlySubsidyFen: null, grantFen: grant, startDate: start, endDate: end < asOf ? end : asOf });
        }
      }
    }
    return out.sort((a, b) => (a.startDate < b.startDate ? -1 : a.startDate > b.startDate ? 1 : a.benefitType < b.benefitType ? -1 : 1));
  }

  return {
    add(h: SynthHousehold) {
      const rng = keyRng(opts.seed, "housing", h.registryNo);
      const u = untidyDraw(rng);
      // a stale household was last touched years ago: its benefits are as they were then
      const staleAt = u.stale ? updatedAtMs(rng, opts.asOf, true) : null;
      const asOf = staleAt === null ? opts.asOf : fmtDateBeijing(staleAt);
      const benefits = benefitsOf(h, rng, asOf);
      if (benefits.length === 0) return;
      if (u.unknown) {
        untidy.unknownPersons.push(h.registryNo);
        return;
      }
      if (u.stale) untidy.stale.push(h.registryNo);
      const items = benefits.map((b) => {
        // modified on or after the last date the benefit shows
        const last = [b.startDate, b.endDate].filter((d): d is string => d !== null && d <= asOf).sort().at(-1)!;
        const fresh = staleAt ?? updatedAtMs(rng, opts.asOf, false, daysBetween(last, opts.asOf));
        return { ...b, modified: fmtUtc(fresh) };
      });
      households.set(h.registryNo, { registryNo: h.registryNo, items });
    },
    finish: () => ({ households, untidy }),
  };
}

/** Housing benefits of the population by household: deterministic for (households, seed, asOf). */
export function deriveHousingData(households: Iterable<SynthHousehold>, opts: DeriveOptions): HousingData {
  return deriveAll(createHousingDeriver(opts), households);
}

function malform(r: HousingHouseholdRecord): unknown {
  return {
    ...r,
    items: r.items.map((b) => ({
      ...b,
      monthlyRentFen: b.monthlyRentFen === null ? "none" : `${b.monthlyRentFen / 100} yuan`,
      startDate: Number(b.startDate.replaceAll("-", "")),
      state: b.state === "ACTIVE",
    })),
  };
}

function positiveInt(v: unknown, dflt: number): number | null {
  if (v === undefined) return dflt;
  if (typeof v !== "string" || !/^\d+$/.test(v)) return null;
  const n = Number(v);
  return n >= 1 ? n : null;
}

export function buildSandbox(data: HousingData, opts: SandboxOptions = {}): FastifyInstance {
  const kit = createSandboxApp(
    { keyField: "registryNo", schema: housingRecordSchema, records: new Map(data.households), malform },
    data.untidy,
    opts,
  );
  kit.app.get<{ Params: { registryNo: string }; Querystring: { page?: string; pageSize?: string } }>(
    "/housing/v1/households/:registryNo/benefits",
    async (req, reply) => {
      const page = positiveInt(req.query.page, 1);
      const pageSize = positiveInt(req.query.pageSize, HOUSING_DEFAULT_PAGE_SIZE);
      if (page === null) return reply.code(400).send({ error: "page must be a whole number ≥ 1" });
      if (pageSize === null || pageSize > HOUSING_MAX_PAGE_SIZE) return reply.code(400).send({ error: `pageSize must be 1–${HOUSING_MAX_PAGE_SIZE}` });
      const key = req.params.registryNo;
      const r = kit.records.get(key);
      if (!r) return reply.code(404).send({ error: "not found" });
      const served = kit.serve(key, r) as { items: unknown[] };
      const totalPages = Math.max(1, Math.ceil(served.items.length / pageSize));
      return {
        registryNo: key,
        page,
        pageSize,
        totalPages,
        items: served.items.slice((page - 1) * pageSize, page * pageSize),
      };
    },
  );
  return kit.app;
}

/**
 * Temporary-aid applications 临时救助 in the synthetic data set (issue 13 point 7, 003 §5), and the seed's own
 * statement of who applied and who was refused — the oracle the tests compare the gateway with.
 *
 * Who applied: a household with no household-level case in force (no ACTIVE or GRADUAL_EXIT case: the
 * registry's refused, ended, suspended, pending and OTHER households — those temporary aid is for) and not
 * CLOSED, whose `hashString(id + "|temporary-aid") % APPLICANT_MODULUS === 0`. One application each, drawn from
 * `hashString(id + "|temporary-aid-detail")` (v):
 *   - status: v % 10 < 6 REFUSED, < 9 GRANTED, else APPLIED (pending)
 *   - kind: bit 4 of v: EXPENDITURE 支出型, else EMERGENCY 急难型
 *   - decided (REFUSED, GRANTED): applied 20 + (v >>> 5) % 1100 days before the as-of date (so some refusals are
 *     older than the two years of retention), decided 5 + (v >>> 16) % 15 days later (always before the as-of date)
 *   - pending (APPLIED): applied 1 + (v >>> 5) % 20 days before the as-of date
 *   - granted amount: EMERGENCY 1,000–3,000 yuan, EXPENDITURE 2,000–8,000 yuan, in whole yuan
 * The default set (seed 20190101, as of 2026-11-22) then holds the counts `npm run -s domain:report` prints
 * (README, "What the rules find"). Dates are relative to the as-of date, like the generator's.
 * Pure: the same household and as-of date give the same applications. Nothing here is in generator.ts: run.ts
 * attaches them to the generated households (withTemporaryAid) and the writer inserts them.
 */
import type { IsoDate, SynthHousehold, SynthTemporaryAid } from "./model.js";
import { addDays } from "./generator.js";
import { Rng, hashString, uuidFromString } from "./rng.js";

/** About one in APPLICANT_MODULUS households without a case in force applied. */
export const APPLICANT_MODULUS = 4;

const IN_FORCE = new Set(["ACTIVE", "GRADUAL_EXIT"]);

/** The household's own stream, positioned after the applicant draw when it applied; null when it did not. */
function applicantStream(h: Pick<SynthHousehold, "id" | "status" | "cases">): Rng | null {
  if (h.status === "CLOSED") return null;
  if (h.cases.some((c) => c.personIndex === null && IN_FORCE.has(c.status))) return null;
  const rng = new Rng(hashString(`${h.id}|temporary-aid`));
  return rng.next() < 1 / APPLICANT_MODULUS ? rng : null;
}

/** Whether the household applied for temporary aid in the data set (see the module's comment). */
export function appliedForTemporaryAid(h: Pick<SynthHousehold, "id" | "status" | "cases">): boolean {
  return applicantStream(h) !== null;
}

/** The household's temporary-aid applications in the data set as of `asOf` (empty for most households). */
export function temporaryAidOf(h: Pick<SynthHousehold, "id" | "status" | "cases" | "members">, asOf: IsoDate): SynthTemporaryAid[] {
  const rng = applicantStream(h);
  if (!rng) return [];
  const s = rng.int(0, 9);
  const status = s < 6 ? "REFUSED" : s < 9 ? "GRANTED" : "APPLIED";
  const kind = rng.int(0, 1) === 1 ? "EXPENDITURE" : "EMERGENCY";
  const decided = status !== "APPLIED";
  const appliedOn = decided ? addDays(asOf, -rng.int(20, 1119)) : addDays(asOf, -rng.int(1, 20));
  const decidedOn = decided ? addDays(appliedOn, rng.int(5, 19)) : null;
  const yuan = kind === "EMERGENCY" ? rng.int(1000, 3000) : rng.int(2000, 8000);
  const head = h.members.find((m) => m.relation === "HEAD") ?? h.members[0];
  return [
    {
      id: uuidFromString(`${h.id}|temporary-aid|${asOf}`),
      personId: kind === "EXPENDITURE" ? null : (head?.id ?? null),
      kind,
      appliedOn,
      status,
      decidedOn,
      amountFen: status === "GRANTED" ? yuan * 100 : null,
      reason: status === "REFUSED" ? "家庭收入高于临时救助条件（合成数据）" : status === "GRANTED" ? (kind === "EMERGENCY" ? "急难型临时救助（合成数据）" : "支出型临时救助（合成数据）") : null,
    },
  ];
}

/** The generated households with their temporary-aid applications attached (what the writer inserts). */
export function* withTemporaryAid(households: Iterable<SynthHousehold>, asOf: IsoDate): Generator<SynthHousehold, void, undefined> {
  for (const h of households) {
    const applications = temporaryAidOf(h, asOf);
    yield applications.length ? { ...h, temporaryAid: applications } : h;
  }
}

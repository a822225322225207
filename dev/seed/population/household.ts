/** One household: its members planned by kind, made, then built by the kind's builder (./households/). */
import type { HukouType, Sex } from "../../../src/db/generated/enums.js";
import type { IsoDate, SynthAid, SynthAsset, SynthCase, SynthHousehold, SynthIncome, SynthPerson } from "../model.js";
import { phoneNumber, surname } from "../names.js";
import { Rng } from "../rng.js";
import { addDays, addMonths, monthStart, pad2 } from "./dates.js";
import { assistedTier } from "./counting.js";
import { StreetPlan } from "./street-plan.js";
import { Gen, Kind } from "./state.js";
import { MemberPlan, Profile, compose } from "./composition.js";
import { HouseholdCtx, employmentFacts, makePerson } from "./persons.js";
import { sumIncome } from "./money.js";
import { monthlyAid, oneTimeSubsidy } from "./aid-records.js";
import { Draft2, dibaoAmount, dibaoClass, dibaoReviewMonths, nextReview, standardOf, yuan } from "./cases.js";
import { buildApplied, buildDibao, buildDibaoGradual, buildDibaoInclusion, buildDibaoOrphan18, buildLeft, buildSuspended } from "./households/dibao.js";
import { buildOrphan18Left, buildTekun } from "./households/tekun.js";
import { buildMarginal, buildMonitoredTier, buildRegistered, buildRejected, buildRigid } from "./households/other-tiers.js";

interface Built {
  household: SynthHousehold;
}

export function pickSize(g: Gen, dist: readonly (readonly [number, number])[], min: number, max: number): number {
  const s = g.unitRng.weightedPairs(dist);
  return Math.max(min, Math.min(max, s));
}

function addressOf(g: Gen, street: StreetPlan, centralised: boolean): string {
  const rng = g.rng;
  const prefix = `重庆市${street.districtName}`;
  if (street.welfareHome || centralised) {
    return `${prefix}${street.welfareHome ? "社会福利院" : rng.pick(["社会福利院", "区养老服务中心", "区敬老院"])}${rng.int(1, 6)}号楼${rng.int(1, 6)}${pad2(rng.int(1, 30))}室`;
  }
  // Registered addresses name the street (街道/镇/乡), so an address masked "to the street" keeps it.
  const streetPart = /(街道|镇|乡)$/.test(street.name) ? street.name : `${street.name}街道`;
  return `${prefix}${streetPart}${rng.pick(street.roads)}${rng.int(1, 300)}号${rng.int(1, 30)}-${rng.int(1, 8)}`;
}

/** A household's members as its kind plans them. */
interface MembersPlan {
  plans: MemberPlan[];
  tekunVariant: "orphan" | "elderly" | "disabled" | null;
  singleDisabled: boolean;
  deceasedOn: IsoDate | null;
}

/** One household in the making: what every kind's builder (./households/) reads, and writes into. */
export interface Build {
  g: Gen;
  rng: Rng;
  asOf: IsoDate;
  street: StreetPlan;
  kind: Kind;
  ctx: HouseholdCtx;
  district: string;
  registryNo: string;
  hukou: HukouType;
  members: SynthPerson[];
  h: Draft2;
  cases: SynthCase[];
  aid: SynthAid[];
  assets: SynthAsset[];
  standard: number;
  n: number;
  tekunVariant: MembersPlan["tekunVariant"];
  singleDisabled: boolean;
  deceasedOn: IsoDate | null;
  /** a household income of `lo`..`hi` times the standard for all members (one draw) */
  incomeFor(lo: number, hi: number): number;
  /** opens a dibao case (household, or the `covered` members) and returns it with the income it was computed on */
  addDibaoCase(covered: number[] | null, statusOf: SynthCase["status"], start: IsoDate, incomes: SynthIncome[], noteExtra: string): { ci: number; incomeTotal: number; coveredPersons: SynthPerson[] };
  /** the monthly dibao payments of case `ci` (and its one-time subsidy) */
  payDibao(ci: number, coveredPersons: SynthPerson[], incomeTotal: number, personIndex: number | null, until: IsoDate | null): void;
  status: SynthHousehold["status"];
  /** a TEKUN person in centralised care (or a welfare-home resident) */
  centralised: boolean;
}

/** The builder of each kind: its cases, incomes, assets and aid records. */
const BUILDERS: Record<Kind, (b: Build) => void> = {
  DIBAO: buildDibao,
  DIBAO_GRADUAL: buildDibaoGradual,
  DIBAO_INCLUSION: buildDibaoInclusion,
  DIBAO_ORPHAN18: buildDibaoOrphan18,
  TEKUN: buildTekun,
  DECEASED: buildTekun,
  REGISTERED: buildRegistered,
  REGISTERED_INDIVIDUAL: buildRegistered,
  MARGINAL: buildMarginal,
  RIGID: buildRigid,
  MONITORED_TIER: buildMonitoredTier,
  REJECTED_INCOME: buildRejected,
  REJECTED_ASSETS: buildRejected,
  LEFT: buildLeft,
  ORPHAN18_LEFT: buildOrphan18Left,
  APPLIED: buildApplied,
  SUSPENDED: buildSuspended,
};

/** Who lives in a household of this kind: the members' plans, and what the kind's builder needs to know of them. */
function planMembers(g: Gen, street: StreetPlan, kind: Kind, size: number): MembersPlan {
  const rng = g.rng;
  const asOf = g.asOf;
  let plans: MemberPlan[];
  let tekunVariant: "orphan" | "elderly" | "disabled" | null = null;
  let singleDisabled = false;
  let deceasedOn: IsoDate | null = null;
  switch (kind) {
    case "TEKUN":
    case "DECEASED": {
      tekunVariant = kind === "DECEASED" ? "elderly" : rng.weightedPairs<"orphan" | "elderly" | "disabled">(street.welfareHome ? [["orphan", 45], ["elderly", 35], ["disabled", 20]] : [["orphan", 15], ["elderly", 55], ["disabled", 30]]);
      const age = tekunVariant === "orphan" ? rng.weightedPairs<number>([[rng.int(0, 5), 20], [rng.int(6, 17), 80]]) : tekunVariant === "elderly" ? rng.int(kind === "DECEASED" ? 72 : 60, 95) : rng.int(18, 59);
      const sex: Sex = rng.chance(tekunVariant === "elderly" ? 0.45 : 0.55) ? "MALE" : "FEMALE";
      plans = [{ relation: "HEAD", age, sex, surname: surname(rng), orphan: tekunVariant === "orphan", disability: tekunVariant === "disabled" ? (rng.chance(0.7) ? "severe" : "any") : undefined }];
      if (kind === "DECEASED") deceasedOn = addDays(asOf, -rng.int(20, 330));
      break;
    }
    case "DIBAO_ORPHAN18":
    case "ORPHAN18_LEFT": {
      const age = kind === "ORPHAN18_LEFT" ? rng.int(18, 19) : rng.int(18, 22);
      plans = [{ relation: "HEAD", age, sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: surname(rng), orphan: true, healthy: true }];
      break;
    }
    case "DIBAO": {
      if (street.welfareHome) {
        plans = [{ relation: "HEAD", age: rng.int(45, 90), sex: rng.chance(0.5) ? "MALE" : "FEMALE", surname: surname(rng), disability: rng.chance(0.5) ? "any" : undefined }];
      } else if (size === 1 && rng.chance(0.2)) {
        // an unemployed adult with a severe disability applying as a one-person household (002 #3, 003 §8)
        singleDisabled = true;
        plans = [{ relation: "HEAD", age: rng.int(20, 55), sex: rng.chance(0.55) ? "MALE" : "FEMALE", surname: surname(rng), disability: "severe" }];
      } else {
        plans = compose(g, size, false);
        // the reason for hardship: at least one disabled, seriously ill, elderly or unemployed member
        if (rng.chance(0.25)) rng.pick(plans).disability = "any";
        else if (rng.chance(0.1)) rng.pick(plans).seriousIllness = true;
      }
      break;
    }
    case "DIBAO_GRADUAL":
    case "LEFT": {
      plans = compose(g, size, true);
      const worker = plans.find((p) => p.age >= 20 && p.age <= 50);
      if (worker) worker.healthy = true;
      break;
    }
    case "DIBAO_INCLUSION":
    case "REGISTERED_INDIVIDUAL": {
      plans = compose(g, size, false);
      break;
    }
    case "RIGID": {
      plans = compose(g, size, false);
      rng.pick(plans).seriousIllness = true;
      break;
    }
    default:
      plans = compose(g, size, kind === "REJECTED_INCOME");
  }
  return { plans, tekunVariant, singleDisabled, deceasedOn };
}

export function buildHousehold(g: Gen, street: StreetPlan, kind: Kind, size: number, seq: number): Built {
  const rng = g.rng;
  const asOf = g.asOf;
  const registryNo = `${street.code}-${String(seq).padStart(6, "0")}`;
  const profile: Profile =
    kind === "DIBAO" || kind === "DIBAO_GRADUAL" || kind === "DIBAO_ORPHAN18" || kind === "TEKUN" || kind === "DECEASED" || kind === "APPLIED" || kind === "SUSPENDED"
      ? "poor"
      : kind === "REJECTED_INCOME" || kind === "LEFT" || kind === "ORPHAN18_LEFT"
        ? "normal"
        : "low";
  let hukou: HukouType = street.welfareHome ? "URBAN" : rng.chance(street.ruralShare) ? "RURAL" : "URBAN";
  if (kind === "MONITORED_TIER") hukou = rng.chance(0.85) ? "RURAL" : "URBAN";
  const ctx: HouseholdCtx = { street, hukou, profile };
  const district = street.districtCode;

  const { plans, tekunVariant, singleDisabled, deceasedOn } = planMembers(g, street, kind, size);

  const members = plans.map((p) => makePerson(g, ctx, p));
  if (deceasedOn) members[0].facts.deceasedOn = deceasedOn;
  if (tekunVariant) {
    // TEKUN: no ability to work, no income, no supporter (三无)
    members[0].workAbility = "NONE";
    if (members[0].facts.employment) members[0].facts.employment = employmentFacts(g, "poor", "NOT_IN_LABOUR_FORCE");
    if (tekunVariant === "elderly" && rng.chance(0.35)) members[0].selfCare = rng.chance(0.5) ? "NONE" : "PARTIAL";
  }
  if (singleDisabled) {
    members[0].facts.employment = employmentFacts(g, "poor", "UNEMPLOYED_REGISTERED");
  }

  const h: Draft2 = { registryNo, districtCode: district, hukou, members, incomes: [], cases: [] };
  const cases = h.cases;
  const aid: SynthAid[] = [];
  const assets: SynthAsset[] = [];
  const standard = standardOf(g, ctx);
  const n = members.length;
  const incomeFor = (lo: number, hi: number) => Math.round(standard * n * rng.real(lo, hi));

  const addDibaoCase = (covered: number[] | null, statusOf: SynthCase["status"], start: IsoDate, incomes: SynthIncome[], noteExtra: string) => {
    const coveredPersons = covered ? covered.map((i) => members[i]) : members;
    const incomeTotal = covered ? covered.reduce((s, i) => s + sumIncome(incomes, asOf, i), 0) : sumIncome(incomes, asOf);
    const a = dibaoAmount(g, ctx, coveredPersons, incomeTotal, asOf);
    const tierClass = dibaoClass(g, coveredPersons);
    const reviewMonths = dibaoReviewMonths(g, ctx, coveredPersons);
    const monthly = a.gap + a.supplement;
    const note = statusOf === "APPLIED" ? noteExtra : `${noteExtra}补差${yuan(a.gap)}元（标准${yuan(standard)}元×${coveredPersons.length}人−收入${yuan(incomeTotal)}元）${a.priority ? `+分类施保${yuan(a.supplement)}元（重点对象${a.priority}人）` : ""}；${reviewMonths === 6 ? "有劳动能力成员，每半年核查" : "每年核查"}（002 #4）`;
    cases.push({
      id: rng.uuid(),
      personIndex: null,
      tier: "DIBAO",
      tierClass,
      status: statusOf,
      startDate: start,
      endDate: null,
      nextReviewDate: statusOf === "ACTIVE" ? nextReview(g, start, reviewMonths) : null,
      monthlyFen: statusOf === "APPLIED" || statusOf === "REJECTED" ? null : monthly,
      note,
    });
    const ci = cases.length - 1;
    return { ci, incomeTotal, coveredPersons };
  };

  const payDibao = (ci: number, coveredPersons: SynthPerson[], incomeTotal: number, personIndex: number | null, until: IsoDate | null) => {
    const c = cases[ci];
    monthlyAid(g, registryNo, {
      program: "DIBAO_PAYMENT",
      caseIndex: ci,
      personIndex,
      from: monthStart(addMonths(c.startDate, 1)),
      until,
      amount: (m) => {
        const a = dibaoAmount(g, ctx, coveredPersons, incomeTotal, m);
        return a.gap + a.supplement;
      },
    }, aid);
    oneTimeSubsidy(g, h, ci, aid);
  };

  const b: Build = {
    g, rng, asOf, street, kind, ctx, district, registryNo, hukou, members, h, cases, aid, assets, standard, n,
    tekunVariant, singleDisabled, deceasedOn, incomeFor, addDibaoCase, payDibao,
    status: "ACTIVE",
    centralised: street.welfareHome,
  };
  BUILDERS[kind](b);

  // counting: see the header
  members.forEach((p, i) => {
    p.facts.assisted = assistedTier(h, i) !== null;
  });

  const hasPhone = rng.chance(tekunVariant === "orphan" || b.centralised ? 0.2 : 0.6);
  const household: SynthHousehold = {
    id: rng.uuid(),
    registryNo,
    districtCode: district,
    streetCode: street.code,
    address: addressOf(g, street, b.centralised),
    hukou,
    status: b.status,
    phone: hasPhone ? phoneNumber(rng) : null,
    contactConsent: hasPhone && rng.chance(0.45),
    members,
    incomes: h.incomes,
    assets,
    cases,
    aid,
  };
  return { household };
}

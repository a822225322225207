/** Dibao households: on dibao (with the job found while on it), in gradual exit, single-person inclusion, an orphan aged out of TEKUN, an applicant, suspended, and one that left. */
import { isWorkingAge } from "../../../../src/domain/age.js";
import { Rng, hashString } from "../../rng.js";
import { addDays, addMonths, addYears, ageOn, maxIso, minIso, monthStart } from "../dates.js";
import { CATEGORY_DIGIT, DISABILITY_CATEGORIES, DISABILITY_WEIGHTS, SERIOUS_ADULT, SERIOUS_CHILD, employmentFacts } from "../persons.js";
import { allocateIncome, deposits, house, sumIncome } from "../money.js";
import { monthlyAid, oneTimeSubsidy, temporaryAid } from "../aid-records.js";
import { dibaoAmount, dibaoClass, tekunMonthly, yuan } from "../cases.js";
import { Build } from "../household.js";

/** DIBAO: A household on dibao (some with a job found while on it: the dibao employment subsidy). */
export function buildDibao(b: Build): void {
  const { g, rng, asOf, street, ctx, registryNo, members, h, aid, assets, n, incomeFor, addDibaoCase, payDibao, singleDisabled } = b;
  h.incomes = allocateIncome(g, ctx, members, street.welfareHome || singleDisabled ? 0 : rng.chance(0.3) ? 0 : incomeFor(0.05, 0.9));
  const start = addMonths(asOf, -rng.int(2, 120));
  // some found work while on dibao, within the last year, and stay below the standard: their dibao is reduced by
  // the new earnings, made up by the dibao employment subsidy for up to a year (002 #13)
  // (drawn from a side stream of the household's own, so the household's other draws stay as they were)
  const side = new Rng(hashString(`${g.seed}:${registryNo}:job`));
  const job = h.incomes.find((i) => i.personIndex !== null && (i.source === "WAGES" || i.source === "BUSINESS"));
  if (job && side.chance(0.1)) {
    const began = monthStart(addMonths(asOf, -side.int(1, 11)));
    if (began > start) job.validFrom = began;
  }
  const noteExtra = singleDisabled ? "重度残疾人单独立户纳入低保（002 #3、003 §8）；" : street.welfareHome ? "福利院院民；" : "";
  const { ci, incomeTotal, coveredPersons } = addDibaoCase(null, "ACTIVE", start, h.incomes, noteExtra);
  payDibao(ci, coveredPersons, incomeTotal, null, null);
  if (rng.chance(0.05)) temporaryAid(g, h, rng.chance(0.5) ? "TEMPORARY_AID_EMERGENCY" : "TEMPORARY_AID_EXPENDITURE", ci, aid);
  assets.push(...deposits(g, ctx, n, [0, 0.3]), ...house(g, ctx, street.welfareHome ? 0 : 0.35));
}

/** DIBAO_GRADUAL: A dibao household in gradual exit: a member found work, income per capita now between 1× and 1.5× the standard. */
export function buildDibaoGradual(b: Build): void {
  const { g, rng, asOf, ctx, district, members, h, cases, assets, standard, n, incomeFor, addDibaoCase, payDibao } = b;
  // a member found work; income per capita is now between 1x and 1.5x the standard: 6 months' grace
  const workerIndex = members.findIndex((p) => p.workAbility === "FULL" && isWorkingAge(p.sex, ageOn(p.birthDate, asOf)) && !p.facts.school);
  const wi = workerIndex >= 0 ? workerIndex : 0;
  if (members[wi].workAbility !== "FULL") members[wi].workAbility = "FULL";
  h.incomes = allocateIncome(g, ctx, members, incomeFor(0.2, 0.8), wi);
  const before = sumIncome(h.incomes, asOf);
  const multiplier = g.param("MARGINAL_MULTIPLIER", asOf, district);
  const target = Math.round(standard * n * rng.real(1.05, multiplier - 0.05));
  const rose = addDays(asOf, -rng.int(5, 170));
  const wage = Math.max(100, target - before);
  members[wi].facts.employment = { status: "EMPLOYED", unemployedSince: null, publicWelfarePost: rng.chance(0.3), trainings: rng.int(1, 4) };
  const start = addMonths(asOf, -rng.int(13, 96));
  const { ci, incomeTotal, coveredPersons } = addDibaoCase(null, "GRADUAL_EXIT", start, h.incomes, "");
  h.incomes.push({ id: rng.uuid(), personIndex: wi, source: "WAGES", monthlyFen: wage, validFrom: rose, validTo: null });
  const months = g.param("GRADUAL_EXIT_MONTHS", asOf, district);
  const end = addMonths(rose, months);
  const c = cases[ci];
  c.endDate = end;
  c.nextReviewDate = end;
  const pci = Math.round((before + wage) / n);
  c.note = `低保渐退：${members[wi].name}于${rose}就业，家庭月人均收入${yuan(pci)}元，超过低保标准${yuan(standard)}元、低于${multiplier}倍，给予${months}个月渐退期至${end}，渐退期内按原标准发放（002 #3、004 一）；${c.note}`;
  payDibao(ci, coveredPersons, incomeTotal, null, null);
  assets.push(...deposits(g, ctx, n, [0, 0.3]), ...house(g, ctx, 0.35));
}

/** DIBAO_INCLUSION: A marginal household with one severely disabled or seriously ill member on dibao alone (单人户). */
export function buildDibaoInclusion(b: Build): void {
  const { g, rng, asOf, ctx, district, registryNo, members, h, cases, assets, standard, n, addDibaoCase, payDibao } = b;
  // marginal household; a severely disabled or seriously ill member on dibao alone (单人户, 002 #3, 003 §8, 004 一)
  const idx = rng.int(0, n - 1);
  const reason = rng.chance(0.6) ? "severe" : "ill";
  const p = members[idx];
  if (reason === "severe" && (!p.facts.disability || p.facts.disability.grade > 2)) {
    const category = rng.weighted(DISABILITY_CATEGORIES, DISABILITY_WEIGHTS);
    const grade = rng.int(1, 2) as 1 | 2;
    p.facts.disability = { category, grade, certificateNo: `${p.idNumber}${CATEGORY_DIGIT[category]}${grade}` };
  } else if (reason === "ill" && !p.facts.seriousIllness) {
    const age = ageOn(p.birthDate, asOf);
    p.facts.seriousIllness = rng.weightedPairs(age < 18 ? SERIOUS_CHILD : SERIOUS_ADULT);
    p.facts.medicalExpenseFen = rng.int(30_000, 200_000) * 100;
    p.facts.outOfPocketFen = Math.round(p.facts.medicalExpenseFen * rng.real(0.2, 0.4));
  }
  p.workAbility = "NONE";
  if (p.facts.employment) p.facts.employment = employmentFacts(g, "low", "NOT_IN_LABOUR_FORCE");
  const multiplier = g.param("MARGINAL_MULTIPLIER", asOf, district);
  // the household as a whole in [1.02, 1.5) × the standard; the included member's own income (a transfer:
  // disability pension, support payments) below the standard, so the 补差 is positive; and the other members,
  // a household of their own, still marginal on their own income (< 1.47 × the standard per capita)
  // (the own income from a side stream of the household's own, one draw for the rest as before: the household's
  // other draws stay as they were)
  const side = new Rng(hashString(`${g.seed}:${registryNo}:own`));
  const own = Math.round(standard * side.real(0.62, 0.92));
  const restLo = Math.max(1.02 * standard * n - own, 1.02 * standard * (n - 1));
  const restHi = (multiplier - 0.03) * standard * (n - 1);
  const rest = Math.round(restLo + (restHi - restLo) * rng.next());
  h.incomes = allocateIncome(g, ctx, members, rest, idx);
  h.incomes.push({ id: side.uuid(), personIndex: idx, source: "TRANSFER", monthlyFen: own, validFrom: monthStart(addMonths(asOf, -side.int(14, 120))), validTo: null });
  const start = addMonths(asOf, -rng.int(2, 60));
  cases.push({ id: rng.uuid(), personIndex: null, tier: "DIBAO_MARGINAL", tierClass: null, status: "ACTIVE", startDate: start, endDate: null, nextReviewDate: null, monthlyFen: null, note: "低保边缘家庭（003 §1）" });
  const { ci, incomeTotal, coveredPersons } = addDibaoCase([idx], "ACTIVE", addMonths(start, rng.int(0, 6)), h.incomes, `单人户纳入低保：${reason === "severe" ? "重度残疾" : "重病"}成员参照单人户（002 #3、003 §8、004 一）；`);
  cases[ci].personIndex = idx;
  if (cases[ci].startDate > addMonths(asOf, -1)) cases[ci].startDate = addMonths(asOf, -1);
  payDibao(ci, coveredPersons, incomeTotal, idx, null);
  assets.push(...deposits(g, ctx, n, [0, 0.4]), ...house(g, ctx, 0.45));
}

/** DIBAO_ORPHAN18: An orphan who aged out of TEKUN at 18 and is now on dibao. */
export function buildDibaoOrphan18(b: Build): void {
  const { g, rng, ctx, registryNo, members, h, cases, aid, assets, incomeFor, addDibaoCase, payDibao } = b;
  // an orphan who aged out of TEKUN at 18 (002 #3) and is now on dibao
  const p = members[0];
  const b18 = addYears(p.birthDate, 18);
  const tekunStart = maxIso(addYears(p.birthDate, rng.int(3, 15)), "2010-01-01");
  h.incomes = allocateIncome(g, ctx, members, rng.chance(0.5) ? 0 : incomeFor(0.05, 0.5));
  cases.push({ id: rng.uuid(), personIndex: null, tier: "TEKUN", tierClass: "TEKUN_DISPERSED", status: "TERMINATED", startDate: minIso(tekunStart, addDays(b18, -30)), endDate: b18, nextReviewDate: null, monthlyFen: null, note: "孤儿，年满18周岁终止特困供养（002 #3）" });
  const tekunCi = cases.length - 1;
  monthlyAid(g, registryNo, {
    program: "TEKUN_SUPPORT", caseIndex: tekunCi, personIndex: 0, from: monthStart(addMonths(cases[tekunCi].startDate, 1)), until: monthStart(b18),
    amount: (m) => tekunMonthly(g, ctx, p, m).basic,
  }, aid);
  oneTimeSubsidy(g, h, tekunCi, aid);
  const { ci, incomeTotal, coveredPersons } = addDibaoCase(null, "ACTIVE", b18, h.incomes, "年满18周岁孤儿（原特困供养）；");
  payDibao(ci, coveredPersons, incomeTotal, null, null);
  assets.push(...deposits(g, ctx, 1, [0, 0.2], 0.5));
}

/** APPLIED: A dibao applicant under investigation. */
export function buildApplied(b: Build): void {
  const { g, rng, asOf, ctx, members, h, assets, n, incomeFor, addDibaoCase } = b;
  h.incomes = allocateIncome(g, ctx, members, rng.chance(0.3) ? 0 : incomeFor(0.05, 0.9));
  const applied = addDays(asOf, -rng.int(2, 40));
  addDibaoCase(null, "APPLIED", applied, h.incomes, "低保申请，入户调查、信息核对中（003 §20：一次申请、分类审核认定）");
  assets.push(...deposits(g, ctx, n, [0, 0.3]), ...house(g, ctx, 0.35));
}

/** SUSPENDED: A dibao household suspended for missing its review. */
export function buildSuspended(b: Build): void {
  const { g, rng, asOf, ctx, members, h, cases, assets, n, incomeFor, addDibaoCase, payDibao } = b;
  h.incomes = allocateIncome(g, ctx, members, rng.chance(0.3) ? 0 : incomeFor(0.05, 0.9));
  const start = addMonths(asOf, -rng.int(14, 80));
  const { ci, incomeTotal, coveredPersons } = addDibaoCase(null, "SUSPENDED", start, h.incomes, "未按期配合定期核查，暂停发放（002 #4）；");
  const due = addDays(asOf, -rng.int(10, 70));
  cases[ci].nextReviewDate = due;
  payDibao(ci, coveredPersons, incomeTotal, null, addMonths(monthStart(due), -1));
  assets.push(...deposits(g, ctx, n, [0, 0.3]), ...house(g, ctx, 0.35));
}

/** LEFT: A household that left dibao after its gradual exit (monitored for two years). */
export function buildLeft(b: Build): void {
  const { g, rng, asOf, ctx, members, h, cases, assets, standard, n, incomeFor, payDibao } = b;
  b.status = "MONITORED";
  h.incomes = allocateIncome(g, ctx, members, incomeFor(1.2, 2.5));
  const end = addDays(asOf, -rng.int(20, 700));
  const start = addMonths(end, -rng.int(18, 96));
  const covered = members;
  cases.push({ id: rng.uuid(), personIndex: null, tier: "DIBAO", tierClass: dibaoClass(g, covered), status: "TERMINATED", startDate: start, endDate: end, nextReviewDate: null, monthlyFen: null, note: "渐退期满，家庭收入超过低保标准，退出低保；纳入监测两年（003 §5）" });
  const pastIncome = Math.round(standard * n * rng.real(0.3, 0.8));
  cases[0].monthlyFen = dibaoAmount(g, ctx, covered, pastIncome, asOf).gap;
  payDibao(0, covered, pastIncome, null, monthStart(end));
  assets.push(...deposits(g, ctx, n, [0.1, 0.6]), ...house(g, ctx, 0.5));
}

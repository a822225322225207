/**
 * The entitlements a tier gives, by department (DOMAIN.md §2), one per beneficiary per kind, each with
 * the rule that gives it, and every entitlement rule recorded as a reason. Pure; called by
 * evaluateEligibility with its evaluation state.
 *
 * Choices where the documents leave room (documented, and in each reason):
 * - A member's tier is their own where it differs (single-person inclusion, TEKUN member), else the household's.
 * - Medical (003 §9): premium subsidy TEKUN 100 %, DIBAO 90 %, DIBAO_MARGINAL / RIGID_EXPENDITURE / OTHER
 *   70 %; MONITORED gets no premium subsidy (the insurer's assist-type table has none for it).
 *   Out-of-pocket aid 70 % (DIBAO, TEKUN) / 60 % (the others) for members with in-policy out-of-pocket
 *   spending, amount = ratio × that year's spending.
 * - Education (002 #8–10, 003 §10) for students of DIBAO/TEKUN, marginal, rigid-expenditure and OTHER members, by stage; free
 *   senior-high textbooks only while EDUCATION_FREE_TEXTBOOKS_SENIOR is in force. No amounts (no parameter).
 * - Disability: living subsidy for certificate holders who are DIBAO, TEKUN or marginal; nursing subsidy
 *   for grade 1–2 members of any eligible tier except TEKUN (who get the TEKUN care subsidy: not both);
 *   child rehabilitation for disabled members under 18.
 * - Employment: a zero-employment household (no member employed or in flexible work) of any eligible
 *   tier — each working-age member able to work, not in school, not retired, gets EMPLOYMENT_ASSISTANCE;
 *   DIBAO_EMPLOYMENT_SUBSIDY (002 #13): see dibaoEmploymentSubsidy — the month's dibao reduction for a member who
 *   found work while the household is on a (reduced) dibao, for at most a year; never during gradual exit.
 * - Housing (urban): DIBAO, dispersed TEKUN, marginal and rigid-expenditure households and orphans aged
 *   18+ who own no home: HOUSING_SECURITY; a Yuzhong DIBAO_A household renting (an active benefit with a
 *   rent): RENT_SUBSIDY_EQUAL_TO_RENT instead. Rural renovation is not derived (no fact says a house is dilapidated).
 */
import { isWorkingAge } from "./age.js";
import { addDays, addMonths, isoDay } from "./calendar.js";
import type { Evaluation } from "./evaluation.js";
import type { CaseFact, Department, EligibilityTier, Entitlement, EntitlementKind, IncomeFact, MemberFacts, PersonEligibility, RuleInput, TierClass } from "./facts.js";
import { BASIS, type Reading, isEmployedStatus, memberReadings, readRecord } from "./observed.js";

export interface EntitlementContext {
  tier: EligibilityTier;
  tierClass: TierClass | null;
  persons: PersonEligibility[];
  standard: number;
  standardKey: string;
  total: number;
  incomes: IncomeFact[];
  /** the dibao case in its gradual-exit grace period, if any */
  gradualExit: CaseFact | null;
}

const YUZHONG = "500103";

const REF = {
  DIBAO: "DOMAIN §2 civil affairs (dibao payments); 000 二(一)",
  SUPPLEMENT: "DOMAIN §1 priority groups; 000 二(一), 001 (1)",
  TEKUN: "DOMAIN §1 TEKUN care, §2 civil affairs; 000, 001 (2)",
  ONE_TIME: "DOMAIN §2 one-time subsidies; 004",
  MEDICAL: "DOMAIN §2 medical insurance; 003 §9",
  EDUCATION: "DOMAIN §2 education; 002 #8–10, 003 §10",
  EMPLOYMENT: "DOMAIN §2 employment (zero-employment households); 000 二(七), 001 (7), 002 #13–14, 003 §12",
  EMPLOYMENT_SUBSIDY: "DOMAIN §2 employment (dibao employment subsidy); 000 二(七), 002 #13",
  HOUSING: "DOMAIN §2 housing; 001 (6), 002 #11–12, 003 §11",
  DISABILITY: "DOMAIN §2 disabled persons' federation; 002 #10, #23, 003 §16",
} as const;

export function entitlementsOf(ev: Evaluation, x: EntitlementContext): Entitlement[] {
  const { facts, P } = ev;
  const out: Entitlement[] = [];
  const tierOf = (m: MemberFacts): EligibilityTier => x.persons.find((p) => p.personId === m.personId)?.tier ?? x.tier;
  const give = (
    kind: EntitlementKind,
    department: Department,
    personId: string | null,
    rule: string,
    reference: string,
    amount: Amount = {},
  ) =>
    out.push({
      kind,
      department,
      personId,
      amountFen: amount.amountFen ?? null,
      monthly: amount.monthly ?? false,
      ratio: amount.ratio ?? null,
      rule,
      reference,
      status: amount.unverified ? "UNVERIFIED" : "ESTABLISHED",
      missing: amount.unverified ?? [],
    });
  /** records an entitlement rule for a member and gives the entitlement when it passes */
  const decide = (
    rule: string,
    reference: string,
    personId: string | null,
    readings: Reading<unknown>[],
    inputs: RuleInput[],
    test: () => { pass: boolean; explanation: string },
    onPass: () => void,
  ) => {
    const outcome = ev.rule(rule, reference, personId, readings, inputs, () => {
      const r = test();
      return { outcome: r.pass ? "PASS" : "FAIL", explanation: r.explanation };
    });
    if (outcome === "PASS") onPass();
  };

  // --- household dibao payment (per person for single-person inclusion)
  if (x.tier === "DIBAO") {
    const n = facts.members.length;
    const c = x.gradualExit;
    if (c) {
      ev.reasons.push({
        rule: "ENT_DIBAO_PAYMENT",
        reference: REF.DIBAO,
        outcome: "PASS",
        explanation: `gradual exit: dibao continues at the former amount${c.monthlyFen === null ? " (not recorded)" : ` ${c.monthlyFen} fen`} until the grace period ends`,
        personId: null,
        inputs: [ev.reg("dibao case monthly amount (fen)", c.monthlyFen ?? "none", BASIS.CASE_AMOUNT)],
      });
      give("DIBAO_PAYMENT", "civil_affairs", null, "ENT_DIBAO_PAYMENT", REF.DIBAO, { amountFen: c.monthlyFen, monthly: true });
    } else {
      const gap = Math.max(0, x.standard * n - x.total);
      ev.reasons.push({
        rule: "ENT_DIBAO_PAYMENT",
        reference: REF.DIBAO,
        outcome: "PASS",
        explanation: `standard ${x.standard} fen × ${n} members − income ${x.total} fen = ${gap} fen per month (before classified supplements)`,
        personId: null,
        inputs: [P.input(x.standardKey), ev.reg("registered members", n), ev.reg("household monthly income (fen)", x.total, BASIS.INCOMES)],
      });
      give("DIBAO_PAYMENT", "civil_affairs", null, "ENT_DIBAO_PAYMENT", REF.DIBAO, { amountFen: gap, monthly: true });
    }
  }

  for (const m of facts.members) {
    const t = tierOf(m);
    if (t === "NOT_ELIGIBLE") continue;
    const age = ev.age(m);
    const id = m.personId;

    if (t === "DIBAO" && x.tier !== "DIBAO") {
      const own = facts.incomes.filter((i) => i.personId === id && x.incomes.includes(i)).reduce((s, i) => s + i.monthlyFen, 0);
      const gap = Math.max(0, x.standard - own);
      ev.reasons.push({
        rule: "ENT_DIBAO_PAYMENT",
        reference: REF.DIBAO,
        outcome: "PASS",
        explanation: `one-person dibao: standard ${x.standard} fen − own income ${own} fen = ${gap} fen per month`,
        personId: id,
        inputs: [P.input(x.standardKey), ev.reg("own monthly income (fen)", own, BASIS.INCOMES)],
      });
      give("DIBAO_PAYMENT", "civil_affairs", id, "ENT_DIBAO_PAYMENT", REF.DIBAO, { amountFen: gap, monthly: true });
    }

    // --- civil affairs: TEKUN support and care subsidy
    if (t === "TEKUN") {
      const ratio = P.value("TEKUN_BASIC_LIVING_RATIO");
      const basic = Math.round((x.standard * ratio) / 100) * 100;
      const careKey = `TEKUN_CARE_SUBSIDY_${m.selfCare}`;
      const care = P.value(careKey);
      ev.reasons.push({
        rule: "ENT_TEKUN_SUPPORT",
        reference: REF.TEKUN,
        outcome: "PASS",
        explanation: `basic living ${ratio} × ${x.standard} = ${basic} fen per month; care subsidy for self-care ${m.selfCare}: ${care} fen per month`,
        personId: id,
        inputs: [P.input(x.standardKey), P.input("TEKUN_BASIC_LIVING_RATIO"), ev.reg("self-care", m.selfCare), P.input(careKey)],
      });
      give("TEKUN_SUPPORT", "civil_affairs", id, "ENT_TEKUN_SUPPORT", REF.TEKUN, { amountFen: basic, monthly: true });
      give("TEKUN_CARE_SUBSIDY", "civil_affairs", id, "ENT_TEKUN_CARE_SUBSIDY", REF.TEKUN, { amountFen: care, monthly: true });
    }

    // --- civil affairs: one-time subsidy, while a program is in force
    if (t === "DIBAO" || t === "TEKUN") {
      const key = t === "TEKUN" ? "ONE_TIME_SUBSIDY_TEKUN" : facts.hukou === "URBAN" ? "ONE_TIME_SUBSIDY_URBAN_DIBAO" : "ONE_TIME_SUBSIDY_RURAL_DIBAO";
      const p = P.optional(key);
      if (p) {
        ev.reasons.push({ rule: "ENT_ONE_TIME_SUBSIDY", reference: REF.ONE_TIME, outcome: "PASS", explanation: `${key} in force: ${p.value} fen`, personId: id, inputs: [P.input(key)] });
        give("ONE_TIME_SUBSIDY", "civil_affairs", id, "ENT_ONE_TIME_SUBSIDY", REF.ONE_TIME, { amountFen: p.value });
      }
    }

    // --- civil affairs: classified supplement for priority members (not during gradual exit: the former amount continues)
    if (t === "DIBAO" && !(x.tier === "DIBAO" && x.gradualExit)) {
      const grade = memberReadings.disabilityGrade(m);
      const disease = memberReadings.seriousDisease(m);
      const stage = memberReadings.studentStage(m);
      const byAge = age >= 70 || age < 6;
      const positive = (grade.known && grade.value !== null) || (disease.known && disease.value !== null) || (stage.known && stage.value !== null && stage.value !== "PRESCHOOL");
      const settled = byAge || positive;
      const ratio = P.value("DIBAO_CLASSIFIED_SUPPLEMENT_RATIO");
      const amount = Math.round(x.standard * ratio);
      decide(
        "ENT_CLASSIFIED_SUPPLEMENT",
        REF.SUPPLEMENT,
        id,
        settled ? [] : [grade, disease, stage],
        [ev.reg("age", age), ...(settled ? [grade.input, disease.input, stage.input] : []), P.input("DIBAO_CLASSIFIED_SUPPLEMENT_RATIO")],
        () => {
          const why = [
            age >= 70 ? "aged 70+" : null,
            age < 6 ? "pre-school age" : null,
            grade.known && grade.value !== null ? "disabled" : null,
            disease.known && disease.value !== null ? "seriously ill" : null,
            stage.known && stage.value !== null && stage.value !== "PRESCHOOL" ? "a student" : null,
          ].filter((w): w is string => w !== null);
          return why.length > 0
            ? { pass: true, explanation: `priority member (${why.join(", ")}): ${ratio} × ${x.standard} = ${amount} fen per month` }
            : { pass: false, explanation: "not a priority member (disabled, seriously ill, 70+, pre-school, student)" };
        },
        () => give("DIBAO_CLASSIFIED_SUPPLEMENT", "civil_affairs", id, "ENT_CLASSIFIED_SUPPLEMENT", REF.SUPPLEMENT, { amountFen: amount, monthly: true }),
      );
    }

    // --- medical insurance
    if (t !== "MONITORED") {
      // 003 §9: tier 1 by tier (TEKUN 100 %, DIBAO 90 %, others 70 %); a member who chose tier 2 is subsidised
      // at MEDICAL_PREMIUM_SUBSIDY_TIER2 (100 %) of the tier-1 personal premium, whatever the tier
      const key = t === "TEKUN" ? "MEDICAL_PREMIUM_SUBSIDY_TEKUN" : t === "DIBAO" ? "MEDICAL_PREMIUM_SUBSIDY_DIBAO" : "MEDICAL_PREMIUM_SUBSIDY_MARGINAL";
      const tier1 = P.value(key);
      const enrolled = memberReadings.insuranceTier(m);
      let ratio: number | null = null;
      const outcome = ev.rule("ENT_MEDICAL_PREMIUM", REF.MEDICAL, id, [enrolled], [P.input(key), P.input("MEDICAL_PREMIUM_SUBSIDY_TIER2")], () => {
        if (enrolled.known && enrolled.value === 2) {
          ratio = P.value("MEDICAL_PREMIUM_SUBSIDY_TIER2");
          return { outcome: "PASS", explanation: `${t} enrolled in tier 2: subsidised at ${ratio} of the tier-1 personal premium (003 §9)` };
        }
        ratio = tier1;
        return { outcome: "PASS", explanation: `${t}: tier-1 premium subsidised at ${tier1}` };
      });
      if (outcome === "PASS") give("MEDICAL_PREMIUM_SUBSIDY", "medical_insurance", id, "ENT_MEDICAL_PREMIUM", REF.MEDICAL, { ratio });
      else
        give("MEDICAL_PREMIUM_SUBSIDY", "medical_insurance", id, "ENT_MEDICAL_PREMIUM", REF.MEDICAL, {
          ratio: null,
          unverified: ["the member's residents' medical insurance tier (tier 1 or 2 decides the ratio): the medical-insurance record is unavailable or stale"],
        });
    }
    {
      const key = t === "TEKUN" || t === "DIBAO" ? "MEDICAL_OOP_AID_RATIO_DIBAO_TEKUN" : "MEDICAL_OOP_AID_RATIO_MARGINAL";
      const ratio = P.value(key);
      const oop = memberReadings.outOfPocketFen(m);
      decide(
        "ENT_MEDICAL_OUT_OF_POCKET",
        REF.MEDICAL,
        id,
        [oop],
        [P.input(key)],
        () =>
          oop.known && oop.value > 0
            ? { pass: true, explanation: `${t}: ${ratio} of in-policy out-of-pocket spending ${oop.value} fen = ${Math.round(oop.value * ratio)} fen` }
            : { pass: false, explanation: "no in-policy out-of-pocket spending this year" },
        () => oop.known && give("MEDICAL_OUT_OF_POCKET_AID", "medical_insurance", id, "ENT_MEDICAL_OUT_OF_POCKET", REF.MEDICAL, { ratio, amountFen: Math.round(oop.value * ratio) }),
      );
    }

    // --- education, by stage
    // 003 §10: students of DIBAO, TEKUN, marginal, rigid-expenditure and other economically hard-up households
    // (其他经济困难家庭对象: the registered special-hardship OTHER tier); stages per 002 #8
    if (t === "DIBAO" || t === "TEKUN" || t === "DIBAO_MARGINAL" || t === "RIGID_EXPENDITURE" || t === "OTHER") {
      const core = t === "DIBAO" || t === "TEKUN";
      const stage = memberReadings.studentStage(m);
      const textbooks = core ? P.optional("EDUCATION_FREE_TEXTBOOKS_SENIOR") : null;
      const kinds = (s: string | null): EntitlementKind[] => {
        switch (s) {
          case "PRESCHOOL":
            return ["EDUCATION_FEE_WAIVER", "EDUCATION_LIVING_SUBSIDY"];
          case "PRIMARY":
          case "JUNIOR":
            return ["EDUCATION_LIVING_SUBSIDY"];
          case "SENIOR":
            return ["EDUCATION_FEE_WAIVER", "EDUCATION_NATIONAL_GRANT", ...(textbooks ? (["EDUCATION_FREE_TEXTBOOKS"] as const) : [])];
          case "VOCATIONAL":
            return ["EDUCATION_FEE_WAIVER", "EDUCATION_NATIONAL_GRANT"];
          case "HIGHER":
            // 002 #8: 在高等教育阶段实施国家助学贷款资助; 003 §10 助学贷款 for every included tier
            return ["EDUCATION_STUDENT_LOAN"];
          default:
            return [];
        }
      };
      decide(
        "ENT_EDUCATION",
        REF.EDUCATION,
        id,
        [stage],
        textbooks ? [P.input("EDUCATION_FREE_TEXTBOOKS_SENIOR")] : [],
        () => {
          const k = kinds(stage.known ? stage.value : null);
          return k.length > 0
            ? { pass: true, explanation: `${core ? "dibao/TEKUN" : t === "RIGID_EXPENDITURE" ? "rigid-expenditure" : t === "OTHER" ? "special-hardship (OTHER)" : "marginal"} student at ${stage.known ? stage.value : "?"}: ${k.join(", ")}` }
            : { pass: false, explanation: stage.known && stage.value ? `no stage aid for a ${t} student at ${stage.value}` : "not a student" };
        },
        () => {
          for (const k of kinds(stage.known ? stage.value : null)) give(k, "education", id, "ENT_EDUCATION", REF.EDUCATION);
        },
      );
    }

    // --- disabled persons' federation
    {
      const grade = memberReadings.validCertificateGrade(m);
      decide(
        "ENT_DISABILITY",
        REF.DISABILITY,
        id,
        [grade],
        [ev.reg("age", age)],
        () => {
          if (!grade.known || grade.value === null) return { pass: false, explanation: "no valid disability certificate" };
          const k = disabilityKinds(t, grade.value, age);
          return k.length > 0 ? { pass: true, explanation: `grade ${grade.value} certificate, ${t}: ${k.join(", ")}` } : { pass: false, explanation: `grade ${grade.value}, ${t}: no subsidy` };
        },
        () => {
          if (grade.known && grade.value !== null) for (const k of disabilityKinds(t, grade.value, age)) give(k, "disability", id, "ENT_DISABILITY", REF.DISABILITY);
        },
      );
    }
  }

  employment(ev, x, give);
  housing(ev, x, give);
  return out;
}

function disabilityKinds(t: EligibilityTier, grade: number, age: number): EntitlementKind[] {
  const k: EntitlementKind[] = [];
  if (t === "DIBAO" || t === "TEKUN" || t === "DIBAO_MARGINAL") k.push("DISABILITY_LIVING_SUBSIDY");
  if (grade <= 2 && t !== "TEKUN") k.push("DISABILITY_NURSING_SUBSIDY");
  if (age < 18) k.push("CHILD_REHABILITATION");
  return k;
}

/** An entitlement's amount or ratio where the rule gives one; `unverified`: what is missing to establish it (status UNVERIFIED). */
type Amount = { amountFen?: number | null; monthly?: boolean; ratio?: number | null; unverified?: string[] };
type Give = (kind: EntitlementKind, department: Department, personId: string | null, rule: string, reference: string, amount?: Amount) => void;

function employment(ev: Evaluation, x: EntitlementContext, give: Give): void {
  const { facts } = ev;
  const eligible = x.tier !== "NOT_ELIGIBLE" || x.persons.some((p) => p.tier !== "NOT_ELIGIBLE");
  if (!eligible) return;
  const statuses = facts.members.map((m) => ({ m, status: memberReadings.employmentStatus(m) }));
  const workingAge = statuses.filter(({ m }) => isWorkingAge(m.sex, ev.age(m)) && m.workAbility !== "NONE");
  const stages = new Map(workingAge.map(({ m }) => [m.personId, memberReadings.studentStage(m)]));
  const employed = statuses.filter(({ status }) => status.known && isEmployedStatus(status.value));
  const readings: Reading<unknown>[] = employed.length > 0 ? [] : [...statuses.map((s) => s.status), ...stages.values()];
  let beneficiaries: MemberFacts[] = [];
  ev.rule(
    "ENT_EMPLOYMENT_ASSISTANCE",
    REF.EMPLOYMENT,
    null,
    readings,
    employed.length > 0 ? [employed[0].status.input] : [],
    () => {
      if (employed.length > 0) return { outcome: "FAIL", explanation: `not a zero-employment household: ${employed.length} member(s) employed` };
      beneficiaries = workingAge
        .filter(({ m, status }) => {
          const stage = stages.get(m.personId)!;
          return status.known && status.value !== "RETIRED" && stage.known && stage.value === null;
        })
        .map(({ m }) => m);
      return beneficiaries.length > 0
        ? { outcome: "PASS", explanation: `zero-employment household: ${beneficiaries.length} working-age member(s) able to work, none employed` }
        : { outcome: "FAIL", explanation: "nobody employed, but no working-age member able to work outside school" };
    },
  );
  for (const m of beneficiaries) give("EMPLOYMENT_ASSISTANCE", "employment", m.personId, "ENT_EMPLOYMENT_ASSISTANCE", REF.EMPLOYMENT);

  dibaoEmploymentSubsidy(ev, x, statuses, give);
}

const EARNINGS = new Set(["WAGES", "BUSINESS", "AGRICULTURE"]);

/**
 * 002 #13 (and 000 二(七)): "对实现就业且正在享受低保待遇的登记失业低保家庭人员，按其家庭当月核减低保金总额，给予不超过1年的
 * 低保就业补贴" — a member of a household on dibao who found work gets, for at most DIBAO_EMPLOYMENT_SUBSIDY_MAX_MONTHS
 * from the job, a subsidy equal to the month's reduction of the household's dibao. Read as:
 * - "正在享受低保待遇": the household is DIBAO on its income (below the standard) with its dibao case in force —
 *   not in gradual exit, where the dibao continues at the former, unreduced amount (nothing reduced, nothing to
 *   make up: never a subsidy on top of an unreduced dibao), and not after it left dibao.
 * - "实现就业": employed or in flexible work (the employment system), with earnings (wages, business, farming)
 *   that began while the dibao case was in force (validFrom on or after the case start) and less than the
 *   maximum months ago.
 * - "核减低保金": the dibao is standard × members − income; the new earnings e lowered it by exactly e while the
 *   household stays below the standard. With several members starting work, each gets the reduction their own
 *   earnings caused, so the household's total reduction is paid once.
 * - "登记失业": the employment system keeps the registration only while unemployed, so it is not re-checked here.
 */
function dibaoEmploymentSubsidy(ev: Evaluation, x: EntitlementContext, statuses: { m: MemberFacts; status: Reading<string | null> }[], give: Give): void {
  const { facts, day, P } = ev;
  if (x.tier !== "DIBAO") return;
  const dibaoCase = facts.cases
    .filter((c) => c.tier === "DIBAO" && c.personId === null && c.status === "ACTIVE" && c.startDate.getTime() <= day.getTime() && (c.endDate === null || c.endDate.getTime() >= day.getTime()))
    .sort((a, b) => b.startDate.getTime() - a.startDate.getTime())[0];
  const maxMonths = P.value("DIBAO_EMPLOYMENT_SUBSIDY_MAX_MONTHS");
  for (const { m, status } of statuses) {
    const earnings = x.incomes.filter((i) => i.personId === m.personId && EARNINGS.has(i.source));
    if (earnings.length === 0) continue;
    const inputs = [
      ev.reg("own monthly earnings (fen)", earnings.reduce((s, i) => s + i.monthlyFen, 0), BASIS.INCOMES),
      ev.reg("earnings since", earnings.map((i) => isoDay(i.validFrom)).join(", "), BASIS.INCOMES),
      ev.reg("dibao case start", dibaoCase ? isoDay(dibaoCase.startDate) : "no ACTIVE dibao case in force"),
      P.input("DIBAO_EMPLOYMENT_SUBSIDY_MAX_MONTHS"),
    ];
    if (x.gradualExit) {
      ev.reasons.push({
        rule: "ENT_DIBAO_EMPLOYMENT_SUBSIDY",
        reference: REF.EMPLOYMENT_SUBSIDY,
        outcome: "FAIL",
        explanation: "gradual exit: the dibao continues at the former amount, nothing is reduced, so there is no reduction to make up",
        personId: m.personId,
        inputs,
      });
      continue;
    }
    // earnings that began while on dibao, within the maximum months
    const fresh = dibaoCase ? earnings.filter((i) => i.validFrom.getTime() >= dibaoCase.startDate.getTime() && day.getTime() < addMonths(i.validFrom, maxMonths).getTime()) : [];
    const reduction = fresh.reduce((s, i) => s + i.monthlyFen, 0);
    const outcome = ev.rule("ENT_DIBAO_EMPLOYMENT_SUBSIDY", REF.EMPLOYMENT_SUBSIDY, m.personId, [status], inputs, () => {
      if (!(status.known && isEmployedStatus(status.value))) return { outcome: "FAIL", explanation: "has earnings but is not employed or in flexible work" };
      if (!dibaoCase) return { outcome: "FAIL", explanation: "no dibao case in force: not receiving dibao" };
      if (fresh.length === 0) return { outcome: "FAIL", explanation: `no earnings that began during the dibao case (from ${isoDay(dibaoCase.startDate)}) less than ${maxMonths} months ago` };
      const until = addMonths(fresh.reduce((a, i) => (i.validFrom < a ? i.validFrom : a), fresh[0].validFrom), maxMonths);
      return {
        outcome: "PASS",
        explanation: `found work on ${fresh.map((i) => isoDay(i.validFrom)).join(", ")} while on dibao: this month's dibao reduction, ${reduction} fen (the new earnings), until ${isoDay(addDays(until, -1))}`,
      };
    });
    if (outcome === "PASS") give("DIBAO_EMPLOYMENT_SUBSIDY", "employment", m.personId, "ENT_DIBAO_EMPLOYMENT_SUBSIDY", REF.EMPLOYMENT_SUBSIDY, { amountFen: reduction, monthly: true });
  }
}

/**
 * Housing (003 §11, 002 #11–12, 001 (6)): the tier gives urban housing security only to a household "符合当地城市住房保障条件"
 * — without a home of its own. What establishes it: a caseworker's finding (`housingCondition` NO_HOME or RENTING),
 * or the housing department's own active public-rental / rental-subsidy benefit. A HOUSE asset or OWNS_HOME: not
 * entitled (and a home owner receiving a rental benefit is flagged in the reason, and by an alert). Otherwise the
 * registry does not say whether the household has a home: HOUSING_SECURITY is UNVERIFIED — a thing to check, never a gap.
 */
function housing(ev: Evaluation, x: EntitlementContext, give: Give): void {
  const { facts, day } = ev;
  if (facts.hukou !== "URBAN") return;
  const orphan18 = facts.members.find((m) =>
    facts.cases.some((c) => c.tier === "TEKUN" && (c.personId === null || c.personId === m.personId) && c.status === "TERMINATED" && c.endDate !== null && ev.age(m) >= 18 && isoDay(c.endDate).slice(5) === isoDay(m.birthDate).slice(5)),
  );
  const dispersedTekun = x.tier === "TEKUN" && x.tierClass !== "TEKUN_CENTRALISED";
  const byTier = x.tier === "DIBAO" || dispersedTekun || x.tier === "DIBAO_MARGINAL" || x.tier === "RIGID_EXPENDITURE";
  if (!byTier && !orphan18) return;
  const owned = facts.assets.filter((a) => a.kind === "HOUSE" && a.valueFen > 0);
  const condition = facts.housingCondition ?? null;
  const inputs = [
    ev.reg("hukou", facts.hukou),
    ev.reg("homes owned (registry assets)", owned.length, BASIS.ASSETS),
    ev.reg("housing conditions (caseworker finding)", condition ?? "not recorded"),
    ...(orphan18 && !byTier ? [ev.reg("orphan aged 18+ (TEKUN ended at 18)", "yes")] : []),
  ];
  const yuzhongA = facts.districtCode === YUZHONG && x.tier === "DIBAO" && x.tierClass === "DIBAO_A";
  const activeBenefit = (r: { benefits: { type: string; status: string; monthlyRentFen: number | null; endDate: Date | null }[] } | null) =>
    r?.benefits.find((b) => b.status === "ACTIVE" && (b.type === "PUBLIC_RENTAL" || b.type === "RENTAL_SUBSIDY") && (b.endDate === null || b.endDate.getTime() >= day.getTime())) ?? null;
  const benefit: Reading<{ type: string; monthlyRentFen: number | null } | null> = readRecord(
    facts.housing,
    "housing",
    "active public-rental or rental-subsidy benefit",
    (r) => activeBenefit(r),
    (b) => (b === null ? "none" : `${b.type}${b.monthlyRentFen !== null ? ` (rent ${b.monthlyRentFen} fen)` : ""}`),
  );
  const ownsHome = owned.length > 0 || condition === "OWNS_HOME";
  const noHome = condition === "NO_HOME" || condition === "RENTING";
  // the housing record decides only what the registry and the caseworker leave open (a Yuzhong A-class rent, or whether the department already found the need)
  const needsRecord = !ownsHome && (yuzhongA || !noHome);
  let given: "RENT" | "SECURITY" | "UNVERIFIED" | null = null;
  let rent: number | null = null;
  const outcome = ev.rule("ENT_HOUSING", REF.HOUSING, null, needsRecord ? [benefit] : [], needsRecord || !benefit.known ? inputs : [...inputs, benefit.input], () => {
    const b = benefit.known ? benefit.value : null;
    if (yuzhongA && b && b.monthlyRentFen !== null && !ownsHome) {
      given = "RENT";
      rent = b.monthlyRentFen;
      return { outcome: "PASS", explanation: `Yuzhong dibao A-class tenant: rent subsidy equal to the rent, ${b.monthlyRentFen} fen per month` };
    }
    if (ownsHome)
      return {
        outcome: "FAIL",
        explanation: b
          ? `owns a home${owned.length > 0 ? " (registry asset)" : " (caseworker finding)"} but the housing department shows an active ${b.type}: verify the housing benefit`
          : "owns a home: no housing security",
      };
    given = "SECURITY";
    if (noHome) return { outcome: "PASS", explanation: `urban ${byTier ? x.tier : "orphan aged 18+"} without a home of its own (caseworker finding: ${condition}): public rental housing or a rental subsidy` };
    if (b) return { outcome: "PASS", explanation: `urban ${byTier ? x.tier : "orphan aged 18+"} the housing department already supports (${b.type}): housing security established` };
    given = "UNVERIFIED";
    return {
      outcome: "UNKNOWN",
      explanation: `urban ${byTier ? x.tier : "orphan aged 18+"}: entitled to housing security only without a home of its own, and the registry does not record the household's housing conditions — UNVERIFIED, to check (not a gap)`,
    };
  });
  const missing = "the household's housing conditions: whether it owns a home (not recorded in the registry; record housingCondition or a HOUSE asset)";
  if (outcome === "UNKNOWN" && given === null) {
    // the housing system did not answer (or its record is stale): a caseworker's NO_HOME / RENTING still establishes
    // housing security (a Yuzhong A-class rent subsidy needs the rent, which is unknown); otherwise nothing decides
    if (noHome) give("HOUSING_SECURITY", "housing", null, "ENT_HOUSING", REF.HOUSING);
    else give("HOUSING_SECURITY", "housing", null, "ENT_HOUSING", REF.HOUSING, { unverified: [missing, "the housing department's record (unavailable or stale)"] });
    return;
  }
  if (given === "RENT") give("RENT_SUBSIDY_EQUAL_TO_RENT", "housing", null, "ENT_HOUSING", REF.HOUSING, { amountFen: rent, monthly: true });
  if (given === "SECURITY") give("HOUSING_SECURITY", "housing", null, "ENT_HOUSING", REF.HOUSING);
  if (given === "UNVERIFIED") give("HOUSING_SECURITY", "housing", null, "ENT_HOUSING", REF.HOUSING, { unverified: [missing] });
}

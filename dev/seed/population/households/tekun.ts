/** TEKUN (特困) persons: supported (dispersed or centralised), deceased (funeral aid), and an orphan who aged out at 18. */
import { addDays, addMonths, addYears, ageOn, maxIso, minIso, monthEnd, monthStart } from "../dates.js";
import { employmentFacts } from "../persons.js";
import { allocateIncome, deposits } from "../money.js";
import { crossDistrictPayment, monthlyAid, oneTimeSubsidy, temporaryAid } from "../aid-records.js";
import { nextReview, paymentAfterDeath, tekunMonthly, yuan } from "../cases.js";
import { Build } from "../household.js";

/** TEKUN / DECEASED: A TEKUN person (dispersed or centralised care), or one who died (case terminated, funeral aid). */
export function buildTekun(b: Build): void {
  const { g, rng, asOf, street, kind, ctx, district, registryNo, members, h, cases, aid, assets, tekunVariant, deceasedOn } = b;
  const p = members[0];
  if (!street.welfareHome) {
    const pCentral = p.selfCare === "NONE" ? 0.8 : p.selfCare === "PARTIAL" ? 0.4 : tekunVariant === "orphan" ? 0.05 : 0.08;
    b.centralised = rng.chance(pCentral);
  }
  const age = ageOn(p.birthDate, asOf);
  const earliest = maxIso(addDays(p.birthDate, 30), "2008-01-01");
  let start = addMonths(asOf, -rng.int(2, 150));
  if (start < earliest) start = earliest;
  if (start > addMonths(asOf, -1)) start = addMonths(asOf, -1);
  if (deceasedOn && start >= addMonths(deceasedOn, -2)) start = maxIso(earliest, addMonths(deceasedOn, -rng.int(3, 100)));
  const minorLimit = g.param("TEKUN_MINOR_AGE_LIMIT", asOf, district);
  const minorEnd = tekunVariant === "orphan" && age < minorLimit ? addYears(p.birthDate, minorLimit) : null;
  const m = tekunMonthly(g, ctx, p, asOf);
  const ended = kind === "DECEASED";
  const careText = p.selfCare === "FULL" ? "生活自理" : p.selfCare === "PARTIAL" ? "部分失能" : "完全失能";
  cases.push({
    id: rng.uuid(),
    personIndex: null,
    tier: "TEKUN",
    tierClass: b.centralised ? "TEKUN_CENTRALISED" : "TEKUN_DISPERSED",
    status: ended ? "TERMINATED" : "ACTIVE",
    startDate: start,
    endDate: ended ? deceasedOn : minorEnd,
    nextReviewDate: ended ? null : nextReview(g, start, g.param("REVIEW_MONTHS_STABLE", asOf, district)),
    monthlyFen: m.basic + m.care,
    note: ended
      ? "供养对象身故，终止特困供养，办理丧葬救助"
      : `${b.centralised ? "集中供养" : "分散供养"}；${careText}，照料护理补贴${yuan(m.care)}元；基本生活${yuan(m.basic)}元${tekunVariant === "orphan" ? `；孤儿，供养至年满${minorLimit}周岁（002 #3）` : ""}；每年核查（002 #4）`,
  });
  const until = ended ? monthStart(deceasedOn!) : null;
  const from = monthStart(addMonths(start, 1));
  monthlyAid(g, registryNo, { program: "TEKUN_SUPPORT", caseIndex: 0, personIndex: 0, from, until, amount: (mm) => tekunMonthly(g, ctx, p, mm).basic }, aid);
  monthlyAid(g, registryNo, { program: "TEKUN_CARE_SUBSIDY", caseIndex: 0, personIndex: 0, from, until, amount: (mm) => tekunMonthly(g, ctx, p, mm).care }, aid);
  crossDistrictPayment(g, registryNo, district, aid);
  oneTimeSubsidy(g, h, 0, aid);
  if (ended) {
    paymentAfterDeath(g, registryNo, deceasedOn!, aid);
    b.status = "CLOSED";
    const fm = monthStart(addMonths(deceasedOn!, 1));
    if (addDays(fm, 14) < asOf) {
      aid.push({ id: rng.uuid(), personIndex: 0, caseIndex: 0, program: "FUNERAL_AID", amountFen: rng.int(10, 30) * 10_000, periodStart: fm, periodEnd: monthEnd(fm), paidAt: `${fm.slice(0, 8)}15T03:00:00.000Z`, idempotencyKey: `${registryNo}:FUNERAL_AID:${fm.slice(0, 7)}` });
    }
  } else if (!b.centralised && rng.chance(0.04)) {
    temporaryAid(g, h, "TEMPORARY_AID_EMERGENCY", 0, aid);
  }
  if (!b.centralised) assets.push(...deposits(g, ctx, 1, [0, 0.15], 0.4));
}

/** ORPHAN18_LEFT: An orphan who aged out of TEKUN at 18 and left assistance (studying or employed). */
export function buildOrphan18Left(b: Build): void {
  const { g, rng, ctx, registryNo, members, h, cases, aid, incomeFor } = b;
  b.status = "MONITORED";
  const p = members[0];
  const b18 = addYears(p.birthDate, 18);
  const studying = p.facts.school !== null;
  if (!studying) p.facts.employment = employmentFacts(g, "normal", rng.chance(0.7) ? "EMPLOYED" : "FLEXIBLE");
  h.incomes = allocateIncome(g, ctx, members, studying ? incomeFor(0.3, 0.9) : incomeFor(1.6, 3));
  const start = maxIso(addYears(p.birthDate, rng.int(3, 15)), "2010-01-01");
  cases.push({ id: rng.uuid(), personIndex: null, tier: "TEKUN", tierClass: "TEKUN_DISPERSED", status: "TERMINATED", startDate: minIso(start, addDays(b18, -30)), endDate: b18, nextReviewDate: null, monthlyFen: null, note: `孤儿，年满18周岁终止特困供养（002 #3）${studying ? "，在读" : "，已就业"}；年满18周岁孤儿享受住房保障（002 #11）` });
  monthlyAid(g, registryNo, { program: "TEKUN_SUPPORT", caseIndex: 0, personIndex: 0, from: monthStart(addMonths(cases[0].startDate, 1)), until: monthStart(b18), amount: (m) => tekunMonthly(g, ctx, p, m).basic }, aid);
  oneTimeSubsidy(g, h, 0, aid);
}

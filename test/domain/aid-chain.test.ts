/**
 * The aid chain (DOMAIN.md §2 links by department, §3 一户一条救助链: nothing missed, nothing paid twice,
 * §4 no duplicate payments): table-driven, one row per rule and boundary.
 */
import { describe, expect, test } from "vitest";
import { aidLinks, buildAidChain, findDuplicates, findGaps, type AidLink } from "../../src/domain/aid-chain.js";
import { addMonths, isoDay as iso } from "../../src/domain/calendar.js";
import { overlap, settlementPeriod, standingPeriod, termPeriod } from "../../src/domain/periods.js";
import type { HouseholdFacts } from "../../src/domain/facts.js";
import {
  ASOF,
  aid,
  benefit,
  d,
  disability,
  education,
  eligibility,
  employment,
  entitlement,
  facts,
  failed,
  housing,
  medical,
  member,
  ok,
} from "./chain-fixtures.js";

describe("periods: how a record without dates gets one (DOMAIN §3: a chain needs comparable periods)", () => {
  test.each([
    // [a, b, overlapping days or null]
    ["touching: one ends the day before the other starts", ["2026-01-01", "2026-01-31"], ["2026-02-01", "2026-02-28"], null],
    ["one shared day", ["2026-01-01", "2026-02-01"], ["2026-02-01", "2026-02-28"], ["2026-02-01", "2026-02-01"]],
    ["contained", ["2026-01-01", "2026-12-31"], ["2026-03-01", "2026-03-31"], ["2026-03-01", "2026-03-31"]],
  ] as const)("overlap %s", (_n, a, b, want) => {
    const got = overlap({ start: d(a[0]), end: d(a[1]) }, { start: d(b[0]), end: d(b[1]) });
    expect(got && [iso(got.start), iso(got.end)]).toEqual(want);
  });

  test.each([
    ["2026-AUTUMN", "2026-09-01", "2027-01-31"],
    ["2026-SPRING", "2026-02-01", "2026-08-31"],
  ])("term %s = %s … %s (terms tile the year: spring ends the day before autumn starts)", (term, start, end) => {
    const p = termPeriod(term)!;
    expect([iso(p.start), iso(p.end)]).toEqual([start, end]);
  });

  test("an unreadable term has no period", () => {
    expect(termPeriod("AUTUMN 2026")).toBeNull();
  });

  test("a standing benefit covers the year up to its record's date; settlement years reach back to it", () => {
    const s = standingPeriod(d("2026-10-15"));
    expect([iso(s.start), iso(s.end)]).toEqual(["2025-10-16", "2026-10-15"]);
    const y = settlementPeriod(2026, d("2026-09-05"));
    expect([iso(y.start), iso(y.end)]).toEqual(["2025-09-06", "2026-12-31"]);
    const late = settlementPeriod(2025, d("2026-03-01")); // a record dated after its settlement year reaches back only to 1 January
    expect([iso(late.start), iso(late.end)]).toEqual(["2025-01-01", "2025-12-31"]);
    expect(iso(addMonths(d("2026-01-31"), 1))).toBe("2026-02-28");
  });
});

describe("links: every department normalised (DOMAIN §2)", () => {
  const f = facts({
    aidRecords: [aid("TEKUN_CARE_SUBSIDY", "2026-10-01", "2026-10-31", { personId: "p1", districtCode: "500120" })],
    members: [
      member("p1", {
        education: ok(education({ aid: [{ item: "FEE_WAIVER", term: "2026-AUTUMN", amountFen: 80_000 }] })),
        employment: ok(
          employment({
            publicWelfarePost: true,
            trainings: [{ course: "家政服务", completedOn: d("2026-03-30") }],
            dibaoEmploymentSubsidy: { monthlyFen: 35_000, from: d("2026-01-01"), to: d("2026-12-31") },
          }),
        ),
        medicalInsurance: ok(medical({ premiumSubsidyRatio: 1, premiumSubsidyFen: 38_000, outOfPocketFen: 300_000, medicalAidPaidFen: 210_000 })),
        disability: ok(disability({ livingSubsidyFen: 10_000, nursingSubsidyFen: 15_000, rehabilitation: ["ASSISTIVE_DEVICE"] })),
      }),
    ],
    housing: housing([benefit({ type: "DILAPIDATED_RENOVATION", status: "ENDED", monthlyRentFen: null, monthlySubsidyFen: null, grantFen: 3_500_000, endDate: d("2025-06-30") })]),
  });
  const links = aidLinks(f, ASOF);
  const by = (program: string) => links.find((l) => l.program === program)!;

  test.each([
    // program, department, purpose, period basis, period, amount
    ["TEKUN_CARE_SUBSIDY", "civil_affairs", "NURSING_CARE", "RECORD", ["2026-10-01", "2026-10-31"], 10_000],
    ["EDUCATION_FEE_WAIVER", "education", "EDUCATION_FEES", "TERM", ["2026-09-01", "2027-01-31"], 80_000],
    ["DIBAO_EMPLOYMENT_SUBSIDY", "employment", "EMPLOYMENT_SUBSIDY", "RECORD", ["2026-01-01", "2026-12-31"], 35_000],
    ["PUBLIC_WELFARE_POST", "employment", "EMPLOYMENT_POST", "STANDING", ["2025-10-02", "2026-10-01"], null],
    ["TRAINING", "employment", "EMPLOYMENT_TRAINING", "DAY", ["2026-03-30", "2026-03-30"], null],
    ["MEDICAL_PREMIUM_SUBSIDY", "medical_insurance", "MEDICAL_PREMIUM", "SETTLEMENT_YEAR", ["2026-01-01", "2026-12-31"], 38_000],
    ["MEDICAL_AID", "medical_insurance", "MEDICAL_EXPENSE", "SETTLEMENT_YEAR", ["2025-10-02", "2026-12-31"], 210_000],
    ["DISABILITY_LIVING_SUBSIDY", "disability", "DISABILITY_LIVING", "STANDING", ["2025-10-16", "2026-10-15"], 10_000],
    ["DISABILITY_NURSING_SUBSIDY", "disability", "NURSING_CARE", "STANDING", ["2025-10-16", "2026-10-15"], 15_000],
    ["REHAB_ASSISTIVE_DEVICE", "disability", "REHABILITATION", "STANDING", ["2025-10-16", "2026-10-15"], null],
    ["DILAPIDATED_RENOVATION", "housing", "HOUSE_RENOVATION", "RECORD", ["2025-01-01", "2025-06-30"], 3_500_000],
  ] as const)("%s → %s / %s (%s)", (program, department, purpose, basis, period, amount) => {
    const l = by(program);
    expect(l).toBeDefined();
    expect([l.department, l.purpose, l.periodBasis, [iso(l.period.start), iso(l.period.end)], l.amountFen]).toEqual([department, purpose, basis, period, amount]);
  });

  test("a registry record names its paying district; otherwise the household's; department links keep their source record", () => {
    expect(by("TEKUN_CARE_SUBSIDY").districtCode).toBe("500120");
    expect(by("EDUCATION_FEE_WAIVER").districtCode).toBe("500103");
    expect(by("EDUCATION_FEE_WAIVER").sourceRecordId).toBe(f.members[0].idNumber);
    expect(by("DISABILITY_NURSING_SUBSIDY").sourceRecordId).toBe("50010319800101000141");
    expect(by("MEDICAL_AID").basisFen).toBe(300_000);
  });

  test("a charity's delivery is one link on its delivery day (DOMAIN §2 charities): a budget gives an amount, items a benefit in kind", () => {
    const delivery = (over: object) => ({
      claimId: "c1", charityId: "ch", charityName: "慈善会", resourceId: "r1", category: "SCHOOL_COSTS", benefit: "助学金",
      unit: "FEN" as const, units: 50_000, personId: "p1", deliveredAt: new Date("2026-11-20T09:30:00Z"), ...over,
    });
    const f = facts({ charityDeliveries: [delivery({}), delivery({ claimId: "c2", unit: "ITEMS", units: 2, benefit: "轮椅", category: "ASSISTIVE_DEVICES", personId: null })] });
    const links = aidLinks(f, ASOF).filter((l) => l.source === "charity");
    expect(links.map((l) => [l.id, l.department, l.purpose, l.personId, iso(l.period.start), iso(l.period.end), l.periodBasis, l.amountFen, l.benefit, l.status])).toEqual([
      ["charity:c1:SCHOOL_COSTS", "charity", "CHARITY_HELP", "p1", "2026-11-20", "2026-11-20", "DAY", 50_000, "助学金 (慈善会)", "COMPLETED"],
      ["charity:c2:ASSISTIVE_DEVICES", "charity", "CHARITY_HELP", null, "2026-11-20", "2026-11-20", "DAY", null, "轮椅 × 2 (慈善会)", "COMPLETED"],
    ]);
    // on top of public aid: two deliveries for the same purpose and day are not a duplicate
    expect(findDuplicates([...links, { ...links[0], id: "charity:c3:SCHOOL_COSTS", sourceRecordId: "c3" }])).toEqual([]);
  });

  test("an open housing benefit runs to the evaluation date; nothing for absent or zero amounts", () => {
    const l = aidLinks(facts({ housing: housing([benefit({ startDate: d("2025-01-01"), endDate: null })]) }), ASOF)[0];
    expect([l.periodBasis, iso(l.period.end)]).toEqual(["OPEN_ENDED", "2026-11-01"]);
    expect(aidLinks(facts({ members: [member("p1", { disability: ok(disability()) , medicalInsurance: ok(medical({ premiumSubsidyFen: 0 })) })] }), ASOF)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------

function link(over: Partial<AidLink> & Pick<AidLink, "id" | "purpose" | "source">): AidLink {
  return {
    department: "civil_affairs",
    program: "X",
    personId: "p1",
    period: { start: d("2026-10-01"), end: d("2026-10-31") },
    periodBasis: "RECORD",
    amountFen: 10_000,
    monthly: false,
    benefit: null,
    basisFen: null,
    ratio: null,
    status: "PAID",
    sourceRecordId: over.id,
    districtCode: "500103",
    asOf: d("2026-10-10"),
    ...over,
  };
}
const p = (a: string, b: string) => ({ start: d(a), end: d(b) });

describe("duplicates: the same purpose, beneficiary and days from two sources or districts (DOMAIN §3 重复救助, §4)", () => {
  test.each([
    // name, links, expected [kind, purpose, overlap] or null
    [
      "TEKUN care subsidy + the federation's nursing subsidy, same months (WIRE.md: not both allowed)",
      [link({ id: "a", purpose: "NURSING_CARE", source: "registry" }), link({ id: "b", purpose: "NURSING_CARE", source: "disability", period: p("2025-10-16", "2026-10-15") })],
      ["CROSS_SOURCE", "NURSING_CARE", ["2026-10-01", "2026-10-15"]],
    ],
    [
      "touching periods are not a duplicate (care ends the day before the nursing subsidy starts)",
      [link({ id: "a", purpose: "NURSING_CARE", source: "registry", period: p("2026-09-01", "2026-09-30") }), link({ id: "b", purpose: "NURSING_CARE", source: "disability", period: p("2026-10-01", "2027-09-30") })],
      null,
    ],
    [
      "one shared day is a duplicate",
      [link({ id: "a", purpose: "NURSING_CARE", source: "registry", period: p("2026-09-01", "2026-10-01") }), link({ id: "b", purpose: "NURSING_CARE", source: "disability", period: p("2026-10-01", "2027-09-30") })],
      ["CROSS_SOURCE", "NURSING_CARE", ["2026-10-01", "2026-10-01"]],
    ],
    [
      "medical aid equal to the whole out-of-pocket amount + expenditure-type temporary aid (DOMAIN §2 medical aid; WIRE.md)",
      [
        link({ id: "a", purpose: "MEDICAL_EXPENSE", source: "registry", personId: null, amountFen: 720_000 }),
        link({ id: "b", purpose: "MEDICAL_EXPENSE", source: "medicalInsurance", period: p("2025-10-02", "2026-12-31"), amountFen: 300_000, basisFen: 300_000 }),
      ],
      ["CROSS_SOURCE", "MEDICAL_EXPENSE", ["2026-10-01", "2026-10-31"]],
    ],
    [
      "medical aid at 70 % of out-of-pocket + temporary aid: complementary, legitimate",
      [
        link({ id: "a", purpose: "MEDICAL_EXPENSE", source: "registry", personId: null, amountFen: 720_000 }),
        link({ id: "b", purpose: "MEDICAL_EXPENSE", source: "medicalInsurance", period: p("2025-10-02", "2026-12-31"), amountFen: 210_000, basisFen: 300_000 }),
      ],
      null,
    ],
    [
      "TEKUN support for the same month from two districts",
      [link({ id: "a", purpose: "BASIC_LIVING", source: "registry" }), link({ id: "b", purpose: "BASIC_LIVING", source: "registry", districtCode: "500120" })],
      ["CROSS_DISTRICT", "BASIC_LIVING", ["2026-10-01", "2026-10-31"]],
    ],
    [
      "dibao for the household + TEKUN support for a member from one source and district: the source's own business, not a duplicate",
      [link({ id: "a", purpose: "BASIC_LIVING", source: "registry", personId: null }), link({ id: "b", purpose: "BASIC_LIVING", source: "registry" })],
      null,
    ],
    [
      "emergency aid from two districts: repeatable",
      [link({ id: "a", purpose: "EMERGENCY", source: "registry" }), link({ id: "b", purpose: "EMERGENCY", source: "registry", districtCode: "500120" })],
      null,
    ],
    [
      "two different persons",
      [link({ id: "a", purpose: "NURSING_CARE", source: "registry" }), link({ id: "b", purpose: "NURSING_CARE", source: "disability", personId: "p2" })],
      null,
    ],
    [
      "an applied-for benefit pays nothing yet",
      [link({ id: "a", purpose: "HOUSING", source: "housing", status: "APPLIED" }), link({ id: "b", purpose: "HOUSING", source: "registry" })],
      null,
    ],
  ] as const)("%s", (_name, links, want) => {
    const got = findDuplicates([...links]);
    if (want === null) expect(got).toEqual([]);
    else {
      expect(got).toHaveLength(1);
      expect([got[0].kind, got[0].purpose, [iso(got[0].overlap.start), iso(got[0].overlap.end)]]).toEqual(want);
    }
  });

  test("twelve monthly care payments against one standing nursing subsidy are one duplicate with a stable key", () => {
    const months = Array.from({ length: 12 }, (_, i) => {
      const s = addMonths(d("2025-11-01"), i);
      return link({ id: `m${i}`, purpose: "NURSING_CARE", source: "registry", period: { start: s, end: addMonths(s, 1) } });
    });
    const nursing = link({ id: "n", purpose: "NURSING_CARE", source: "disability", period: p("2025-10-16", "2026-10-15") });
    const a = findDuplicates([...months, nursing]);
    const b = findDuplicates([nursing, ...months.reverse()]);
    expect(a).toHaveLength(1);
    expect(a[0].links).toHaveLength(13);
    expect(a[0].key).toBe("CROSS_SOURCE:NURSING_CARE:p1:disability@500103|registry@500103");
    expect(b[0].key).toBe(a[0].key);
    expect([iso(a[0].overlap.start), iso(a[0].overlap.end)]).toEqual(["2025-11-01", "2026-10-15"]);
  });
});

// ---------------------------------------------------------------------------------------------------

describe("gaps: entitlements with no matching link, naming the responsible department (DOMAIN §2, §3 救助遗漏)", () => {
  type Row = [string, HouseholdFacts, ReturnType<typeof entitlement>, "gap" | "shortfall" | "none" | "incomplete"];
  const rows: Row[] = [
    [
      "a TEKUN person with the premium subsidised at 90 % (entitled to 100 %, 003 §9)",
      facts({ members: [member("p1", { medicalInsurance: ok(medical({ premiumSubsidyRatio: 0.9 })) })] }),
      entitlement("MEDICAL_PREMIUM_SUBSIDY", "medical_insurance", "p1", { ratio: 1 }),
      "shortfall",
    ],
    [
      "a TEKUN person with the full premium subsidy",
      facts({ members: [member("p1", { medicalInsurance: ok(medical({ premiumSubsidyRatio: 1, premiumSubsidyFen: 38_000 })) })] }),
      entitlement("MEDICAL_PREMIUM_SUBSIDY", "medical_insurance", "p1", { ratio: 1 }),
      "none",
    ],
    [
      "a dibao household's senior-high student without fee waiver (002 #8–10)",
      facts({ members: [member("p1", { education: ok(education({ aid: [{ item: "NATIONAL_GRANT", term: "2026-AUTUMN", amountFen: 100_000 }] })) })] }),
      entitlement("EDUCATION_FEE_WAIVER", "education", "p1"),
      "gap",
    ],
    [
      "fee waiver of the term that ended exactly 6 months before the (stale) record's date still counts: a department is judged on its latest record",
      facts({ members: [member("p1", { education: ok(education({ asOf: d("2026-07-31"), aid: [{ item: "FEE_WAIVER", term: "2025-AUTUMN", amountFen: 1 }] })) })] }),
      entitlement("EDUCATION_FEE_WAIVER", "education", "p1"),
      "none",
    ],
    [
      "… and a day later it does not",
      facts({ members: [member("p1", { education: ok(education({ asOf: d("2026-08-01"), aid: [{ item: "FEE_WAIVER", term: "2025-AUTUMN", amountFen: 1 }] })) })] }),
      entitlement("EDUCATION_FEE_WAIVER", "education", "p1"),
      "gap",
    ],
    [
      "a severely disabled member without nursing subsidy (002 #10, #23)",
      facts({ members: [member("p1", { disability: ok(disability()) })] }),
      entitlement("DISABILITY_NURSING_SUBSIDY", "disability", "p1"),
      "gap",
    ],
    [
      "nursing entitlement while the federation's system is down: unknown, not missing",
      facts({ members: [member("p1", { disability: failed("disability") })] }),
      entitlement("DISABILITY_NURSING_SUBSIDY", "disability", "p1"),
      "incomplete",
    ],
    [
      "nursing met by civil affairs' TEKUN care subsidy (one of the two, not both)",
      facts({ members: [member("p1", { disability: failed("disability") })], aidRecords: [aid("TEKUN_CARE_SUBSIDY", "2026-10-01", "2026-10-31", { personId: "p1" })] }),
      entitlement("DISABILITY_NURSING_SUBSIDY", "disability", "p1"),
      "none",
    ],
    [
      "a zero-employment household without employment help (000 二(七), 002 #13–14)",
      facts({ members: [member("p1", { employment: ok(employment({ status: "UNEMPLOYED_REGISTERED" })) }), member("p2", { employment: ok(employment({ status: "UNEMPLOYED_UNREGISTERED" })) })] }),
      entitlement("EMPLOYMENT_ASSISTANCE", "employment", null),
      "gap",
    ],
    [
      // FRESHNESS_EMPLOYMENT_TRAINING_MONTHS (12 in the fixtures' default): the window ends on the record's date, 2026-10-01
      "a zero-employment household where one member had a training exactly 12 months before the record's date",
      facts({ members: [member("p1"), member("p2", { employment: ok(employment({ trainings: [{ course: "c", completedOn: d("2025-10-01") }] })) })] }),
      entitlement("EMPLOYMENT_ASSISTANCE", "employment", null),
      "none",
    ],
    [
      "a training one day older than the window (2024 or 2025-09-30) is not current employment help: gap (000 二(七), 003 §12)",
      facts({ members: [member("p1"), member("p2", { employment: ok(employment({ trainings: [{ course: "c", completedOn: d("2025-09-30") }] })) })] }),
      entitlement("EMPLOYMENT_ASSISTANCE", "employment", null),
      "gap",
    ],
    [
      "a dibao A-class tenant whose rental subsidy is below the rent (001 (6))",
      facts({ housing: housing([benefit({ monthlyRentFen: 60_000, monthlySubsidyFen: 40_000 })]) }),
      entitlement("RENT_SUBSIDY_EQUAL_TO_RENT", "housing", null),
      "shortfall",
    ],
    [
      "a dibao A-class tenant with rent subsidy equal to rent",
      facts({ housing: housing([benefit()]) }),
      entitlement("RENT_SUBSIDY_EQUAL_TO_RENT", "housing", null),
      "none",
    ],
    [
      "a dibao A-class tenant while housing's system is down",
      facts({ housing: failed("housing") }),
      entitlement("RENT_SUBSIDY_EQUAL_TO_RENT", "housing", null),
      "incomplete",
    ],
    [
      "dibao paid for the month ending exactly two months before the evaluation date: current",
      facts({ aidRecords: [aid("DIBAO_PAYMENT", "2026-08-01", "2026-09-01")] }),
      entitlement("DIBAO_PAYMENT", "civil_affairs", null),
      "none",
    ],
    [
      "dibao last paid for a period ending a day earlier: missing",
      facts({ aidRecords: [aid("DIBAO_PAYMENT", "2026-08-01", "2026-08-31")] }),
      entitlement("DIBAO_PAYMENT", "civil_affairs", null),
      "gap",
    ],
    [
      "a household-level dibao payment covers a member's classified supplement",
      facts({ aidRecords: [aid("DIBAO_PAYMENT", "2026-10-01", "2026-10-31")] }),
      entitlement("DIBAO_CLASSIFIED_SUPPLEMENT", "civil_affairs", "p1"),
      "none",
    ],
    [
      "out-of-pocket aid with no out-of-pocket expense: nothing needed",
      facts({ members: [member("p1", { medicalInsurance: ok(medical({ outOfPocketFen: 0 })) })] }),
      entitlement("MEDICAL_OUT_OF_POCKET_AID", "medical_insurance", "p1", { ratio: 0.7 }),
      "none",
    ],
    [
      "out-of-pocket aid below 70 % (003 §9)",
      facts({ members: [member("p1", { medicalInsurance: ok(medical({ outOfPocketFen: 100_000, medicalAidPaidFen: 50_000 })) })] }),
      entitlement("MEDICAL_OUT_OF_POCKET_AID", "medical_insurance", "p1", { ratio: 0.7 }),
      "shortfall",
    ],
    [
      "a housing benefit only applied for does not deliver housing security",
      facts({ housing: housing([benefit({ status: "APPLIED" })]) }),
      entitlement("HOUSING_SECURITY", "housing", null),
      "gap",
    ],
  ];

  test.each(rows)("%s", (_name, f, e, want) => {
    const { gaps, incomplete } = findGaps(f, [e], aidLinks(f, ASOF), ASOF);
    const got = incomplete.length ? "incomplete" : gaps.length === 0 ? "none" : gaps[0].shortfall ? "shortfall" : "gap";
    expect(got).toBe(want);
    if (gaps.length) {
      expect(gaps[0].department).toBe(e.department);
      expect(gaps[0].key).toBe(`${e.kind}:${e.personId ?? "household"}`);
      expect(gaps[0].reason.length).toBeGreaterThan(10);
    }
    if (incomplete.length) expect(incomplete[0].code).toBe("UPSTREAM_UNAVAILABLE");
  });
});

describe("the chain: one per household and per person (DOMAIN §3)", () => {
  test("links, gaps and duplicates grouped per member; a failed source makes it incomplete", () => {
    const f = facts({
      members: [member("p1", { disability: ok(disability({ nursingSubsidyFen: 15_000 })) }), member("p2", { employment: failed("employment") })],
      aidRecords: [aid("TEKUN_CARE_SUBSIDY", "2026-10-01", "2026-10-31", { personId: "p1" }), aid("DIBAO_PAYMENT", "2026-10-01", "2026-10-31")],
    });
    const chain = buildAidChain(
      f,
      eligibility({ entitlements: [entitlement("EDUCATION_FEE_WAIVER", "education", "p2"), entitlement("DIBAO_EMPLOYMENT_SUBSIDY", "employment", "p2")] }),
      ASOF,
    );
    expect(chain.householdLinks.map((l) => l.program)).toEqual(["DIBAO_PAYMENT"]);
    expect(chain.persons.map((x) => [x.personId, x.links.map((l) => l.program).sort(), x.gaps.map((g) => g.kind), x.duplicates.length])).toEqual([
      ["p1", ["DISABILITY_NURSING_SUBSIDY", "TEKUN_CARE_SUBSIDY"], [], 1],
      ["p2", [], ["EDUCATION_FEE_WAIVER"], 0],
    ]);
    expect(chain.incomplete.map((i) => [i.kind, i.source])).toEqual([["DIBAO_EMPLOYMENT_SUBSIDY", "employment"]]);
    expect([chain.complete, chain.failedSources]).toEqual([false, ["employment"]]);
  });
});

/**
 * Reference data for the synthetic population: the Yuzhong street table (DOMAIN.md §6, seed 001),
 * Chongqing district codes, names and the policy parameters (versioned by region and effective dates).
 * Pure data; no I/O.
 */
import type { IsoDate, SynthPolicyParameter } from "./model.js";

export const CITY_CODE = "500000";
export const YUZHONG_CODE = "500103";

export interface StreetRow {
  code: string;
  name: string;
  dibao: number;
  tekun: number;
  registered: number;
  roads: readonly string[];
  welfareHome: boolean;
}

/**
 * Seed 001 attachment (渝中区城市特殊困难群众结对帮扶安排表, 2019): per street dibao recipients,
 * TEKUN persons (incl. orphans) and registered special-hardship persons. Street codes are the
 * 9-digit township-level codes 500103001..011; the welfare home (福利院) gets 500103400.
 */
export const YUZHONG_STREETS: readonly StreetRow[] = [
  { code: "500103001", name: "七星岗", dibao: 1508, tekun: 51, registered: 99, roads: ["中山一路", "金汤街", "通远门", "和平路", "领事巷"], welfareHome: false },
  { code: "500103002", name: "解放碑", dibao: 1276, tekun: 41, registered: 135, roads: ["民族路", "八一路", "邹容路", "五一路", "民权路"], welfareHome: false },
  { code: "500103003", name: "南纪门", dibao: 1320, tekun: 46, registered: 37, roads: ["凤凰台", "南区路", "厚慈街", "储奇门", "中兴路"], welfareHome: false },
  { code: "500103004", name: "上清寺", dibao: 686, tekun: 13, registered: 109, roads: ["中山四路", "人民路", "嘉陵桥路", "美专校街", "学田湾"], welfareHome: false },
  { code: "500103005", name: "朝天门", dibao: 1143, tekun: 27, registered: 65, roads: ["新华路", "陕西路", "朝东路", "信义街", "千厮门"], welfareHome: false },
  { code: "500103006", name: "化龙桥", dibao: 579, tekun: 15, registered: 33, roads: ["红岩村", "虎头岩", "化龙桥正街", "李子坝", "佛图关"], welfareHome: false },
  { code: "500103007", name: "大溪沟", dibao: 713, tekun: 13, registered: 80, roads: ["人民支路", "双钢路", "人和街", "张家花园", "大溪沟街"], welfareHome: false },
  { code: "500103008", name: "两路口", dibao: 1273, tekun: 20, registered: 76, roads: ["中山三路", "长江一路", "枇杷山正街", "桂花园", "健康路"], welfareHome: false },
  { code: "500103009", name: "菜园坝", dibao: 1157, tekun: 23, registered: 57, roads: ["菜袁路", "燕喜洞", "王家坡", "苏家坝", "南区公园路"], welfareHome: false },
  { code: "500103010", name: "石油路", dibao: 411, tekun: 4, registered: 88, roads: ["石油路", "虎歇路", "渝州路", "万科路", "龙湖路"], welfareHome: false },
  { code: "500103011", name: "大坪", dibao: 801, tekun: 23, registered: 24, roads: ["大坪正街", "长江二路", "大坪七支路", "大坪中医院路", "袁家岗"], welfareHome: false },
  { code: "500103400", name: "福利院", dibao: 8, tekun: 64, registered: 0, roads: ["渝中区社会福利院"], welfareHome: true },
];

/** Chongqing county-level divisions (GB/T 2260): code -> name. */
export const DISTRICTS: ReadonlyMap<string, string> = new Map([
  ["500101", "万州区"], ["500102", "涪陵区"], ["500103", "渝中区"], ["500104", "大渡口区"], ["500105", "江北区"],
  ["500106", "沙坪坝区"], ["500107", "九龙坡区"], ["500108", "南岸区"], ["500109", "北碚区"], ["500110", "綦江区"],
  ["500111", "大足区"], ["500112", "渝北区"], ["500113", "巴南区"], ["500114", "黔江区"], ["500115", "长寿区"],
  ["500116", "江津区"], ["500117", "合川区"], ["500118", "永川区"], ["500119", "南川区"], ["500120", "璧山区"],
  ["500151", "铜梁区"], ["500152", "潼南区"], ["500153", "荣昌区"], ["500154", "开州区"], ["500155", "梁平区"],
  ["500156", "武隆区"], ["500229", "城口县"], ["500230", "丰都县"], ["500231", "垫江县"], ["500233", "忠县"],
  ["500235", "云阳县"], ["500236", "奉节县"], ["500237", "巫山县"], ["500238", "巫溪县"], ["500240", "石柱土家族自治县"],
  ["500241", "秀山土家族苗族自治县"], ["500242", "酉阳土家族苗族自治县"], ["500243", "彭水苗族土家族自治县"],
]);

/** Central urban districts (more urban hukou). */
export const CORE_DISTRICTS: ReadonlySet<string> = new Set(["500103", "500104", "500105", "500106", "500107", "500108", "500112"]);

/** Generic street names for generated (non-Yuzhong) districts. */
export const STREET_NAME_POOL: readonly string[] = [
  "城东", "城西", "城南", "城北", "新华", "人民", "胜利", "和平", "解放", "建设", "光明", "长安", "文化", "龙山",
  "凤鸣", "桂花", "白沙", "双桥", "石门", "新桥", "天星", "观音", "莲花", "龙井", "红旗", "团结", "朝阳", "东升",
  "金山", "青龙", "玉带", "黄桷", "清水", "南山", "中山", "大庙", "五里", "沙溪", "东岳", "新城", "翠屏", "永丰",
  "兴隆", "学府", "锦绣", "滨江", "龙湖", "桃源", "竹林", "鸳鸯",
];

// ---------------------------------------------------------------------------------------------
// Policy parameters

type Unit = SynthPolicyParameter["unit"];
const ILLUSTRATIVE = "illustrative value; set the gazetted figure";

function series(
  regionCode: string,
  key: string,
  unit: Unit,
  source: string,
  points: readonly (readonly [IsoDate, number])[],
  lastTo: IsoDate | null = null,
): SynthPolicyParameter[] {
  return points.map(([from, value], i) => ({
    regionCode,
    key,
    value: String(value),
    unit,
    effectiveFrom: from,
    effectiveTo: i + 1 < points.length ? dayBefore(points[i + 1][0]) : lastTo,
    source,
  }));
}

function dayBefore(iso: IsoDate): IsoDate {
  const d = new Date(Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)) - 1));
  return d.toISOString().slice(0, 10);
}

/** Urban / rural per-capita disposable income of year Y (yuan), published early in Y+1. */
const DISPOSABLE_INCOME: readonly (readonly [number, number, number])[] = [
  [2016, 29610, 11549], [2017, 32193, 12638], [2018, 34889, 13781], [2019, 37939, 15133], [2020, 40006, 16361],
  [2021, 43502, 18100], [2022, 45509, 19313], [2023, 47435, 20820], [2024, 49800, 22200], [2025, 51500, 23700],
];

/**
 * The policy parameters: city-wide (500000) values and Yuzhong (500103) overrides, each with an
 * effective period. Values the seed documents state are cited (000..004); all others are marked
 * illustrative in `source` and must be replaced by the gazetted figures before real use.
 */
export function policyParameters(): SynthPolicyParameter[] {
  const p: SynthPolicyParameter[] = [];
  p.push(
    ...series(CITY_CODE, "DIBAO_STANDARD_URBAN", "FEN_PER_MONTH",
      `${ILLUSTRATIVE}. Urban dibao standard, raised each July in step with prices (000 二(一); 001 (1); 004 一)`,
      [["2016-07-01", 48000], ["2017-07-01", 50800], ["2018-07-01", 52600], ["2019-07-01", 54600], ["2020-07-01", 62000],
        ["2021-07-01", 65000], ["2022-07-01", 70000], ["2023-07-01", 73000], ["2024-07-01", 76000], ["2025-07-01", 78000]]),
    ...series(CITY_CODE, "DIBAO_STANDARD_RURAL", "FEN_PER_MONTH",
      `${ILLUSTRATIVE}. Rural dibao standard, converging on the urban one (002 #1: 逐步实现低保标准城乡统一)`,
      [["2016-07-01", 32000], ["2017-07-01", 36000], ["2018-07-01", 40000], ["2019-07-01", 44000], ["2020-07-01", 49600],
        ["2021-07-01", 52000], ["2022-07-01", 57000], ["2023-07-01", 60000], ["2024-07-01", 63000], ["2025-07-01", 66000]]),
    ...series(CITY_CODE, "MARGINAL_MULTIPLIER", "RATIO",
      "002 #3; 003 §1; 004 一: marginal households have income per capita below 1.5 × the dibao standard (effective date illustrative)",
      [["2016-01-01", 1.5]]),
    ...series(CITY_CODE, "GRADUAL_EXIT_MONTHS", "MONTHS",
      "002 #3; 004 一: 6-month gradual-exit period (低保渐退) when income per capita rises above the standard but below 1.5 × (effective date illustrative)",
      [["2016-01-01", 6]]),
    ...series(CITY_CODE, "TEKUN_MINOR_AGE_LIMIT", "YEARS",
      "TEKUN support for minors until age 16 before 002 #3 (national 2016 TEKUN opinion); effective dates illustrative",
      [["2016-02-10", 16]], "2020-08-31"),
    ...series(CITY_CODE, "TEKUN_MINOR_AGE_LIMIT", "YEARS",
      "002 #3: minors in TEKUN support extended from 16 to 18 (渝委办发〔2020〕30号); effective date illustrative",
      [["2020-09-01", 18]]),
    ...series(CITY_CODE, "RIGID_EXPENDITURE_RATIO", "RATIO",
      `${ILLUSTRATIVE}. 003 §1: medical + education necessary spending / total household income above a local ratio`,
      [["2016-01-01", 0.5]]),
    ...series(CITY_CODE, "ASSET_LIMIT_DEPOSIT_PER_CAPITA", "FEN_PER_PERSON",
      `${ILLUSTRATIVE}. Deposits per household member allowed for dibao, marginal and rigid-expenditure households (003 §1: 财产状况符合当地相关规定)`,
      [["2016-01-01", 2000000], ["2022-01-01", 2400000]]),
    ...series(YUZHONG_CODE, "ASSET_LIMIT_DEPOSIT_PER_CAPITA", "FEN_PER_PERSON",
      `${ILLUSTRATIVE}. Yuzhong district override of the city deposit limit`,
      [["2019-04-12", 2400000], ["2022-01-01", 3000000]]),
    ...series(CITY_CODE, "REVIEW_MONTHS_STABLE", "MONTHS",
      "002 #4: TEKUN and dibao households with stable finances are re-certified once a year (effective date illustrative)",
      [["2016-01-01", 12]]),
    ...series(CITY_CODE, "REVIEW_MONTHS_UNSTABLE", "MONTHS",
      "002 #4: dibao households with unstable income and members able to work are re-certified every 6 months (effective date illustrative)",
      [["2016-01-01", 6]]),
    ...series(CITY_CODE, "ONE_TIME_SUBSIDY_URBAN_DIBAO", "FEN_PER_PERSON", "004 一 (渝民〔2022〕148号): one-time living subsidy, urban dibao, 127 yuan per person",
      [["2022-01-01", 12700]], "2022-12-31"),
    ...series(CITY_CODE, "ONE_TIME_SUBSIDY_RURAL_DIBAO", "FEN_PER_PERSON", "004 一 (渝民〔2022〕148号): one-time living subsidy, rural dibao, 100 yuan per person",
      [["2022-01-01", 10000]], "2022-12-31"),
    ...series(CITY_CODE, "ONE_TIME_SUBSIDY_TEKUN", "FEN_PER_PERSON", "004 一 (渝民〔2022〕148号): one-time living subsidy, TEKUN, 165 yuan per person",
      [["2022-01-01", 16500]], "2022-12-31"),
    ...series(CITY_CODE, "EDUCATION_FREE_TEXTBOOKS_SENIOR", "RATIO",
      "002 #8–10: free textbooks (share of the cost borne) for dibao and TEKUN students in general high school, 2018–2020 (effective dates per DOMAIN.md §2)",
      [["2018-01-01", 1]], "2020-12-31"),
    ...series(CITY_CODE, "MEDICAL_PREMIUM_SUBSIDY_TEKUN", "RATIO", "003 §9: tier-1 residents' medical insurance premium fully paid for TEKUN", [["2016-01-01", 1]]),
    ...series(CITY_CODE, "MEDICAL_PREMIUM_SUBSIDY_DIBAO", "RATIO", "003 §9: tier-1 premium subsidised at 90 % for dibao recipients", [["2016-01-01", 0.9]]),
    ...series(CITY_CODE, "MEDICAL_PREMIUM_SUBSIDY_MARGINAL", "RATIO", "003 §9: tier-1 premium subsidised at 70 % for marginal-household members and other eligible low-income people", [["2016-01-01", 0.7]]),
    ...series(CITY_CODE, "MEDICAL_PREMIUM_SUBSIDY_TIER2", "RATIO", "003 §9: voluntary tier 2 subsidised at 100 % of the tier-1 personal premium", [["2016-01-01", 1]]),
    ...series(CITY_CODE, "MEDICAL_OOP_AID_RATIO_DIBAO_TEKUN", "RATIO", "003 §9: in-policy out-of-pocket medical aid at least 70 % for dibao, TEKUN, returned-to-poverty", [["2016-01-01", 0.7]]),
    ...series(CITY_CODE, "MEDICAL_OOP_AID_RATIO_MARGINAL", "RATIO", "003 §9: at least 60 % for marginal, unstable and rigid-expenditure households", [["2016-01-01", 0.6]]),
    ...series(CITY_CODE, "TEKUN_BASIC_LIVING_RATIO", "RATIO",
      `${ILLUSTRATIVE}. TEKUN basic living standard as a multiple of the local dibao standard (000 二(二); 001 (2): raised in step with the urban dibao standard)`,
      [["2016-01-01", 1.3]]),
    ...series(CITY_CODE, "TEKUN_CARE_SUBSIDY_FULL", "FEN_PER_MONTH", `${ILLUSTRATIVE}. TEKUN care subsidy, self-care able (生活自理) (000; 001 (2))`, [["2016-01-01", 8000], ["2022-07-01", 10000]]),
    ...series(CITY_CODE, "TEKUN_CARE_SUBSIDY_PARTIAL", "FEN_PER_MONTH", `${ILLUSTRATIVE}. TEKUN care subsidy, partly disabled (部分失能) (000; 001 (2))`, [["2016-01-01", 35000], ["2022-07-01", 40000]]),
    ...series(CITY_CODE, "TEKUN_CARE_SUBSIDY_NONE", "FEN_PER_MONTH", `${ILLUSTRATIVE}. TEKUN care subsidy, fully disabled (完全失能) (000; 001 (2))`, [["2016-01-01", 90000], ["2022-07-01", 110000]]),
    ...series(CITY_CODE, "DIBAO_CLASSIFIED_SUPPLEMENT_RATIO", "RATIO",
      `${ILLUSTRATIVE}. Raised classified standard (分类施保) per priority member (disabled, seriously ill, aged 70+, pre-school, student) as a share of the dibao standard (000 二(一); 001 (1))`,
      [["2016-01-01", 0.2]]),
    ...series(CITY_CODE, "DIBAO_EMPLOYMENT_SUBSIDY_MAX_MONTHS", "MONTHS", "000 二(七); 002 #13: dibao employment subsidy equal to the monthly dibao reduction, for up to one year", [["2016-01-01", 12]]),
    ...series(CITY_CODE, "MONITORING_RETENTION_YEARS", "YEARS", "003 §5: rejected applicants and households that left assistance stay in the monitoring database for two years", [["2016-01-01", 2]]),
  );
  // Last year's per-capita disposable income, in force during year Y+1.
  const urbanSrc = `${ILLUSTRATIVE}. Chongqing urban per-capita disposable income of the previous year (003 §1: 上年度当地居民人均可支配收入), approximating the statistical bulletin`;
  const ruralSrc = `${ILLUSTRATIVE}. Chongqing rural per-capita disposable income of the previous year (003 §1), approximating the statistical bulletin`;
  const yzSrc = `${ILLUSTRATIVE}. Yuzhong district urban per-capita disposable income of the previous year (district statistics override the city figure)`;
  const last = DISPOSABLE_INCOME.length - 1;
  DISPOSABLE_INCOME.forEach(([year, urban, rural], i) => {
    const from = `${year + 1}-01-01`;
    const to = i === last ? null : `${year + 1}-12-31`;
    p.push({ regionCode: CITY_CODE, key: "PER_CAPITA_DISPOSABLE_INCOME_URBAN", value: String(urban * 100), unit: "FEN_PER_YEAR", effectiveFrom: from, effectiveTo: to, source: `${urbanSrc} (${year})` });
    p.push({ regionCode: CITY_CODE, key: "PER_CAPITA_DISPOSABLE_INCOME_RURAL", value: String(rural * 100), unit: "FEN_PER_YEAR", effectiveFrom: from, effectiveTo: to, source: `${ruralSrc} (${year})` });
    p.push({ regionCode: YUZHONG_CODE, key: "PER_CAPITA_DISPOSABLE_INCOME_URBAN", value: String(Math.round(urban * 1.12) * 100), unit: "FEN_PER_YEAR", effectiveFrom: from, effectiveTo: to, source: `${yzSrc} (${year})` });
  });
  // Freshness windows (issue 13 point 5, src/domain/freshness.ts) and the national TEKUN presumptions the seeds leave to national rules.
  p.push(
    ...series(CITY_CODE, "FRESHNESS_MEDICAL_SETTLEMENT_YEARS", "YEARS",
      "Local choice (003 §4–7: comparison on current facts). A medical-insurance record speaks for its settlement year; last year's settlement still counts (settlement lags treatment), older is stale",
      [["2016-01-01", 1]]),
    ...series(CITY_CODE, "FRESHNESS_EDUCATION_TERM_MONTHS", "MONTHS",
      "Local choice (002 #8–10 aid per term). A school record speaks for its term; it still counts this many months after the term ends (the roll-over to the next term), then it is stale",
      [["2016-01-01", 1]]),
    ...series(CITY_CODE, "FRESHNESS_DISABILITY_MONTHS", "MONTHS",
      `${ILLUSTRATIVE}. A disability record not confirmed by the federation within this many months is stale (its subsidies are reviewed yearly; 002 #10, #23)`,
      [["2016-01-01", 12]]),
    ...series(CITY_CODE, "FRESHNESS_EMPLOYMENT_MONTHS", "MONTHS",
      `${ILLUSTRATIVE}. An employment-status record not confirmed within this many months is stale (dibao households able to work are re-certified every 6–12 months, 002 #4)`,
      [["2016-01-01", 12]]),
    ...series(CITY_CODE, "FRESHNESS_HOUSING_MONTHS", "MONTHS",
      `${ILLUSTRATIVE}. A housing record not confirmed within this many months is stale (housing security is reviewed yearly, 003 §11)`,
      [["2016-01-01", 12]]),
    ...series(CITY_CODE, "FRESHNESS_EMPLOYMENT_TRAINING_MONTHS", "MONTHS",
      `${ILLUSTRATIVE}. A training counts as employment assistance for a zero-employment household for this many months (000 二(七), 001 (7): at least 3 free trainings; 003 §12)`,
      [["2016-01-01", 12]]),
    ...series(CITY_CODE, "TEKUN_PRESUMED_UNABLE_TO_WORK_AGE", "YEARS",
      "National rule where the seeds are silent: 特困人员认定办法 (民发〔2021〕43号) 第六条: persons aged 60+ are regarded as without ability to work (for the possible-TEKUN alert)",
      [["2016-01-01", 60]]),
    ...series(CITY_CODE, "TEKUN_NO_INCOME_SOURCE_RATIO", "RATIO",
      "National rule where the seeds are silent: 特困人员认定办法 (民发〔2021〕43号) 第七条: own income below the local dibao standard (this multiple of it) counts as no income source",
      [["2016-01-01", 1]]),
    ...series(CITY_CODE, "POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE", "PERSONS",
      `${ILLUSTRATIVE}. Local decision where the seeds are silent: the registry cannot see legally obliged supporters living elsewhere (特困人员认定办法 2021 第八条: children, spouse), so the possible-TEKUN alert is raised only for households of at most this many members (1 = persons living alone), the ones a street office visits first (003 §2: big-data comparison plus door-to-door checks); raise it to widen the alert`,
      [["2016-01-01", 1]]),
  );
  return p;
}

/** Names of the policy parameter keys, for code that reads them. */
export const PARAM = {
  DIBAO_STANDARD_URBAN: "DIBAO_STANDARD_URBAN",
  DIBAO_STANDARD_RURAL: "DIBAO_STANDARD_RURAL",
  MARGINAL_MULTIPLIER: "MARGINAL_MULTIPLIER",
  GRADUAL_EXIT_MONTHS: "GRADUAL_EXIT_MONTHS",
  TEKUN_MINOR_AGE_LIMIT: "TEKUN_MINOR_AGE_LIMIT",
  RIGID_EXPENDITURE_RATIO: "RIGID_EXPENDITURE_RATIO",
  ASSET_LIMIT_DEPOSIT_PER_CAPITA: "ASSET_LIMIT_DEPOSIT_PER_CAPITA",
  REVIEW_MONTHS_STABLE: "REVIEW_MONTHS_STABLE",
  REVIEW_MONTHS_UNSTABLE: "REVIEW_MONTHS_UNSTABLE",
  ONE_TIME_SUBSIDY_URBAN_DIBAO: "ONE_TIME_SUBSIDY_URBAN_DIBAO",
  ONE_TIME_SUBSIDY_RURAL_DIBAO: "ONE_TIME_SUBSIDY_RURAL_DIBAO",
  ONE_TIME_SUBSIDY_TEKUN: "ONE_TIME_SUBSIDY_TEKUN",
  MEDICAL_PREMIUM_SUBSIDY_TEKUN: "MEDICAL_PREMIUM_SUBSIDY_TEKUN",
  MEDICAL_PREMIUM_SUBSIDY_DIBAO: "MEDICAL_PREMIUM_SUBSIDY_DIBAO",
  MEDICAL_PREMIUM_SUBSIDY_MARGINAL: "MEDICAL_PREMIUM_SUBSIDY_MARGINAL",
  MEDICAL_PREMIUM_SUBSIDY_TIER2: "MEDICAL_PREMIUM_SUBSIDY_TIER2",
  MEDICAL_OOP_AID_RATIO_DIBAO_TEKUN: "MEDICAL_OOP_AID_RATIO_DIBAO_TEKUN",
  MEDICAL_OOP_AID_RATIO_MARGINAL: "MEDICAL_OOP_AID_RATIO_MARGINAL",
  PER_CAPITA_DISPOSABLE_INCOME_URBAN: "PER_CAPITA_DISPOSABLE_INCOME_URBAN",
  PER_CAPITA_DISPOSABLE_INCOME_RURAL: "PER_CAPITA_DISPOSABLE_INCOME_RURAL",
  TEKUN_BASIC_LIVING_RATIO: "TEKUN_BASIC_LIVING_RATIO",
  TEKUN_CARE_SUBSIDY_FULL: "TEKUN_CARE_SUBSIDY_FULL",
  TEKUN_CARE_SUBSIDY_PARTIAL: "TEKUN_CARE_SUBSIDY_PARTIAL",
  TEKUN_CARE_SUBSIDY_NONE: "TEKUN_CARE_SUBSIDY_NONE",
  DIBAO_CLASSIFIED_SUPPLEMENT_RATIO: "DIBAO_CLASSIFIED_SUPPLEMENT_RATIO",
  DIBAO_EMPLOYMENT_SUBSIDY_MAX_MONTHS: "DIBAO_EMPLOYMENT_SUBSIDY_MAX_MONTHS",
  MONITORING_RETENTION_YEARS: "MONITORING_RETENTION_YEARS",
  EDUCATION_FREE_TEXTBOOKS_SENIOR: "EDUCATION_FREE_TEXTBOOKS_SENIOR",
  FRESHNESS_MEDICAL_SETTLEMENT_YEARS: "FRESHNESS_MEDICAL_SETTLEMENT_YEARS",
  FRESHNESS_EDUCATION_TERM_MONTHS: "FRESHNESS_EDUCATION_TERM_MONTHS",
  FRESHNESS_DISABILITY_MONTHS: "FRESHNESS_DISABILITY_MONTHS",
  FRESHNESS_EMPLOYMENT_MONTHS: "FRESHNESS_EMPLOYMENT_MONTHS",
  FRESHNESS_HOUSING_MONTHS: "FRESHNESS_HOUSING_MONTHS",
  FRESHNESS_EMPLOYMENT_TRAINING_MONTHS: "FRESHNESS_EMPLOYMENT_TRAINING_MONTHS",
  TEKUN_PRESUMED_UNABLE_TO_WORK_AGE: "TEKUN_PRESUMED_UNABLE_TO_WORK_AGE",
  TEKUN_NO_INCOME_SOURCE_RATIO: "TEKUN_NO_INCOME_SOURCE_RATIO",
  POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE: "POSSIBLE_TEKUN_MAX_HOUSEHOLD_SIZE",
} as const;

/**
 * Looks up policy parameters: the most specific region first (street, then district, then city
 * 500000), the version whose [effectiveFrom, effectiveTo] contains the date.
 */
export class PolicyTable {
  private readonly byKey = new Map<string, SynthPolicyParameter[]>();
  /** per key, per region asked: the candidate rows in the order they are tried (the region, its district, the city) */
  private readonly candidates = new Map<string, Map<string, { from: IsoDate; to: IsoDate | null; value: number }[]>>();

  constructor(params: readonly SynthPolicyParameter[] = policyParameters()) {
    for (const p of params) {
      let list = this.byKey.get(p.key);
      if (!list) this.byKey.set(p.key, (list = []));
      list.push(p);
    }
  }

  value(key: string, date: IsoDate, region: string): number {
    let byRegion = this.candidates.get(key);
    if (!byRegion) {
      if (!this.byKey.has(key)) throw new Error(`unknown policy parameter ${key}`);
      this.candidates.set(key, (byRegion = new Map()));
    }
    let rows = byRegion.get(region);
    if (!rows) {
      const list = this.byKey.get(key)!;
      const regions = [region];
      if (region.length > 6) regions.push(region.slice(0, 6));
      if (region.slice(0, 6) !== CITY_CODE) regions.push(region.slice(0, 2) + "0000");
      rows = [];
      for (const r of regions) for (const p of list) if (p.regionCode === r) rows.push({ from: p.effectiveFrom, to: p.effectiveTo, value: Number(p.value) });
      byRegion.set(region, rows);
    }
    for (const p of rows) if (p.from <= date && (p.to === null || p.to >= date)) return p.value;
    throw new Error(`no policy parameter ${key} for region ${region} on ${date}`);
  }
}

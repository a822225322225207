/**
 * Starts the five department sandboxes (real HTTP servers on loopback) over one synthetic
 * population: generated once (or given), the five data sets derived in one pass over it.
 */
import type { FastifyInstance } from "fastify";
import { generatePopulation } from "../seed/generator.js";
import type { IsoDate, SynthHousehold } from "../seed/model.js";
import { generateDepartmentOnly, type SynthDepartmentOnlyPerson } from "../seed/department-only.js";
import { buildSandbox as buildDisability, createDisabilityDeriver, type DisabilityData } from "./disability.js";
import { buildSandbox as buildEducation, createEducationDeriver, type EducationData } from "./education.js";
import { buildSandbox as buildEmployment, createEmploymentDeriver, type EmploymentData, type EmploymentSandboxOptions } from "./employment.js";
import { buildSandbox as buildHousing, createHousingDeriver, type HousingData } from "./housing.js";
import {
  buildSandbox as buildMedicalInsurance,
  createMedicalInsuranceDeriver,
  defaultMedicalCredentials,
  type MedicalCredentials,
  type MedicalInsuranceData,
  type MedicalSandboxOptions,
} from "./medical-insurance.js";
import type { SandboxOptions } from "./kit/app.js";
import type { DeriveOptions } from "./kit/population.js";
import { SOURCES, type SourceName } from "../../src/domain/records.js";

export type { MedicalCredentials } from "./medical-insurance.js";

export interface SandboxDataSet {
  education: EducationData;
  employment: EmploymentData;
  housing: HousingData;
  medicalInsurance: MedicalInsuranceData;
  disability: DisabilityData;
  /** the department-only persons the data hold (dev/seed/department-only.ts); empty unless asked for */
  departmentOnly: SynthDepartmentOnlyPerson[];
}

/** The one-person stand-in a department-only person's records are derived from (no case, no aid: tier none). */
export function departmentOnlyHousehold(d: SynthDepartmentOnlyPerson): SynthHousehold {
  return {
    id: d.person.id,
    registryNo: "",
    districtCode: d.districtCode,
    streetCode: d.streetCode,
    address: "",
    hukou: "URBAN",
    status: "ACTIVE",
    phone: null,
    contactConsent: false,
    members: [d.person],
    incomes: [],
    assets: [],
    cases: [],
    aid: [],
    departmentOnly: d.knownTo,
  };
}

/**
 * Derives the five departments' data in one pass over the households. With `departmentOnly` (the `persons`
 * the population was generated with), the department-only persons of the population (generated after it,
 * from the registry persons counted in the pass) are added to the four departments that know them; housing
 * holds registry households only.
 */
export function deriveAllSandboxData(households: Iterable<SynthHousehold>, opts: DeriveOptions & { departmentOnly?: { persons?: number } | false }): SandboxDataSet {
  const education = createEducationDeriver(opts);
  const employment = createEmploymentDeriver(opts);
  const housing = createHousingDeriver(opts);
  const medicalInsurance = createMedicalInsuranceDeriver(opts);
  const disability = createDisabilityDeriver(opts);
  let registryPersons = 0;
  for (const h of households) {
    education.add(h);
    employment.add(h);
    housing.add(h);
    medicalInsurance.add(h);
    disability.add(h);
    registryPersons += h.members.length;
  }
  const departmentOnly = opts.departmentOnly ? [...generateDepartmentOnly({ seed: opts.seed, asOf: opts.asOf, persons: opts.departmentOnly.persons }, registryPersons)] : [];
  for (const d of departmentOnly) {
    const h = departmentOnlyHousehold(d);
    education.add(h);
    employment.add(h);
    medicalInsurance.add(h);
    disability.add(h);
  }
  return {
    departmentOnly,
    education: education.finish(),
    employment: employment.finish(),
    housing: housing.finish(),
    medicalInsurance: medicalInsurance.finish(),
    disability: disability.finish(),
  };
}

export interface StartSandboxesOptions {
  seed: number;
  /** the date the data describe (YYYY-MM-DD) */
  asOf: IsoDate;
  /** population size for the generator (default: its default set) */
  persons?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** per sandbox; 0 or absent = an ephemeral port */
  ports?: Partial<Record<SourceName, number>>;
  /** the population to use instead of generating one from (seed, persons, asOf) */
  households?: Iterable<SynthHousehold>;
  /** add the department-only persons (dev/seed/department-only.ts) of the population of (seed, persons, asOf); default: yes for a generated population, no for given `households` */
  departmentOnly?: boolean;
  /** the medical-insurance OAuth client (default: `defaultMedicalCredentials(seed)`) */
  medicalCredentials?: MedicalCredentials;
  /** options for every sandbox (faults at start, logger); the fault PRNG seed defaults to `seed` */
  sandbox?: SandboxOptions;
  employment?: Pick<EmploymentSandboxOptions, "rateLimitPerSecond" | "burst">;
  medicalInsurance?: Pick<MedicalSandboxOptions, "tokenTtlSeconds">;
  /** a simulated day passes every this many seconds in every sandbox (0/absent: only through POST /__sandbox/clock) */
  daySeconds?: number;
}

export interface RunningSandboxes {
  /** base URLs without a trailing slash, e.g. http://127.0.0.1:40123 */
  urls: Record<SourceName, string>;
  medicalCredentials: MedicalCredentials;
  /** the Fastify instances, for tests that want `inject` */
  apps: Record<SourceName, FastifyInstance>;
  /** the derived data the sandboxes started with */
  data: SandboxDataSet;
  /** closes every server (hanging requests are cut) */
  close(): Promise<void>;
}

export async function startSandboxes(opts: StartSandboxesOptions): Promise<RunningSandboxes> {
  const host = opts.host ?? "127.0.0.1";
  const households = opts.households ?? generatePopulation({ seed: opts.seed, asOf: opts.asOf, persons: opts.persons });
  const withDepartmentOnly = opts.departmentOnly ?? opts.households === undefined;
  const data = deriveAllSandboxData(households, { seed: opts.seed, asOf: opts.asOf, departmentOnly: withDepartmentOnly && { persons: opts.persons } });
  const medicalCredentials = opts.medicalCredentials ?? defaultMedicalCredentials(opts.seed);
  const common: SandboxOptions = { faultSeed: opts.seed, ...opts.sandbox, bulk: { clockStart: opts.asOf, seed: opts.seed, ...opts.sandbox?.bulk } };
  const apps: Record<SourceName, FastifyInstance> = {
    education: buildEducation(data.education, common),
    employment: buildEmployment(data.employment, { ...common, ...opts.employment }),
    housing: buildHousing(data.housing, common),
    medicalInsurance: buildMedicalInsurance(data.medicalInsurance, { ...common, ...opts.medicalInsurance, credentials: medicalCredentials }),
    disability: buildDisability(data.disability, common),
  };
  const closeAll = () => Promise.allSettled(SOURCES.map((s) => apps[s].close())).then(() => undefined);
  const urls = {} as Record<SourceName, string>;
  try {
    const listening = await Promise.all(
      SOURCES.map(async (s) => {
        await apps[s].listen({ host, port: opts.ports?.[s] ?? 0 });
        const addr = apps[s].server.address();
        if (addr === null || typeof addr === "string") throw new Error(`sandbox ${s}: no TCP address`);
        return `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`;
      }),
    );
    SOURCES.forEach((s, i) => (urls[s] = listening[i]));
  } catch (err) {
    await closeAll();
    throw err;
  }
  let ticker: NodeJS.Timeout | undefined;
  if (opts.daySeconds && opts.daySeconds > 0) {
    ticker = setInterval(() => {
      for (const s of SOURCES) void apps[s].inject({ method: "POST", url: "/__sandbox/clock", payload: { advanceDays: 1 } }).catch(() => {});
    }, opts.daySeconds * 1000);
    ticker.unref();
  }
  return {
    urls,
    medicalCredentials,
    apps,
    data,
    close: () => {
      clearInterval(ticker);
      return closeAll();
    },
  };
}

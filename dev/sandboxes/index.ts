/**
 * Starts the five department sandboxes (real HTTP servers on loopback) over one synthetic
 * population: generated once (or given), the five data sets derived in one pass over it.
 */
import type { FastifyInstance } from "fastify";
import { generatePopulation } from "../seed/generator.js";
import type { IsoDate, SynthHousehold } from "../seed/model.js";
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
}

/** Derives the five departments' data in one pass over the households. */
export function deriveAllSandboxData(households: Iterable<SynthHousehold>, opts: DeriveOptions): SandboxDataSet {
  const education = createEducationDeriver(opts);
  const employment = createEmploymentDeriver(opts);
  const housing = createHousingDeriver(opts);
  const medicalInsurance = createMedicalInsuranceDeriver(opts);
  const disability = createDisabilityDeriver(opts);
  for (const h of households) {
    education.add(h);
    employment.add(h);
    housing.add(h);
    medicalInsurance.add(h);
    disability.add(h);
  }
  return {
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
  /** the medical-insurance OAuth client (default: `defaultMedicalCredentials(seed)`) */
  medicalCredentials?: MedicalCredentials;
  /** options for every sandbox (faults at start, logger); the fault PRNG seed defaults to `seed` */
  sandbox?: SandboxOptions;
  employment?: Pick<EmploymentSandboxOptions, "rateLimitPerSecond" | "burst">;
  medicalInsurance?: Pick<MedicalSandboxOptions, "tokenTtlSeconds">;
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
  const data = deriveAllSandboxData(households, { seed: opts.seed, asOf: opts.asOf });
  const medicalCredentials = opts.medicalCredentials ?? defaultMedicalCredentials(opts.seed);
  const common: SandboxOptions = { faultSeed: opts.seed, ...opts.sandbox };
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
  return { urls, medicalCredentials, apps, data, close: closeAll };
}

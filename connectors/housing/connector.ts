import { bulkhead } from "cockatiel";
import { z } from "zod";
import type { HousingBenefit, HousingRecord } from "../../src/domain/records.js";
import { type BatchResult, type Connector, type ConnectorDeps, parseEnvelope, probeHealth } from "../kit/connector.js";
import { isStale, wire } from "../kit/convert.js";
import { UpstreamError, badResponseError } from "../kit/errors.js";
import { joinUrl } from "../kit/http.js";

/**
 * housing (住建): GET /housing/v1/households/{registryNo}/benefits?page=&pageSize=, keyed by household
 * registry number, paginated; 404 = a household the system does not know (WIRE.md). The connector
 * fetches page 1, then all remaining pages in parallel (bounded), and merges them.
 */

export const HOUSING_MAX_PAGE_SIZE = 50;
/** a household with more pages than this is treated as a bad answer (protects against a runaway totalPages) */
export const HOUSING_MAX_PAGES = 200;

export const benefitSchema = z.object({
  benefitType: z.enum(["PUBLIC_RENTAL", "RENTAL_SUBSIDY", "DILAPIDATED_RENOVATION"]),
  state: z.enum(["ACTIVE", "ENDED", "APPLIED"]),
  monthlyRentFen: wire.fen().nullable(),
  monthlySubsidyFen: wire.fen().nullable(),
  grantFen: wire.fen().nullable(),
  startDate: wire.date(),
  endDate: wire.date().nullable(),
  modified: wire.dateTime(),
});
export type BenefitWire = z.output<typeof benefitSchema>;

export const benefitsPageSchema = z.object({
  registryNo: z.string(),
  page: z.number().int().min(1),
  pageSize: z.number().int().min(1),
  totalPages: z.number().int().min(0).max(HOUSING_MAX_PAGES),
  items: z.array(benefitSchema),
});
export type BenefitsPageWire = z.output<typeof benefitsPageSchema>;

export function mapBenefit(b: BenefitWire): HousingBenefit {
  return {
    type: b.benefitType,
    status: b.state,
    monthlyRentFen: b.monthlyRentFen,
    monthlySubsidyFen: b.monthlySubsidyFen,
    grantFen: b.grantFen,
    startDate: b.startDate,
    endDate: b.endDate,
  };
}

/**
 * Merge a household's pages. `asOf` is the latest `modified` of its benefits; a household the system
 * knows but with no benefits has no upstream timestamp, so `asOf` is the fetch time (and not stale).
 */
export function mapHousehold(registryNo: string, pages: BenefitsPageWire[], now: Date, staleAfterDays: number): HousingRecord {
  const items = pages.flatMap((p) => p.items);
  const asOf = items.length ? new Date(Math.max(...items.map((b) => b.modified.getTime()))) : now;
  return {
    source: "housing",
    asOf,
    stale: isStale(asOf, now, staleAfterDays),
    registryNo,
    benefits: items.map(mapBenefit),
  };
}

export interface HousingConfig {
  baseUrl: string;
  maxConcurrency: number;
  timeoutMs: number;
  staleAfterDays: number;
  /** items per page asked for (1–50) */
  pageSize: number;
  /** pages of ONE household fetched at once (the source's maxConcurrency bounds all requests anyway) */
  pageConcurrency: number;
}

export function createHousingConnector(cfg: HousingConfig, deps: ConnectorDeps): Connector<HousingRecord> {
  const pageSize = Math.max(1, Math.min(HOUSING_MAX_PAGE_SIZE, cfg.pageSize));

  async function fetchPage(registryNo: string, page: number, signal: AbortSignal): Promise<BenefitsPageWire | null> {
    const url = joinUrl(cfg.baseUrl, `/housing/v1/households/${encodeURIComponent(registryNo)}/benefits?page=${page}&pageSize=${pageSize}`);
    const res = await deps.http.getJson(url, { signal, okStatuses: [200, 404] });
    if (res.status === 404) return null;
    const body = parseEnvelope("housing", benefitsPageSchema, res.body, url);
    if (body.registryNo !== registryNo) throw badResponseError("housing", { url, reason: "page is for another household" });
    if (body.page !== page) throw badResponseError("housing", { url, reason: `asked page ${page}, got page ${body.page}` });
    return body;
  }

  async function loadHousehold(registryNo: string, signal: AbortSignal): Promise<HousingRecord | null | UpstreamError> {
    const first = await fetchPage(registryNo, 1, signal);
    if (!first) return null;
    const pages = [first];
    if (first.totalPages > 1) {
      const limit = bulkhead(Math.max(1, cfg.pageConcurrency), Number.POSITIVE_INFINITY);
      const rest = await Promise.all(
        Array.from({ length: first.totalPages - 1 }, (_, i) => limit.execute(() => fetchPage(registryNo, i + 2, signal), signal)),
      );
      for (const p of rest) {
        // the household vanished between pages, or the page count changed under us: not a consistent answer
        if (!p) throw badResponseError("housing", { reason: "household disappeared while paging" });
        if (p.totalPages !== first.totalPages) throw badResponseError("housing", { reason: "totalPages changed while paging" });
        pages.push(p);
      }
    }
    return mapHousehold(registryNo, pages, deps.now(), cfg.staleAfterDays);
  }

  return {
    name: "housing",
    department: "housing and urban-rural development (住建)",
    batchSize: 1,
    maxConcurrency: cfg.maxConcurrency,
    async loadBatch(keys: string[], signal: AbortSignal): Promise<BatchResult<HousingRecord>> {
      const values = await Promise.all(keys.map((k) => loadHousehold(k, signal)));
      return new Map(keys.map((k, i) => [k, values[i]]));
    },
    health: () => probeHealth(deps.http, joinUrl(cfg.baseUrl, "/health"), cfg.timeoutMs),
  };
}

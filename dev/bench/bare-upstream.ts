/**
 * The live rows' baseline: what the department systems themselves take to answer one household's calls, measured
 * without the gateway. A plain client (undici, keep-alive, one connection pool per system) sends the same calls the
 * gateway sends for the household — education and medical insurance by ID numbers, disability by ID numbers,
 * employment per person, housing by registry number — all at once, and waits for every answer; one iteration after
 * another, for the bench's duration. The time until the last answer is "the slowest upstream" as a client on this
 * machine sees it: the sandboxes' configured latency plus their own processing and the machine's scheduling (the
 * five systems share one process and the two cores with the gateway and the load generator). A gateway cannot
 * answer sooner; what it adds on top is its own cost.
 *
 * The medical-insurance token is fetched once beforehand, as the gateway caches its own.
 */
import { Agent, request } from "undici";

export interface BareHousehold {
  registryNo: string;
  idNumbers: string[];
}

export interface BareSystems {
  urls: Record<"education" | "employment" | "housing" | "medicalInsurance" | "disability", string>;
  medicalCredentials: { clientId: string; clientSecret: string };
}

export interface BareResult {
  iterations: number;
  /** time until every call of an iteration answered (ms) */
  p50: number;
  p99: number;
  mean: number;
}

/** The value at quantile `q` of ascending `sorted` (the nearest rank below). */
export function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))];
}

export async function measureBareUpstream(sb: BareSystems, household: BareHousehold, opts: { warmupS: number; durationS: number }): Promise<BareResult> {
  const agent = new Agent({ keepAliveTimeout: 4_000 });
  try {
    const call = async (method: "GET" | "POST", url: string, body?: string, headers: Record<string, string> = {}) => {
      const res = await request(url, {
        method,
        dispatcher: agent,
        headers: { accept: "application/json", ...(body !== undefined && { "content-type": "application/json" }), ...headers },
        body,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200 && res.statusCode !== 404) throw new Error(`${method} ${url}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
      return text;
    };
    const tokenRes = await request(`${sb.urls.medicalInsurance}/oauth/token`, {
      method: "POST",
      dispatcher: agent,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: sb.medicalCredentials.clientId, client_secret: sb.medicalCredentials.clientSecret }).toString(),
    });
    const token = ((await tokenRes.body.json()) as { access_token: string }).access_token;
    const ids = household.idNumbers;
    const once = () =>
      Promise.all([
        call("POST", `${sb.urls.education}/api/v1/students/search`, JSON.stringify({ idNumbers: ids })),
        ...ids.map((id) => call("GET", `${sb.urls.employment}/api/persons/${encodeURIComponent(id)}/employment`)),
        call("GET", `${sb.urls.housing}/housing/v1/households/${encodeURIComponent(household.registryNo)}/benefits?page=1&pageSize=50`),
        call("POST", `${sb.urls.medicalInsurance}/api/v2/insured/query`, JSON.stringify({ id_numbers: ids }), { authorization: `Bearer ${token}` }),
        call("GET", `${sb.urls.disability}/cdpf/api/certificates?ids=${ids.map(encodeURIComponent).join(",")}`),
      ]);
    const run = async (seconds: number) => {
      const times: number[] = [];
      const end = performance.now() + seconds * 1000;
      while (performance.now() < end) {
        const t0 = performance.now();
        await once();
        times.push(performance.now() - t0);
      }
      return times;
    };
    await run(opts.warmupS);
    const times = (await run(opts.durationS)).sort((a, b) => a - b);
    return {
      iterations: times.length,
      p50: percentile(times, 0.5),
      p99: percentile(times, 0.99),
      mean: times.reduce((a, b) => a + b, 0) / times.length,
    };
  } finally {
    await agent.close();
  }
}

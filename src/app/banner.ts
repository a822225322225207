/**
 * What `npm start` prints once the gateway listens: one screen. The development tokens go to a file
 * under the data directory (mode 0600, one `TOKEN_<AUDIENCE>=…` line each, so a shell can `source` it);
 * the banner shows one civil-affairs token inside a curl command that can be pasted as it is.
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface BannerInfo {
  url: string;
  seconds: number;
  database: string;
  explorer: boolean;
  /** several processes serving the port (GATEWAY_PROCESSES > 1): their count and pids */
  processes?: { count: number; pids: number[] } | null;
  sandboxes?: Record<string, string> | null;
  dataset?: { seed: number; asOf: string } | null;
  /** the file the development tokens were written to, and the civil-affairs one */
  tokens?: { file: string; civilAffairs: string } | null;
}

/** The first query of the banner's curl: the first page of households, as civil affairs sees them. */
export const FIRST_QUERY = "{ households(first: 3) { totalCount edges { node { registryNo address members { name relation age } } } } }";

export function tokenVariable(audience: string): string {
  return `TOKEN_${audience.toUpperCase()}`;
}

/** Writes the tokens (mode 0600: they open personal data) and returns the file's text. */
export function writeTokenFile(file: string, tokens: { audience: string; token: string }[], minted: Date, ttl: string): string {
  const text = [
    `# Development tokens minted by npm start at ${minted.toISOString()}, valid ${ttl}. Use: source ${file}`,
    ...tokens.map((t) => `${tokenVariable(t.audience)}=${t.token}`),
    "",
  ].join("\n");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
  return text;
}

export function startBanner(info: BannerInfo): string {
  const { url } = info;
  const lines = [
    "",
    `safetynet-gateway ready in ${info.seconds.toFixed(1)} s`,
    `  GraphQL    ${url}/graphql   (database: ${info.database})`,
    ...(info.processes ? [`  processes  ${info.processes.count} sharing the port (pids ${info.processes.pids.join(", ")}); /metrics and /readyz answer for one`] : []),
    `  health     ${url}/healthz   ready: ${url}/readyz   metrics: ${url}/metrics`,
    ...(info.explorer ? [`  explorer   ${url}/   (GraphiQL: put a token in its Headers tab)`] : []),
    ...(info.sandboxes ? [`  sandboxes  ${Object.keys(info.sandboxes).join(", ")} (built-in, on loopback ports)`] : []),
    ...(info.dataset ? [`  data set   seed ${info.dataset.seed}, as of ${info.dataset.asOf}`] : []),
  ];
  if (info.tokens) {
    const variable = tokenVariable("civil_affairs");
    lines.push(
      "",
      `Development tokens (one per audience): ${info.tokens.file}`,
      `  more: npm run -s token -- --audience <name> [--district 500103] ...`,
      "",
      "Try (civil affairs, whole city):",
      `${variable}=${info.tokens.civilAffairs}`,
      `curl -s ${url}/graphql -H "authorization: Bearer $${variable}" -H 'content-type: application/json' \\`,
      `  -d '${JSON.stringify({ query: FIRST_QUERY })}'`,
    );
  }
  lines.push("");
  return lines.join("\n");
}

/**
 * Audience views of the stored alerts. A stored alert list must show each audience exactly what its own
 * per-household evaluation shows (non-interference, src/policy/noninterference.ts: computed over the
 * records it may read, cut to the alerts whose evidence it may read, src/registry/monitoring.ts). Audiences
 * that withhold the same sources and read the same evidence get the same alerts, so a run computes one
 * view per such group (the registry keepers share one; each department has its own) and stores the
 * alerts once per view. Pure; derived from the field policy, so a policy change changes the views.
 */
import { AUDIENCES, type Audience } from "../../policy/audiences.js";
import { mayRead } from "../../policy/disclosure.js";
import { withheldSources } from "../../policy/noninterference.js";
import { audienceVisibility } from "../aid-chain/monitoring.js";
import type { FactSource } from "../../domain/facts.js";

const PROBES: [FactSource | "policy", string][] = [
  ["registry", "case.x"],
  ["registry", "income.x"],
  ["registry", "payment.x"],
  ["policy", ""],
  ["education", ""],
  ["employment", ""],
  ["medicalInsurance", ""],
  ["housing", ""],
  ["disability", ""],
  ["caseworker", ""],
  ["charity", ""],
];

function signature(a: Audience): string {
  const v = audienceVisibility(a);
  return `${withheldSources(a).join(",")}|${PROBES.map(([s, n]) => (v.readable(s, n) ? "1" : "0")).join("")}`;
}

export interface AlertView {
  /** the view's name: its first audience */
  name: Audience;
  /** the audiences it serves */
  audiences: Audience[];
}

/** The views of the audiences that may read Query.alerts, in AUDIENCES order. */
export function alertViews(): AlertView[] {
  const groups = new Map<string, AlertView>();
  for (const a of AUDIENCES) {
    if (!mayRead(a, "Query.alerts")) continue;
    const sig = signature(a);
    const g = groups.get(sig);
    if (g) g.audiences.push(a);
    else groups.set(sig, { name: a, audiences: [a] });
  }
  return [...groups.values()];
}

/** The view an audience reads (null: it may not read alerts). FIELD_POLICY=off reads the first (the registry keepers'). */
export function viewOf(audience: Audience | null): Audience | null {
  const views = alertViews();
  if (audience === null) return views[0]?.name ?? null;
  return views.find((v) => v.audiences.includes(audience))?.name ?? null;
}

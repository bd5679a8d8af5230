import { COMPONENT_STATUSES, IMPACTS, type ComponentStatus, type Impact } from "@/db/schema";

/**
 * Derived status, in one place. A cell is one component in one region; its status is the worst
 * of the unresolved incidents and the running maintenances that touch it.
 */

const RANK = new Map<ComponentStatus, number>(COMPONENT_STATUSES.map((s, i) => [s, i]));

export function worstStatus(statuses: Iterable<ComponentStatus>): ComponentStatus {
  let worst: ComponentStatus = "operational";
  for (const s of statuses) if (RANK.get(s)! > RANK.get(worst)!) worst = s;
  return worst;
}

export function isWorse(a: ComponentStatus, b: ComponentStatus): boolean {
  return RANK.get(a)! > RANK.get(b)!;
}

export const cellKey = (componentId: string, regionId: string) => `${componentId}:${regionId}`;

export interface ActiveIncidentCells {
  impact: Impact;
  cells: { componentId: string; regionId: string; status: ComponentStatus }[];
}
export interface ActiveMaintenanceCells {
  cells: { componentId: string; regionId: string }[];
}

/** Status per cell key; cells not in the map are operational. */
export function deriveCellStatuses(
  incidents: readonly ActiveIncidentCells[],
  maintenances: readonly ActiveMaintenanceCells[],
): Map<string, ComponentStatus> {
  const out = new Map<string, ComponentStatus>();
  const bump = (key: string, s: ComponentStatus) => {
    const cur = out.get(key);
    if (!cur || isWorse(s, cur)) out.set(key, s);
  };
  for (const i of incidents)
    for (const c of i.cells) bump(cellKey(c.componentId, c.regionId), c.status);
  for (const m of maintenances)
    for (const c of m.cells) bump(cellKey(c.componentId, c.regionId), "under_maintenance");
  for (const [k, v] of out) if (v === "operational") out.delete(k);
  return out;
}

/** A component's status is the worst over its regions. */
export function componentStatusOf(
  cellStatuses: ReadonlyMap<string, ComponentStatus>,
  componentId: string,
  regionIds: readonly string[],
): ComponentStatus {
  return worstStatus(
    regionIds.map((r) => cellStatuses.get(cellKey(componentId, r)) ?? "operational"),
  );
}

export type Indicator = Impact | "maintenance";

/** Statuspage's own wording for each indicator. */
export const INDICATOR_DESCRIPTIONS: Record<Indicator, string> = {
  none: "All Systems Operational",
  minor: "Minor Service Outage",
  major: "Partial System Outage",
  critical: "Major System Outage",
  maintenance: "Service Under Maintenance",
};

const IMPACT_RANK = new Map<Impact, number>(IMPACTS.map((s, i) => [s, i]));
const maxImpact = (a: Impact, b: Impact): Impact =>
  IMPACT_RANK.get(b)! > IMPACT_RANK.get(a)! ? b : a;

/**
 * The overall indicator, as Statuspage computes it: the worst of the unresolved incidents'
 * impact and what the components show (any major outage → major; every component in major
 * outage → critical; any partial outage or degraded performance → minor). With nothing wrong but
 * a maintenance running, "maintenance".
 */
export function overallIndicator(
  componentStatuses: readonly ComponentStatus[],
  unresolvedImpacts: readonly Impact[],
): { indicator: Indicator; description: string } {
  let impact: Impact = "none";
  for (const i of unresolvedImpacts) impact = maxImpact(impact, i);
  const n = componentStatuses.length;
  const major = componentStatuses.filter((s) => s === "major_outage").length;
  if (n > 0 && major === n) impact = maxImpact(impact, "critical");
  else if (major > 0) impact = maxImpact(impact, "major");
  else if (componentStatuses.some((s) => s === "partial_outage" || s === "degraded_performance")) {
    impact = maxImpact(impact, "minor");
  }
  if (impact === "none" && componentStatuses.includes("under_maintenance")) {
    return { indicator: "maintenance", description: INDICATOR_DESCRIPTIONS.maintenance };
  }
  return { indicator: impact, description: INDICATOR_DESCRIPTIONS[impact] };
}

export const STATUS_LABELS: Record<ComponentStatus, string> = {
  operational: "Operational",
  under_maintenance: "Under maintenance",
  degraded_performance: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
};

/**
 * A component's status as its label reads, saying where when it is not everywhere: "Major outage
 * in Mumbai" when only its Mumbai cell is down, "Major outage in Mumbai and Delhi", "Major outage
 * in 4 regions" beyond three; plain "Major outage" when every region it runs in has it.
 */
export function componentStatusText(
  status: ComponentStatus,
  cells: readonly { regionId: string; status: ComponentStatus }[],
  regionName: (regionId: string) => string | undefined,
): string {
  const label = STATUS_LABELS[status];
  if (status === "operational") return label;
  const at = cells.filter((c) => c.status === status);
  if (at.length === 0 || at.length === cells.length) return label;
  if (at.length > 3) return `${label} in ${at.length} regions`;
  const names = at.map((c) => regionName(c.regionId) ?? "an unnamed region");
  return `${label} in ${new Intl.ListFormat("en", { type: "conjunction" }).format(names)}`;
}

import type { ComponentStatus } from "@/db/schema";
import type { ComponentView, IncidentView, MaintenanceView, StatusView } from "./read";

/**
 * Builders for the Atlassian Statuspage v2 public JSON shapes (`/api/v2/*.json`), so existing
 * aggregators and widgets read Beacon unchanged. Field names and enums are Statuspage's; Beacon's
 * regions are added as extra fields (`regions` on a component, `region` on an affected component,
 * `affected_cells` on an incident), which clients of the original format ignore.
 */

export interface SpPage {
  id: string;
  name: string;
  url: string;
  time_zone: string;
  updated_at: string;
}

export interface SpComponent {
  id: string;
  name: string;
  status: ComponentStatus;
  created_at: string;
  updated_at: string;
  position: number;
  description: string | null;
  showcase: boolean;
  start_date: string | null;
  group_id: string | null;
  page_id: string;
  group: boolean;
  only_show_if_degraded: boolean;
  components?: string[];
  regions?: { id: string; code: string; name: string; status: ComponentStatus }[];
}

export interface SpAffectedComponent {
  code: string;
  name: string;
  old_status: ComponentStatus;
  new_status: ComponentStatus;
  region?: { id: string; code: string; name: string };
}

export interface SpIncidentUpdate {
  id: string;
  status: string;
  body: string;
  incident_id: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  affected_components: SpAffectedComponent[] | null;
  deliver_notifications: boolean;
  custom_tweet: null;
  tweet_id: null;
}

export interface SpIncident {
  id: string;
  name: string;
  status: string;
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  impact: string;
  shortlink: string;
  started_at: string;
  page_id: string;
  incident_updates: SpIncidentUpdate[];
  components: SpComponent[];
  postmortem_body?: string | null;
  postmortem_published_at?: string | null;
  affected_cells?: {
    component_id: string;
    region_id: string;
    region_code: string;
    status: ComponentStatus;
  }[];
  scheduled_for?: string;
  scheduled_until?: string;
}

export interface Catalog {
  view: StatusView;
  baseUrl: string;
}

export function spPage({ view, baseUrl }: Catalog): SpPage {
  return {
    id: view.page.id,
    name: view.page.name,
    url: baseUrl,
    // Statuspage spells UTC "Etc/UTC"; other zones are the page's default time zone setting.
    time_zone: view.page.timeZone === "UTC" ? "Etc/UTC" : view.page.timeZone,
    updated_at: view.page.updatedAt,
  };
}

function spComponent(c: ComponentView, { view }: Catalog): SpComponent {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: c.createdAt,
    updated_at: view.page.updatedAt,
    position: c.position + 1,
    description: c.description || null,
    showcase: c.showcase,
    start_date: c.createdAt.slice(0, 10),
    group_id: c.groupId,
    page_id: view.page.id,
    group: false,
    only_show_if_degraded: c.onlyShowIfDegraded,
    regions: c.cells.map((cell) => {
      const r = view.regions.find((x) => x.id === cell.regionId)!;
      return { id: r.id, code: r.code, name: r.name, status: cell.status };
    }),
  };
}

/** Groups appear in the list as components with `group: true` and their members' ids, as Statuspage does. */
export function spComponents(cat: Catalog): SpComponent[] {
  const { view } = cat;
  const out: SpComponent[] = [];
  for (const g of view.groups) {
    out.push({
      id: g.id,
      name: g.name,
      status: g.status,
      created_at: g.createdAt,
      updated_at: view.page.updatedAt,
      position: g.position + 1,
      description: null,
      showcase: false,
      start_date: null,
      group_id: null,
      page_id: view.page.id,
      group: true,
      only_show_if_degraded: false,
      components: g.componentIds,
    });
  }
  for (const c of view.components) out.push(spComponent(c, cat));
  return out;
}

function affected(
  cat: Catalog,
  cells: IncidentView["updates"][number]["cells"],
): SpAffectedComponent[] | null {
  if (cells.length === 0) return null;
  return cells.map((c) => {
    // Names from everything the page has had: an archived component still names its history.
    const comp = cat.view.names.components.find((x) => x.id === c.componentId);
    const r = cat.view.names.regions.find((x) => x.id === c.regionId);
    return {
      code: c.componentId,
      name: comp ? (r ? `${comp.name} (${r.name})` : comp.name) : "Removed component",
      old_status: c.before ?? "operational",
      new_status: c.after,
      ...(r ? { region: { id: r.id, code: r.code, name: r.name } } : {}),
    };
  });
}

function affectedComponents(cat: Catalog, componentIds: Iterable<string>): SpComponent[] {
  const ids = new Set(componentIds);
  return cat.view.components.filter((c) => ids.has(c.id)).map((c) => spComponent(c, cat));
}

export function spIncident(i: IncidentView, cat: Catalog): SpIncident {
  return {
    id: i.id,
    name: i.title,
    status: i.status,
    created_at: i.createdAt,
    updated_at: i.updatedAt,
    monitoring_at: i.monitoringAt,
    resolved_at: i.resolvedAt,
    impact: i.impact,
    shortlink: new URL(`/incidents/${i.id}`, cat.baseUrl).toString(),
    started_at: i.startedAt,
    page_id: cat.view.page.id,
    incident_updates: i.updates.map((u) => ({
      id: u.id,
      status: u.status,
      body: u.message,
      incident_id: i.id,
      created_at: u.createdAt,
      // A corrected message: Statuspage's updated_at is when the update was last edited.
      updated_at: u.editedAt ?? u.createdAt,
      display_at: u.createdAt,
      affected_components: affected(cat, u.cells),
      deliver_notifications: u.notify,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: affectedComponents(
      cat,
      i.cells.map((c) => c.componentId),
    ),
    postmortem_body: i.postmortemHtml ? i.postmortemHtml : null,
    postmortem_published_at: i.postmortemPublishedAt,
    affected_cells: i.cells.map((c) => ({
      component_id: c.componentId,
      region_id: c.regionId,
      region_code: cat.view.names.regions.find((r) => r.id === c.regionId)?.code ?? "",
      status: c.status,
    })),
  };
}

export function spMaintenance(m: MaintenanceView, cat: Catalog): SpIncident {
  return {
    id: m.id,
    name: m.title,
    status: m.status,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
    monitoring_at: null,
    resolved_at: m.completedAt,
    impact: "maintenance",
    shortlink: new URL(`/maintenances/${m.id}`, cat.baseUrl).toString(),
    started_at: m.startedAt ?? m.scheduledFor,
    page_id: cat.view.page.id,
    incident_updates: m.updates.map((u) => ({
      id: u.id,
      status: u.status,
      body: u.message,
      incident_id: m.id,
      created_at: u.createdAt,
      updated_at: u.createdAt,
      display_at: u.createdAt,
      affected_components: null,
      deliver_notifications: u.notify,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: affectedComponents(
      cat,
      m.cells.map((c) => c.componentId),
    ),
    scheduled_for: m.scheduledFor,
    scheduled_until: m.scheduledUntil,
    affected_cells: m.cells.map((c) => ({
      component_id: c.componentId,
      region_id: c.regionId,
      region_code: cat.view.names.regions.find((r) => r.id === c.regionId)?.code ?? "",
      status: "under_maintenance" as const,
    })),
  };
}

export const spStatus = (cat: Catalog) => ({ page: spPage(cat), status: cat.view.indicator });

export function spSummary(cat: Catalog) {
  return {
    page: spPage(cat),
    components: spComponents(cat),
    incidents: cat.view.incidents.map((i) => spIncident(i, cat)),
    scheduled_maintenances: cat.view.maintenances.map((m) => spMaintenance(m, cat)),
    status: cat.view.indicator,
  };
}

import { and, asc, desc, eq, gte, inArray, isNull, lt, ne, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import {
  cellStatusIntervals,
  componentGroups,
  componentRegions,
  components,
  incidentCells,
  incidents,
  incidentUpdateCells,
  incidentUpdates,
  maintenanceCells,
  maintenances,
  maintenanceUpdates,
  organizations,
  PLATFORM_SLUG,
  regions,
  type ComponentStatus,
  type IncidentCategory,
  type IncidentStatus,
  type Impact,
  type MaintenanceStatus,
} from "@/db/schema";
import { NotFoundError } from "@/lib/errors";
import { loadPageSettings, type PageSettingsView } from "./page-settings";
import { isUuid } from "@/lib/ids";
import {
  cellKey,
  componentStatusOf,
  deriveCellStatuses,
  overallIndicator,
  worstStatus,
  type Indicator,
} from "./derive";
import {
  cellDailyUptime,
  combineRegions,
  totalUptime,
  UPTIME_DAYS,
  type DayUptime,
  type Span,
} from "./uptime";

/**
 * The read model behind every public surface. Everything here is plain JSON (ISO strings, no
 * Dates) so it can be cached, snapshotted and rendered anywhere.
 *
 * `viewerOrgId` is the signed-in tenant whose tenant-only incidents may be shown; null for the
 * anonymous public (the page for visitors, /api/v2, feeds, badge), which never sees them.
 */
export interface Viewer {
  viewerOrgId: string | null;
  /** Platform on-call staff (the page owner's members): every incident, whatever its audience. */
  staff?: boolean;
}

export interface RegionView {
  id: string;
  code: string;
  name: string;
}
export interface CellView {
  regionId: string;
  status: ComponentStatus;
  uptime90: number | null;
  days: DayUptime[];
}
export interface ComponentView {
  id: string;
  name: string;
  description: string;
  groupId: string | null;
  position: number;
  /** Listed with its uptime bars (Statuspage's `showcase`). */
  showcase: boolean;
  /** Left off the page while operational (Statuspage's `only_show_if_degraded`). */
  onlyShowIfDegraded: boolean;
  createdAt: string;
  status: ComponentStatus;
  uptime90: number | null;
  days: DayUptime[];
  /** The real cells: the live regions it runs in, in the regions' order. */
  cells: CellView[];
}
export interface GroupView {
  id: string;
  name: string;
  position: number;
  createdAt: string;
  componentIds: string[];
  status: ComponentStatus;
}
export interface UpdateView {
  id: string;
  kind: "update" | "reopen";
  status: IncidentStatus;
  message: string;
  messageHtml: string;
  /** Whether this update was sent to subscribers (the "Notify" choice, API `notify`). */
  notify: boolean;
  createdAt: string;
  /** When the message was last corrected; null: as first posted. */
  editedAt: string | null;
  cells: {
    componentId: string;
    regionId: string;
    before: ComponentStatus | null;
    after: ComponentStatus;
  }[];
}
export interface IncidentView {
  id: string;
  title: string;
  status: IncidentStatus;
  impact: Impact;
  category: IncidentCategory;
  /** true when only the viewer's organization can see it. */
  tenantOnly: boolean;
  audienceOrgId: string | null;
  startedAt: string;
  createdAt: string;
  updatedAt: string;
  monitoringAt: string | null;
  resolvedAt: string | null;
  /** Markdown source of the published postmortem (its HTML is postmortemHtml). */
  postmortem: string | null;
  postmortemHtml: string | null;
  postmortemPublishedAt: string | null;
  cells: { componentId: string; regionId: string; status: ComponentStatus }[];
  updates: UpdateView[];
}
export interface MaintenanceUpdateView {
  id: string;
  status: MaintenanceStatus;
  message: string;
  messageHtml: string;
  /** Whether this update was sent to subscribers (the "Notify" choice, API `notify`). */
  notify: boolean;
  createdAt: string;
}
export interface MaintenanceView {
  id: string;
  title: string;
  status: MaintenanceStatus;
  tenantOnly: boolean;
  audienceOrgId: string | null;
  scheduledFor: string;
  scheduledUntil: string;
  startedAt: string | null;
  completedAt: string | null;
  /** Set when it was called off before it started (its status is then completed). */
  cancelledAt: string | null;
  /** Starts and completes on its own at its times. */
  automatic: boolean;
  /** Reminders, in minutes before the start. */
  reminderMinutes: number[];
  createdAt: string;
  updatedAt: string;
  cells: { componentId: string; regionId: string }[];
  updates: MaintenanceUpdateView[];
}
/** The page itself: its owner's id, its name and its settings (page-settings.ts). */
export interface PageView extends Omit<PageSettingsView, "name"> {
  id: string;
  name: string;
  updatedAt: string;
}
/**
 * The name of every component and region the page has had, archived ones included, for incidents
 * and maintenance that name them (history outlives the catalogue).
 */
export interface CatalogNames {
  components: { id: string; name: string }[];
  regions: RegionView[];
}
export interface StatusView {
  generatedAt: string;
  page: PageView;
  /** The live regions, in order. */
  regions: RegionView[];
  names: CatalogNames;
  groups: GroupView[];
  components: ComponentView[];
  indicator: { indicator: Indicator; description: string };
  /** Unresolved incidents, newest first. */
  incidents: IncidentView[];
  /** Running and upcoming maintenance, soonest first. */
  maintenances: MaintenanceView[];
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function loadPageOrg(db: Db) {
  const [org] = await db.select().from(organizations).where(eq(organizations.slug, PLATFORM_SLUG));
  if (!org) throw new NotFoundError("Status page");
  return org;
}

function incidentVisibility(orgId: string, viewer: Viewer): SQL {
  if (viewer.staff) return eq(incidents.orgId, orgId);
  return and(
    eq(incidents.orgId, orgId),
    viewer.viewerOrgId
      ? or(isNull(incidents.audienceOrgId), eq(incidents.audienceOrgId, viewer.viewerOrgId))
      : isNull(incidents.audienceOrgId),
  )!;
}
function maintenanceVisibility(orgId: string, viewer: Viewer): SQL {
  if (viewer.staff) return eq(maintenances.orgId, orgId);
  return and(
    eq(maintenances.orgId, orgId),
    viewer.viewerOrgId
      ? or(isNull(maintenances.audienceOrgId), eq(maintenances.audienceOrgId, viewer.viewerOrgId))
      : isNull(maintenances.audienceOrgId),
  )!;
}

/** Fills in updates and cells for incident rows (two queries, whatever the count). */
async function hydrateIncidents(
  db: Db,
  rows: (typeof incidents.$inferSelect)[],
): Promise<IncidentView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [cells, updates] = await Promise.all([
    db.select().from(incidentCells).where(inArray(incidentCells.incidentId, ids)),
    db
      .select()
      .from(incidentUpdates)
      .where(inArray(incidentUpdates.incidentId, ids))
      .orderBy(desc(incidentUpdates.createdAt)),
  ]);
  const updateCells = updates.length
    ? await db
        .select()
        .from(incidentUpdateCells)
        .where(
          inArray(
            incidentUpdateCells.updateId,
            updates.map((u) => u.id),
          ),
        )
    : [];
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    status: r.status,
    impact: r.impact,
    category: r.category,
    tenantOnly: r.audienceOrgId !== null,
    audienceOrgId: r.audienceOrgId,
    startedAt: r.startedAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    monitoringAt: iso(r.monitoringAt),
    resolvedAt: iso(r.resolvedAt),
    postmortem: r.postmortem,
    postmortemHtml: r.postmortemHtml,
    postmortemPublishedAt: iso(r.postmortemPublishedAt),
    cells: cells
      .filter((c) => c.incidentId === r.id)
      .map((c) => ({ componentId: c.componentId, regionId: c.regionId, status: c.status })),
    updates: updates
      .filter((u) => u.incidentId === r.id)
      .map((u) => ({
        id: u.id,
        kind: u.kind,
        status: u.status,
        message: u.message,
        messageHtml: u.messageHtml,
        notify: u.notify,
        createdAt: u.createdAt.toISOString(),
        editedAt: iso(u.editedAt),
        cells: updateCells
          .filter((c) => c.updateId === u.id)
          .map((c) => ({
            componentId: c.componentId,
            regionId: c.regionId,
            before: c.before,
            after: c.after,
          })),
      })),
  }));
}

async function hydrateMaintenances(
  db: Db,
  rows: (typeof maintenances.$inferSelect)[],
): Promise<MaintenanceView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [cells, updates] = await Promise.all([
    db.select().from(maintenanceCells).where(inArray(maintenanceCells.maintenanceId, ids)),
    db
      .select()
      .from(maintenanceUpdates)
      .where(inArray(maintenanceUpdates.maintenanceId, ids))
      .orderBy(desc(maintenanceUpdates.createdAt)),
  ]);
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    status: r.status,
    tenantOnly: r.audienceOrgId !== null,
    audienceOrgId: r.audienceOrgId,
    scheduledFor: r.scheduledFor.toISOString(),
    scheduledUntil: r.scheduledUntil.toISOString(),
    startedAt: iso(r.startedAt),
    completedAt: iso(r.completedAt),
    cancelledAt: iso(r.cancelledAt),
    automatic: r.automatic,
    reminderMinutes: r.reminderMinutes,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    cells: cells
      .filter((c) => c.maintenanceId === r.id)
      .map((c) => ({ componentId: c.componentId, regionId: c.regionId })),
    updates: updates
      .filter((u) => u.maintenanceId === r.id)
      .map((u) => ({
        id: u.id,
        status: u.status,
        message: u.message,
        messageHtml: u.messageHtml,
        notify: u.notify,
        createdAt: u.createdAt.toISOString(),
      })),
  }));
}

/** Everything the status page, /api/v2 summary and the badge need, for one viewer. */
export async function loadStatusView(
  db: Db,
  viewer: Viewer,
  now = new Date(),
): Promise<StatusView> {
  const org = await loadPageOrg(db);
  const windowStart = new Date(now.getTime() - UPTIME_DAYS * 86_400_000);
  const [
    groupRows,
    allComponents,
    allRegions,
    cellRows,
    openIncidents,
    openMaintenances,
    spans,
    settings,
  ] = await Promise.all([
    db
      .select()
      .from(componentGroups)
      .where(eq(componentGroups.orgId, org.id))
      .orderBy(asc(componentGroups.position)),
    db
      .select()
      .from(components)
      .where(eq(components.orgId, org.id))
      .orderBy(asc(components.position), asc(components.createdAt)),
    db
      .select()
      .from(regions)
      .where(eq(regions.orgId, org.id))
      .orderBy(asc(regions.position), asc(regions.createdAt)),
    db
      .select({
        componentId: componentRegions.componentId,
        regionId: componentRegions.regionId,
        createdAt: componentRegions.createdAt,
        archivedAt: componentRegions.archivedAt,
      })
      .from(componentRegions)
      .innerJoin(components, eq(components.id, componentRegions.componentId))
      .where(eq(components.orgId, org.id)),
    db
      .select()
      .from(incidents)
      .where(and(incidentVisibility(org.id, viewer), ne(incidents.status, "resolved")))
      .orderBy(desc(incidents.startedAt)),
    db
      .select()
      .from(maintenances)
      .where(and(maintenanceVisibility(org.id, viewer), ne(maintenances.status, "completed")))
      .orderBy(asc(maintenances.scheduledFor)),
    db
      .select()
      .from(cellStatusIntervals)
      .where(
        and(
          eq(cellStatusIntervals.orgId, org.id),
          or(isNull(cellStatusIntervals.endedAt), gte(cellStatusIntervals.endedAt, windowStart)),
        ),
      ),
    loadPageSettings(db, org.id),
  ]);
  const [incidentViews, maintenanceViews] = await Promise.all([
    hydrateIncidents(db, openIncidents),
    hydrateMaintenances(db, openMaintenances),
  ]);
  const componentRows = allComponents.filter((c) => !c.archivedAt);
  const regionRows = allRegions.filter((r) => !r.archivedAt);
  const regionOrder = new Map(allRegions.map((r, i) => [r.id, i]));
  const regionById = new Map(allRegions.map((r) => [r.id, r]));
  const cellsOf = new Map<string, typeof cellRows>();
  for (const row of cellRows) {
    const list = cellsOf.get(row.componentId) ?? [];
    list.push(row);
    cellsOf.set(row.componentId, list);
  }

  const spansByCell = new Map<string, Span[]>();
  for (const s of spans) {
    const key = cellKey(s.componentId, s.regionId);
    const list = spansByCell.get(key) ?? [];
    list.push({ status: s.status, startedAt: s.startedAt, endedAt: s.endedAt });
    spansByCell.set(key, list);
  }
  const componentViews: ComponentView[] = componentRows.map((c) => {
    const rows = (cellsOf.get(c.id) ?? []).sort(
      (a, b) => regionOrder.get(a.regionId)! - regionOrder.get(b.regionId)!,
    );
    // Every cell the component has had counts for uptime (up to when it was taken away); only
    // the live ones are shown.
    const observed = rows.map((row) => {
      const region = regionById.get(row.regionId)!;
      const ends = [row.archivedAt, region.archivedAt].filter((d): d is Date => d !== null);
      const until = ends.length ? new Date(Math.min(...ends.map((d) => d.getTime()))) : null;
      const since = row.createdAt > c.createdAt ? row.createdAt : c.createdAt;
      const days = cellDailyUptime(spansByCell.get(cellKey(c.id, row.regionId)) ?? [], {
        now,
        since,
        until,
      });
      return { regionId: row.regionId, live: until === null, days, uptime90: totalUptime(days) };
    });
    const cells: CellView[] = observed
      .filter((x) => x.live)
      .map((x) => ({
        regionId: x.regionId,
        status: "operational",
        uptime90: x.uptime90,
        days: x.days,
      }));
    const perRegion = observed.map((x) => x.uptime90).filter((u): u is number => u !== null);
    return {
      id: c.id,
      name: c.name,
      description: c.description,
      groupId: c.groupId,
      position: c.position,
      showcase: c.showcase,
      onlyShowIfDegraded: c.onlyShowIfDegraded,
      createdAt: c.createdAt.toISOString(),
      status: "operational",
      uptime90: perRegion.length ? perRegion.reduce((a, b) => a + b, 0) / perRegion.length : null,
      days: combineRegions(observed.map((x) => x.days)),
      cells,
    };
  });
  const groups: GroupView[] = groupRows.map((g) => ({
    id: g.id,
    name: g.name,
    position: g.position,
    createdAt: g.createdAt.toISOString(),
    componentIds: componentViews.filter((c) => c.groupId === g.id).map((c) => c.id),
    status: "operational",
  }));
  const updatedAt = [
    org.createdAt.toISOString(),
    ...spans.map((s) => (s.endedAt ?? s.startedAt).toISOString()),
  ]
    .sort()
    .at(-1)!;
  return withStatuses({
    generatedAt: now.toISOString(),
    page: { ...settings, id: org.id, name: settings.name ?? org.name, updatedAt },
    regions: regionRows.map((r) => ({ id: r.id, code: r.code, name: r.name })),
    names: {
      components: allComponents.map((c) => ({ id: c.id, name: c.name })),
      regions: allRegions.map((r) => ({ id: r.id, code: r.code, name: r.name })),
    },
    groups,
    components: componentViews,
    indicator: overallIndicator([], []),
    incidents: incidentViews,
    maintenances: maintenanceViews,
  });
}

/**
 * The view with every status derived from its own incidents and maintenance: cells, components,
 * groups, the overall indicator, and the page's last update. Uptime is left as it is (it comes
 * from the recorded public intervals only, whoever is looking). Returns new objects throughout,
 * sharing only the uptime arrays, so a cached view is never changed.
 */
function withStatuses(view: StatusView): StatusView {
  const cellStatuses = deriveCellStatuses(
    view.incidents,
    view.maintenances.filter((m) => m.status === "in_progress" || m.status === "verifying"),
  );
  const components: ComponentView[] = view.components.map((c) => ({
    ...c,
    status: componentStatusOf(
      cellStatuses,
      c.id,
      c.cells.map((x) => x.regionId),
    ),
    cells: c.cells.map((x) => ({
      ...x,
      status: cellStatuses.get(cellKey(c.id, x.regionId)) ?? "operational",
    })),
  }));
  const statusOf = new Map(components.map((c) => [c.id, c.status]));
  const groups: GroupView[] = view.groups.map((g) => ({
    ...g,
    status: worstStatus(g.componentIds.map((id) => statusOf.get(id) ?? "operational")),
  }));
  const updatedAt = [
    view.page.updatedAt,
    ...view.incidents.map((i) => i.updatedAt),
    ...view.maintenances.map((m) => m.updatedAt),
  ]
    .sort()
    .at(-1)!;
  return {
    ...view,
    page: { ...view.page, updatedAt },
    groups,
    components,
    indicator: overallIndicator(
      components.map((c) => c.status),
      view.incidents.map((i) => i.impact),
    ),
  };
}

/**
 * A tenant's own part of the status page: its tenant-only incidents that are not resolved and
 * its tenant-only maintenance that is not completed. Together with the public view
 * (`addTenantPart`) it is what `loadStatusView(db, { viewerOrgId })` returns, so the public part
 * can be shared by every viewer and only this is read per tenant.
 */
export interface TenantPart {
  orgId: string;
  incidents: IncidentView[];
  maintenances: MaintenanceView[];
}

export async function loadTenantPart(db: Db, orgId: string): Promise<TenantPart> {
  const org = await loadPageOrg(db);
  const [openIncidents, openMaintenances] = await Promise.all([
    db
      .select()
      .from(incidents)
      .where(
        and(
          eq(incidents.orgId, org.id),
          eq(incidents.audienceOrgId, orgId),
          ne(incidents.status, "resolved"),
        ),
      )
      .orderBy(desc(incidents.startedAt)),
    db
      .select()
      .from(maintenances)
      .where(
        and(
          eq(maintenances.orgId, org.id),
          eq(maintenances.audienceOrgId, orgId),
          ne(maintenances.status, "completed"),
        ),
      )
      .orderBy(asc(maintenances.scheduledFor)),
  ]);
  const [incidentViews, maintenanceViews] = await Promise.all([
    hydrateIncidents(db, openIncidents),
    hydrateMaintenances(db, openMaintenances),
  ]);
  return { orgId, incidents: incidentViews, maintenances: maintenanceViews };
}

/**
 * The public view with a tenant's own part added: its incidents and maintenance merged in their
 * order (incidents newest first, maintenance soonest first) and every status derived again.
 * Only the part's own items are added, so nothing of another tenant can come in here.
 */
export function addTenantPart(view: StatusView, part: TenantPart): StatusView {
  if (part.incidents.length === 0 && part.maintenances.length === 0) return view;
  const own = (audienceOrgId: string | null) => audienceOrgId === part.orgId;
  if (
    !part.incidents.every((i) => own(i.audienceOrgId)) ||
    !part.maintenances.every((m) => own(m.audienceOrgId))
  )
    throw new Error("a tenant part holds another organization's incident or maintenance");
  return withStatuses({
    ...view,
    incidents: [...view.incidents, ...part.incidents].sort((a, b) =>
      a.startedAt === b.startedAt ? 0 : a.startedAt < b.startedAt ? 1 : -1,
    ),
    maintenances: [...view.maintenances, ...part.maintenances].sort((a, b) =>
      a.scheduledFor === b.scheduledFor ? 0 : a.scheduledFor < b.scheduledFor ? -1 : 1,
    ),
  });
}

/** Incidents newest first, for history, feeds and incidents.json. `before` pages by start time. */
export async function listIncidents(
  db: Db,
  viewer: Viewer,
  { limit = 50, before, since }: { limit?: number; before?: Date; since?: Date } = {},
): Promise<IncidentView[]> {
  const org = await loadPageOrg(db);
  const rows = await db
    .select()
    .from(incidents)
    .where(
      and(
        incidentVisibility(org.id, viewer),
        before ? lt(incidents.startedAt, before) : undefined,
        since ? gte(incidents.startedAt, since) : undefined,
      ),
    )
    .orderBy(desc(incidents.startedAt))
    .limit(limit);
  return hydrateIncidents(db, rows);
}

export async function listMaintenances(
  db: Db,
  viewer: Viewer,
  { limit = 50, filter = "all" }: { limit?: number; filter?: "all" | "upcoming" | "active" } = {},
): Promise<MaintenanceView[]> {
  const org = await loadPageOrg(db);
  const rows = await db
    .select()
    .from(maintenances)
    .where(
      and(
        maintenanceVisibility(org.id, viewer),
        filter === "upcoming" ? eq(maintenances.status, "scheduled") : undefined,
        filter === "active"
          ? inArray(maintenances.status, ["in_progress", "verifying"])
          : undefined,
      ),
    )
    .orderBy(filter === "all" ? desc(maintenances.scheduledFor) : asc(maintenances.scheduledFor))
    .limit(limit);
  return hydrateMaintenances(db, rows);
}

/** One incident for its permalink; a tenant-only incident of another tenant is not found. */
export async function getIncident(db: Db, viewer: Viewer, id: string): Promise<IncidentView> {
  if (!isUuid(id)) throw new NotFoundError("Incident");
  const org = await loadPageOrg(db);
  const rows = await db
    .select()
    .from(incidents)
    .where(and(incidentVisibility(org.id, viewer), eq(incidents.id, id)));
  if (!rows.length) throw new NotFoundError("Incident");
  return (await hydrateIncidents(db, rows))[0]!;
}

export async function getMaintenance(db: Db, viewer: Viewer, id: string): Promise<MaintenanceView> {
  if (!isUuid(id)) throw new NotFoundError("Maintenance");
  const org = await loadPageOrg(db);
  const rows = await db
    .select()
    .from(maintenances)
    .where(and(maintenanceVisibility(org.id, viewer), eq(maintenances.id, id)));
  if (!rows.length) throw new NotFoundError("Maintenance");
  return (await hydrateMaintenances(db, rows))[0]!;
}

/** Count of incidents per UTC month, used for the history page's month list. */
export async function incidentMonths(
  db: Db,
  viewer: Viewer,
): Promise<{ month: string; count: number }[]> {
  const org = await loadPageOrg(db);
  const month = sql<string>`to_char(${incidents.startedAt} at time zone 'UTC', 'YYYY-MM')`;
  const rows = await db
    .select({ month, count: sql<number>`count(*)::int` })
    .from(incidents)
    .where(incidentVisibility(org.id, viewer))
    .groupBy(month)
    .orderBy(desc(month));
  return rows.map((r) => ({ month: r.month, count: Number(r.count) }));
}

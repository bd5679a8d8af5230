import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { components, regions } from "./catalog";
import { actorType } from "./audit";
import { INCIDENT_CATEGORIES, IMPACTS, type IncidentCategory, type Impact } from "./jobs";
import { organizations } from "./organizations";

/**
 * Incidents and the component × region cells they affect. Names and enums follow Atlassian
 * Statuspage v2 so the public API can pass them through unchanged.
 */

export const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** Ordered from best to worst; `worstStatus` in lib/status relies on this order. */
export const COMPONENT_STATUSES = [
  "operational",
  "under_maintenance",
  "degraded_performance",
  "partial_outage",
  "major_outage",
] as const;
export type ComponentStatus = (typeof COMPONENT_STATUSES)[number];

export const incidentStatus = pgEnum("incident_status", INCIDENT_STATUSES);
export const componentStatus = pgEnum("component_status", COMPONENT_STATUSES);

export const UPDATE_KINDS = ["update", "reopen"] as const;
export type UpdateKind = (typeof UPDATE_KINDS)[number];
export const incidentUpdateKind = pgEnum("incident_update_kind", UPDATE_KINDS);

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

export const incidents = pgTable(
  "incidents",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** The organization that runs the status page (the platform org); all writes filter by it. */
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    title: text().notNull(),
    // Plain text with a CHECK rather than pgEnum: the category/impact enums are shared with the
    // alert pipeline, which owns their database types if it needs any.
    category: text().$type<IncidentCategory>().notNull(),
    impact: text().$type<Impact>().notNull(),
    /** NULL: public. Otherwise the one tenant that may see it (and be alerted about it). */
    audienceOrgId: uuid().references(() => organizations.id, { onDelete: "cascade" }),
    status: incidentStatus().notNull().default("investigating"),
    postmortem: text(),
    postmortemHtml: text(),
    postmortemPublishedAt: timestamp({ withTimezone: true }),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    monitoringAt: timestamp({ withTimezone: true }),
    resolvedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("incidents_category_check", sql`${t.category} in (${inList(INCIDENT_CATEGORIES)})`),
    check("incidents_impact_check", sql`${t.impact} in (${inList(IMPACTS)})`),
    // Configurable incidents are one tenant's configuration problem: never public.
    check(
      "incidents_configurable_tenant_check",
      sql`${t.category} <> 'configurable' or ${t.audienceOrgId} is not null`,
    ),
    index("incidents_org_created_idx").on(t.orgId, t.createdAt),
    // The status page reads unresolved incidents on every render.
    index("incidents_open_idx")
      .on(t.orgId)
      .where(sql`${t.status} <> 'resolved'`),
  ],
);

export const incidentUpdates = pgTable(
  "incident_updates",
  {
    id: uuid().primaryKey().defaultRandom(),
    incidentId: uuid()
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    kind: incidentUpdateKind().notNull().default("update"),
    status: incidentStatus().notNull(),
    /** Markdown as written. */
    message: text().notNull(),
    /** Sanitised HTML rendered from `message`; the only form ever put on a page. */
    messageHtml: text().notNull(),
    notify: boolean().notNull().default(false),
    authorType: actorType().notNull(),
    authorId: uuid(),
    authorName: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When the message was last corrected (the original is in the audit log); NULL: never. */
    editedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("incident_updates_incident_idx").on(t.incidentId, t.createdAt)],
);

/** The current status of each cell an incident touches. */
export const incidentCells = pgTable(
  "incident_cells",
  {
    incidentId: uuid()
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    componentId: uuid()
      .notNull()
      .references(() => components.id, { onDelete: "cascade" }),
    regionId: uuid()
      .notNull()
      .references(() => regions.id, { onDelete: "cascade" }),
    status: componentStatus().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.componentId, t.regionId] }),
    index("incident_cells_cell_idx").on(t.componentId, t.regionId),
  ],
);

/** What each update changed: the before (NULL when the cell was first added) and after. */
export const incidentUpdateCells = pgTable(
  "incident_update_cells",
  {
    updateId: uuid()
      .notNull()
      .references(() => incidentUpdates.id, { onDelete: "cascade" }),
    componentId: uuid()
      .notNull()
      .references(() => components.id, { onDelete: "cascade" }),
    regionId: uuid()
      .notNull()
      .references(() => regions.id, { onDelete: "cascade" }),
    before: componentStatus(),
    after: componentStatus().notNull(),
  },
  (t) => [primaryKey({ columns: [t.updateId, t.componentId, t.regionId] })],
);

/**
 * The public derived status history of each cell: one row per span a cell spent in a
 * non-operational status (no row means operational). Written by lib/status/intervals.ts in the
 * same transaction as the change; uptime is computed from these rows. Tenant-only incidents are
 * not recorded here, so the public uptime never reveals them.
 */
export const cellStatusIntervals = pgTable(
  "cell_status_intervals",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    componentId: uuid()
      .notNull()
      .references(() => components.id, { onDelete: "cascade" }),
    regionId: uuid()
      .notNull()
      .references(() => regions.id, { onDelete: "cascade" }),
    status: componentStatus().notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    /** NULL while the cell is still in this status. */
    endedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("cell_status_intervals_range_idx").on(t.orgId, t.startedAt),
    index("cell_status_intervals_open_idx")
      .on(t.componentId, t.regionId)
      .where(sql`${t.endedAt} is null`),
  ],
);

/**
 * A platform-owned starting point for a new incident (Statuspage's incident templates): the
 * title, first message, category, impact and affected cells a responder would otherwise type.
 * Opening from a template copies it; later edits to the template change no incident.
 */
export const incidentTemplates = pgTable(
  "incident_templates",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text().notNull(),
    title: text().notNull(),
    /** Markdown: the first update's message. */
    body: text().notNull(),
    category: text().$type<IncidentCategory>().notNull(),
    impact: text().$type<Impact>().notNull(),
    /** The affected cells and the status each starts in. */
    cells: jsonb()
      .$type<{ componentId: string; regionId: string; status: ComponentStatus }[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      "incident_templates_category_check",
      sql`${t.category} in (${inList(INCIDENT_CATEGORIES)})`,
    ),
    check("incident_templates_impact_check", sql`${t.impact} in (${inList(IMPACTS)})`),
    uniqueIndex("incident_templates_org_name_key").on(t.orgId, sql`lower(${t.name})`),
  ],
);

export type IncidentTemplate = typeof incidentTemplates.$inferSelect;
export type Incident = typeof incidents.$inferSelect;
export type IncidentUpdate = typeof incidentUpdates.$inferSelect;
export type IncidentCell = typeof incidentCells.$inferSelect;
export type IncidentUpdateCell = typeof incidentUpdateCells.$inferSelect;
export type CellStatusInterval = typeof cellStatusIntervals.$inferSelect;

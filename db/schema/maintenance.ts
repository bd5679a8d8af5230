import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { actorType } from "./audit";
import { components, regions } from "./catalog";
import { organizations } from "./organizations";

/** Scheduled maintenance: an advisory with a window, never an incident. Statuspage's enums. */
export const MAINTENANCE_STATUSES = ["scheduled", "in_progress", "verifying", "completed"] as const;
export type MaintenanceStatus = (typeof MAINTENANCE_STATUSES)[number];
export const maintenanceStatus = pgEnum("maintenance_status", MAINTENANCE_STATUSES);

export const maintenances = pgTable(
  "maintenances",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    title: text().notNull(),
    /** NULL: public. Otherwise the one tenant that may see it. */
    audienceOrgId: uuid().references(() => organizations.id, { onDelete: "cascade" }),
    status: maintenanceStatus().notNull().default("scheduled"),
    scheduledFor: timestamp({ withTimezone: true }).notNull(),
    scheduledUntil: timestamp({ withTimezone: true }).notNull(),
    startedAt: timestamp({ withTimezone: true }),
    completedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("maintenances_window_check", sql`${t.scheduledUntil} > ${t.scheduledFor}`),
    index("maintenances_org_window_idx").on(t.orgId, t.scheduledFor),
  ],
);

export const maintenanceCells = pgTable(
  "maintenance_cells",
  {
    maintenanceId: uuid()
      .notNull()
      .references(() => maintenances.id, { onDelete: "cascade" }),
    componentId: uuid()
      .notNull()
      .references(() => components.id, { onDelete: "cascade" }),
    regionId: uuid()
      .notNull()
      .references(() => regions.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.maintenanceId, t.componentId, t.regionId] }),
    index("maintenance_cells_cell_idx").on(t.componentId, t.regionId),
  ],
);

export const maintenanceUpdates = pgTable(
  "maintenance_updates",
  {
    id: uuid().primaryKey().defaultRandom(),
    maintenanceId: uuid()
      .notNull()
      .references(() => maintenances.id, { onDelete: "cascade" }),
    status: maintenanceStatus().notNull(),
    message: text().notNull(),
    messageHtml: text().notNull(),
    notify: boolean().notNull().default(false),
    authorType: actorType().notNull(),
    authorId: uuid(),
    authorName: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("maintenance_updates_maintenance_idx").on(t.maintenanceId, t.createdAt)],
);

export type Maintenance = typeof maintenances.$inferSelect;
export type MaintenanceCell = typeof maintenanceCells.$inferSelect;
export type MaintenanceUpdate = typeof maintenanceUpdates.$inferSelect;

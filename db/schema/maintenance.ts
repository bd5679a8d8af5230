import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
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
    /**
     * Moves to in progress at `scheduledFor` and to completed at `scheduledUntil` on its own
     * (maintenance_steps), unless an operator moved it first.
     */
    automatic: boolean().notNull().default(true),
    /** Whether those automatic steps notify (as an operator's update with "notify" would). */
    notifyAutomatic: boolean().notNull().default(true),
    /** Reminders to send this many minutes before the start, each once. */
    reminderMinutes: integer()
      .array()
      .notNull()
      .default(sql`'{1440,60}'::integer[]`),
    /** Set when the window was called off before it started (its status is then completed). */
    cancelledAt: timestamp({ withTimezone: true }),
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

/**
 * The automatic work due for a window: its reminders, its start and its end. Each row is done at
 * most once, in the same transaction as its effect (`doneAt`), so a driver that restarts neither
 * loses nor repeats one. `key` names the step for good: a reminder's key includes the start it
 * announced, so a window moved to another start gets new reminders, and one already sent is
 * never sent again.
 */
export const MAINTENANCE_STEP_KINDS = ["reminder", "start", "complete"] as const;
export type MaintenanceStepKind = (typeof MAINTENANCE_STEP_KINDS)[number];

export const maintenanceSteps = pgTable(
  "maintenance_steps",
  {
    id: uuid().primaryKey().defaultRandom(),
    maintenanceId: uuid()
      .notNull()
      .references(() => maintenances.id, { onDelete: "cascade" }),
    kind: text().$type<MaintenanceStepKind>().notNull(),
    key: text().notNull().unique(),
    /** Reminders: minutes before the start. */
    minutesBefore: integer(),
    dueAt: timestamp({ withTimezone: true }).notNull(),
    doneAt: timestamp({ withTimezone: true }),
    /** What the step did ("moved to in_progress", "skipped: …"), for operators. */
    outcome: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      "maintenance_steps_kind_check",
      sql`${t.kind} in (${sql.raw(MAINTENANCE_STEP_KINDS.map((k) => `'${k}'`).join(", "))})`,
    ),
    index("maintenance_steps_due_idx")
      .on(t.dueAt)
      .where(sql`${t.doneAt} is null`),
    index("maintenance_steps_maintenance_idx").on(t.maintenanceId),
  ],
);

export type MaintenanceStep = typeof maintenanceSteps.$inferSelect;
export type Maintenance = typeof maintenances.$inferSelect;
export type MaintenanceCell = typeof maintenanceCells.$inferSelect;
export type MaintenanceUpdate = typeof maintenanceUpdates.$inferSelect;

import { jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Periodic housekeeping that several server processes share (retention pruning): one row per
 * task. A process runs the task only after claiming the row, by moving `nextRunAt` forward in a
 * single conditional update, so N instances do not all run it at once.
 */
export const scheduledRuns = pgTable("scheduled_runs", {
  name: text().primaryKey(),
  /** When the task is next due (also the lease while a run is under way). */
  nextRunAt: timestamp({ withTimezone: true }).notNull(),
  lastStartedAt: timestamp({ withTimezone: true }),
  lastFinishedAt: timestamp({ withTimezone: true }),
  /** What the last run did (counts per table, or its error), for operators. */
  lastResult: jsonb().$type<Record<string, unknown>>(),
});

export type ScheduledRun = typeof scheduledRuns.$inferSelect;

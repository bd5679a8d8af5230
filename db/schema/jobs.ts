import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

/**
 * The outbox: a change that should alert people writes one row here in its own transaction.
 * The job driver (embedded or Inngest) plans it into `deliveries` after commit.
 */
export const NOTIFICATION_KINDS = [
  "incident.created",
  "incident.updated",
  "incident.resolved",
  "incident.postmortem",
  "maintenance.scheduled",
  "maintenance.started",
  "maintenance.completed",
  "maintenance.reminder",
  "maintenance.rescheduled",
  "maintenance.cancelled",
  "alert.test",
  "threshold.triggered",
  "threshold.recovered",
  "user.warning",
  "ticket.notice",
  "oncall.page",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const JOB_STATUSES = ["pending", "planning", "planned", "failed"] as const;
export const notificationKind = pgEnum("notification_kind", NOTIFICATION_KINDS);
export const jobStatus = pgEnum("job_status", JOB_STATUSES);

export const INCIDENT_CATEGORIES = ["infrastructure", "billing", "configurable"] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];
/**
 * What tenants choose to hear about in Alerts & Notifications: the incident categories, and
 * maintenance advisories (seed 000: pre-announced maintenance sends advisories, not incident
 * alerts), which have their own toggle and channel choices.
 */
export const ALERT_CATEGORIES = [...INCIDENT_CATEGORIES, "maintenance"] as const;
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];
export const IMPACTS = ["none", "minor", "major", "critical"] as const;
export type Impact = (typeof IMPACTS)[number];

/** Everything routing needs, copied at enqueue time so planning never re-reads mutable rows. */
export interface NotificationPayload {
  title: string;
  category: AlertCategory;
  impact: Impact;
  /** "public" reaches every tenant's subscriptions and public subscribers; a tenant id only that tenant. */
  audience: { type: "public" } | { type: "tenant"; orgId: string };
  componentIds: string[];
  regionIds: string[];
  status?: string;
  message?: string;
  /** Narrower subject within the category (e.g. "low_balance"); rules may require it. */
  topic?: string;
  url?: string;
  incidentId?: string;
  updateId?: string;
  maintenanceId?: string;
  /**
   * user.warning: the members (users.id) of the audience tenant this warning is addressed to. It
   * bypasses the category matrix: in-app always, email/SMS per each member's own opt-in.
   */
  userIds?: string[];
  /** alert.test: the destination the admin pressed "Send test alert" for. */
  test?: { channel: string; destination: string; endpointId?: string };
  data?: Record<string, unknown>;
  /** oncall.page: the endpoints (alert_endpoints.id of the organization) this page goes to. */
  endpointIds?: string[];
  /** oncall.page: the one-click acknowledge link (relative to the app) every message of the page carries. */
  ackUrl?: string;
}

export const notificationJobs = pgTable(
  "notification_jobs",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** The organization whose change this is (the platform org for public incidents). */
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    kind: notificationKind().notNull(),
    payload: jsonb().$type<NotificationPayload>().notNull(),
    status: jobStatus().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    runAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    plannedAt: timestamp({ withTimezone: true }),
    /**
     * The embedded driver instance (job_instances.id) planning it: its claim lasts while that
     * instance's heartbeat does. Null for a claim without an instance, which runAt bounds.
     */
    lockedBy: uuid(),
  },
  (t) => [
    index("notification_jobs_due_idx").on(t.status, t.runAt),
    // Retention prunes finished jobs by age (lib/retention).
    index("notification_jobs_created_idx").on(t.createdAt),
    // The activation checklist finds a tenant's test alerts (few) without reading its other
    // deliveries (lib/activation).
    index("notification_jobs_test_org_idx")
      .on(t.orgId)
      .where(sql`kind = 'alert.test'`),
  ],
);

export type NotificationJob = typeof notificationJobs.$inferSelect;

/**
 * One row per embedded job driver started (a server process), renewed by its heartbeat. Claims
 * (deliveries and jobs being planned) name the instance that holds them: they are leases that
 * last while its heartbeat is fresh, and any instance takes over those of an instance whose
 * heartbeat stopped (see lib/alerts/sweep.ts).
 */
export const jobInstances = pgTable("job_instances", {
  id: uuid().primaryKey(),
  /** The host name and process id, to tell at once that a process on this host is gone. */
  host: text().notNull(),
  pid: integer().notNull(),
  startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  heartbeatAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  /** Set when it stopped cleanly or was found dead; its claims have then been handed back. */
  stoppedAt: timestamp({ withTimezone: true }),
});

export type JobInstance = typeof jobInstances.$inferSelect;

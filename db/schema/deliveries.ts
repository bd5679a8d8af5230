import { sql } from "drizzle-orm";
import {
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { channel } from "./alerts";
import { notificationJobs } from "./jobs";
import { organizations, users } from "./organizations";

/**
 * One row per (recipient, channel) per notification: the source of truth for who was told what,
 * when, why (the routing trace) and with what result.
 *
 * pending   due at runAt (quiet hours move runAt; retries move it too)
 * sending   claimed by a driver; lockedUntil lets the sweeper recover a crashed send
 * held      waiting for the tenant's digest (runAt = when the digest goes out)
 * digested  carried by the digest delivery in digestId
 * delivered / failed / suppressed (routing decided not to send; the trace says why)
 * skipped   routing would have sent it, but the receiver is switched off (an endpoint disabled
 *           after 410 Gone or days of failures); the trace's endpoint step says when and why
 */
export const DELIVERY_STATUSES = [
  "pending",
  "sending",
  "held",
  "digested",
  "delivered",
  "failed",
  "suppressed",
  "skipped",
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export const deliveryStatus = pgEnum("delivery_status", DELIVERY_STATUSES);

export const RECIPIENT_TYPES = ["member", "recipient", "endpoint", "digest", "subscriber"] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];

export interface TraceStep {
  step: string;
  /** "delivered" and "failed" are what a provider reported after accepting the message. */
  outcome:
    | "pass"
    | "matched"
    | "held"
    | "delayed"
    | "suppressed"
    | "skipped"
    | "info"
    | "delivered"
    | "failed";
  detail: string;
}

export const deliveries = pgTable(
  "deliveries",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Null for digest deliveries, which carry several jobs. */
    jobId: uuid().references(() => notificationJobs.id, { onDelete: "cascade" }),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    channel: channel().notNull(),
    recipientType: text().notNull().$type<RecipientType>(),
    /** users.id, alert_recipients.id, alert_endpoints.id or public_subscribers.id. */
    recipientId: uuid(),
    /** What the admin recognises: an address, a phone number, an endpoint name and host. */
    destination: text().notNull(),
    idempotencyKey: text().notNull(),
    status: deliveryStatus().notNull(),
    runAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /**
     * A claim without a driver instance (the Inngest driver's) lasts until then. A claim by an
     * embedded driver instance (lockedBy) lasts while its heartbeat does; lockedUntil is then
     * when it was claimed plus one lease.
     */
    lockedUntil: timestamp({ withTimezone: true }),
    /** The embedded driver instance (job_instances.id) holding the claim, while "sending". */
    lockedBy: uuid(),
    attempts: integer().notNull().default(0),
    maxAttempts: integer().notNull().default(6),
    providerId: text(),
    responseCode: integer(),
    error: text(),
    trace: jsonb()
      .$type<TraceStep[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    incidentId: uuid(),
    digestId: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("deliveries_idempotency_key").on(t.idempotencyKey),
    index("deliveries_due_idx")
      .on(t.runAt)
      .where(sql`status = 'pending'`),
    // Claims by holder, for the sweep that takes over a dead instance's (and expired) claims.
    index("deliveries_sending_idx")
      .on(t.lockedBy, t.lockedUntil)
      .where(sql`status = 'sending'`),
    index("deliveries_held_idx")
      .on(t.orgId, t.runAt)
      .where(sql`status = 'held'`),
    index("deliveries_org_created_idx").on(t.orgId, t.createdAt),
    // Retention prunes by age across organizations (lib/retention).
    index("deliveries_created_idx").on(t.createdAt),
    index("deliveries_job_idx").on(t.jobId),
    index("deliveries_incident_idx").on(t.incidentId),
    // The endpoint failure streak check (and the explainer) look deliveries up by recipient.
    index("deliveries_recipient_idx").on(t.recipientId, t.status),
    // Provider callbacks (bounces, carrier receipts) find their delivery by the provider's id.
    index("deliveries_provider_idx")
      .on(t.providerId)
      .where(sql`provider_id is not null`),
  ],
);

/**
 * One row per attempt, keyed by (delivery, attempt number): a fan-out writes one per delivery, and
 * the natural key spares it a generated id and a second index.
 */
export const deliveryAttempts = pgTable(
  "delivery_attempts",
  {
    deliveryId: uuid()
      .notNull()
      .references(() => deliveries.id, { onDelete: "cascade" }),
    attempt: integer().notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull(),
    durationMs: integer().notNull(),
    responseCode: integer(),
    providerId: text(),
    error: text(),
    /** When the next attempt is due, if any ("retry at"), so the log explains the wait. */
    retryAt: timestamp({ withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);

/**
 * Sends an embedded driver instance has started, one row per batch it started together (written
 * and committed before the requests go out). When an instance dies, its claimed deliveries found
 * here were in flight: their attempt is logged "outcome unknown (process stopped)" and retried
 * with the same idempotency key; the others were never sent and are simply claimed again.
 */
export const deliveryStarts = pgTable(
  "delivery_starts",
  {
    instanceId: uuid().notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deliveryIds: uuid().array().notNull(),
  },
  (t) => [index("delivery_starts_instance_idx").on(t.instanceId, t.startedAt)],
);

export const PROVIDERS = ["resend", "twilio"] as const;
export type Provider = (typeof PROVIDERS)[number];

/**
 * What a provider told us about a message after accepting it (delivered, bounced, complained,
 * carrier failure), one row per provider event. The unique key makes a repeated callback a no-op:
 * Resend's svix-id, or Twilio's message sid with the status it reports.
 */
export const providerEvents = pgTable(
  "provider_events",
  {
    id: uuid().primaryKey().defaultRandom(),
    provider: text().notNull().$type<Provider>(),
    eventKey: text().notNull(),
    deliveryId: uuid()
      .notNull()
      .references(() => deliveries.id, { onDelete: "cascade" }),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** The provider's own name for it: "email.bounced", "undelivered", ... */
    type: text().notNull(),
    detail: text().notNull(),
    occurredAt: timestamp({ withTimezone: true }),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("provider_events_key").on(t.provider, t.eventKey),
    index("provider_events_delivery_idx").on(t.deliveryId),
  ],
);

/** The portal inbox (channel in_app). */
export const inboxItems = pgTable(
  "inbox_items",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /**
     * Null only for notices written before user-level warnings (e.g. "endpoint disabled after
     * 410") went through the pipeline as deliveries of kind user.warning.
     */
    deliveryId: uuid().references(() => deliveries.id, { onDelete: "cascade" }),
    title: text().notNull(),
    body: text().notNull(),
    url: text(),
    readAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("inbox_items_delivery_key").on(t.deliveryId),
    index("inbox_items_user_idx").on(t.userId, t.orgId),
    index("inbox_items_created_idx").on(t.createdAt),
  ],
);

/** Development only: email and SMS that would have gone out, when no provider is configured. */
export const devMailbox = pgTable(
  "dev_mailbox",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** The tenant the message was for, so each tenant's admins see only their own. */
    orgId: uuid().references(() => organizations.id, { onDelete: "cascade" }),
    channel: text().notNull().$type<"email" | "sms">(),
    to: text().notNull(),
    from: text().notNull(),
    subject: text().notNull(),
    text: text().notNull(),
    html: text(),
    headers: jsonb()
      .$type<Record<string, string>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    idempotencyKey: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("dev_mailbox_idempotency_key").on(t.idempotencyKey),
    index("dev_mailbox_org_idx").on(t.orgId, t.createdAt),
    index("dev_mailbox_created_idx").on(t.createdAt),
  ],
);

export type Delivery = typeof deliveries.$inferSelect;
export type DeliveryAttempt = typeof deliveryAttempts.$inferSelect;
export type InboxItem = typeof inboxItems.$inferSelect;
export type DevMail = typeof devMailbox.$inferSelect;
export type ProviderEvent = typeof providerEvents.$inferSelect;

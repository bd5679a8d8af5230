import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  smallint,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { organizations, users } from "./organizations";

/**
 * The support desk (seed 001's escalation matrix): tiers and their contact points, the platform's
 * business calendar the SLA clocks count in, tenants' tickets and each ticket's timeline.
 */

export const TICKET_SEVERITIES = ["critical", "high", "medium", "low"] as const;
export type TicketSeverity = (typeof TICKET_SEVERITIES)[number];
export const ticketSeverity = pgEnum("ticket_severity", TICKET_SEVERITIES);

export const TICKET_STATUSES = [
  "new",
  "acknowledged",
  "waiting_on_customer",
  "resolved",
  "closed",
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const ticketStatus = pgEnum("ticket_status", TICKET_STATUSES);

/** One row per tier (1, 2, 3), edited by platform admins; shown to tenants and on the public page. */
export const supportTiers = pgTable("support_tiers", {
  tier: smallint().primaryKey(),
  name: text().notNull(),
  description: text().notNull(),
  phone: text(),
  email: text(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** The working week the SLA clocks count in: ISO weekdays (1 = Monday), minutes from midnight. */
export interface BusinessCalendar {
  timeZone: string;
  days: number[];
  startMinute: number;
  endMinute: number;
  /** Whole days off, "YYYY-MM-DD" in timeZone. */
  holidays: string[];
}

/** Business hours to acknowledge and to resolve, per severity. */
export type SlaTargets = Record<TicketSeverity, { acknowledgeHours: number; resolveHours: number }>;

/** The single row (id = 1) of desk settings. */
export const supportSettings = pgTable("support_settings", {
  id: smallint().primaryKey().default(1),
  calendar: jsonb().$type<BusinessCalendar>().notNull(),
  targets: jsonb().$type<SlaTargets>().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const tickets = pgTable(
  "tickets",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** With the tier and the year it was raised, the readable id (T2-2026-000123). */
    number: integer().generatedAlwaysAsIdentity().notNull().unique(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    tier: smallint().notNull(),
    /** The ticket this one escalates (a Tier 2 ticket's Tier 1, a Tier 3's Tier 2). */
    parentId: uuid(),
    subject: text().notNull(),
    description: text().notNull(),
    severity: ticketSeverity().notNull(),
    status: ticketStatus().notNull().default("new"),
    /** What seed 000 asks a ticket about alerts to carry. */
    incidentId: uuid(),
    deliveryId: uuid(),
    channels: jsonb()
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    observedAt: timestamp({ withTimezone: true }),
    observedTimeZone: text(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    assigneeId: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    acknowledgeDueAt: timestamp({ withTimezone: true }).notNull(),
    resolveDueAt: timestamp({ withTimezone: true }).notNull(),
    acknowledgedAt: timestamp({ withTimezone: true }),
    resolvedAt: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
    /** The tenant said the answer did not help (with why); a Tier 2 ticket so marked may go to Tier 3. */
    unsatisfactoryAt: timestamp({ withTimezone: true }),
    unsatisfactoryReason: text(),
    /** The next tier's ticket, once escalated (each ticket escalates at most once). */
    escalatedToId: uuid(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("tickets_org_created_idx").on(t.orgId, t.createdAt),
    index("tickets_open_idx")
      .on(t.status, t.acknowledgeDueAt)
      .where(sql`status not in ('resolved', 'closed')`),
  ],
);

export const TICKET_EVENT_TYPES = [
  "created",
  "reply",
  "note",
  "status",
  "assigned",
  "unsatisfactory",
  "escalated",
  "support_view",
] as const;
export type TicketEventType = (typeof TICKET_EVENT_TYPES)[number];

/** The ticket's timeline. Internal rows (notes, support's looks) are never shown to the tenant. */
export const ticketEvents = pgTable(
  "ticket_events",
  {
    id: uuid().primaryKey().defaultRandom(),
    ticketId: uuid()
      .notNull()
      .references(() => tickets.id, { onDelete: "cascade" }),
    type: text().notNull().$type<TicketEventType>(),
    internal: boolean().notNull().default(false),
    /** "tenant" or "support": which side wrote it. */
    side: text().notNull().$type<"tenant" | "support" | "system">(),
    actorId: uuid().references(() => users.id, { onDelete: "set null" }),
    actorName: text().notNull(),
    body: text(),
    data: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("ticket_events_ticket_idx").on(t.ticketId, t.createdAt)],
);

export type Ticket = typeof tickets.$inferSelect;
export type TicketEvent = typeof ticketEvents.$inferSelect;
export type SupportTier = typeof supportTiers.$inferSelect;

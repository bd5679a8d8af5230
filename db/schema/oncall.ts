import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { impact } from "./alerts";
import { incidents } from "./incidents";
import { notificationJobs } from "./jobs";
import { thresholdRules } from "./metrics";
import { organizations, type Role } from "./organizations";

/**
 * On-call escalation: a policy (ordered tiers of targets, each with a timeout, and a repeat count)
 * pages its first tier when an incident at or above its impact opens (the platform's policies) or
 * when a threshold rule naming it fires (a tenant's or the platform's); an unacknowledged tier
 * times out and the next is paged. Rules in lib/oncall/.
 */

/** Who one tier pages: named members, every member of some role groups, and/or endpoints. */
export interface EscalationTargets {
  userIds: string[];
  roleGroups: Role[];
  endpointIds: string[];
}

export interface EscalationTier {
  targets: EscalationTargets;
  /** Minutes the tier has to acknowledge before the next tier is paged. */
  timeoutMinutes: number;
}

export const escalationPolicies = pgTable(
  "escalation_policies",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text().notNull(),
    tiers: jsonb().$type<EscalationTier[]>().notNull(),
    /** How many more times the whole list of tiers is paged after the last tier times out. */
    repeatCount: integer().notNull().default(0),
    /** The platform's policies: an incident opened at or above this impact starts it; null: only rules. */
    incidentMinImpact: impact(),
    enabled: boolean().notNull().default(true),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("escalation_policies_org_idx").on(t.orgId)],
);

export const ESCALATION_STATUSES = ["active", "acknowledged", "unacknowledged", "stopped"] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];

/**
 * One running escalation of a policy, for one incident or one firing of a threshold rule. The
 * policy's tiers are copied in when it starts, so editing the policy never changes a page already
 * on its way. `nextAt` is when the next step is due (the embedded driver's queue).
 */
export const escalations = pgTable(
  "escalations",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** The policy's organization: its members and endpoints are paged. */
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    policyId: uuid().references(() => escalationPolicies.id, { onDelete: "set null" }),
    policyName: text().notNull(),
    incidentId: uuid().references(() => incidents.id, { onDelete: "cascade" }),
    ruleId: uuid().references(() => thresholdRules.id, { onDelete: "cascade" }),
    title: text().notNull(),
    tiers: jsonb().$type<EscalationTier[]>().notNull(),
    repeatCount: integer().notNull(),
    status: text().$type<EscalationStatus>().notNull().default("active"),
    /** The tier (1-based) and round (1-based) paged last; tier 0 before the first page. */
    tier: integer().notNull().default(0),
    round: integer().notNull().default(1),
    /** When the next step is due while active (the first page, or the current tier's timeout). */
    nextAt: timestamp({ withTimezone: true }),
    acknowledgedAt: timestamp({ withTimezone: true }),
    acknowledgedBy: text(),
    endedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("escalations_due_idx")
      .on(t.nextAt)
      .where(sql`status = 'active'`),
    index("escalations_incident_idx").on(t.incidentId),
    index("escalations_org_idx").on(t.orgId, t.createdAt),
    // One running escalation per policy and subject: a repeated trigger starts nothing more.
    uniqueIndex("escalations_incident_active_key")
      .on(t.incidentId, t.policyId)
      .where(sql`status = 'active' and incident_id is not null`),
    uniqueIndex("escalations_rule_active_key")
      .on(t.ruleId, t.policyId)
      .where(sql`status = 'active' and rule_id is not null`),
  ],
);

/**
 * One row per page sent: the key (escalation, tier, round) makes a page that is tried twice (a
 * restart, a retried step, two drivers) go out once. It carries the page's one-click acknowledge
 * link: the nonce the link names, when it expires, and when it was used (once).
 */
export const escalationPages = pgTable(
  "escalation_pages",
  {
    escalationId: uuid()
      .notNull()
      .references(() => escalations.id, { onDelete: "cascade" }),
    tier: integer().notNull(),
    round: integer().notNull(),
    jobId: uuid().references(() => notificationJobs.id, { onDelete: "set null" }),
    nonce: uuid().notNull().defaultRandom(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    pagedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.escalationId, t.tier, t.round] }),
    uniqueIndex("escalation_pages_nonce_key").on(t.nonce),
  ],
);

export const ESCALATION_EVENT_KINDS = [
  "started",
  "paged",
  "escalated",
  "acknowledged",
  "unacknowledged",
  "stopped",
] as const;
export type EscalationEventKind = (typeof ESCALATION_EVENT_KINDS)[number];

/** The internal on-call timeline of an escalation (shown in the console, never on the public page). */
export const escalationEvents = pgTable(
  "escalation_events",
  {
    id: uuid().primaryKey().defaultRandom(),
    escalationId: uuid()
      .notNull()
      .references(() => escalations.id, { onDelete: "cascade" }),
    incidentId: uuid().references(() => incidents.id, { onDelete: "cascade" }),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    kind: text().$type<EscalationEventKind>().notNull(),
    tier: integer(),
    round: integer(),
    detail: text().notNull(),
    jobId: uuid(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("escalation_events_escalation_idx").on(t.escalationId, t.createdAt),
    index("escalation_events_incident_idx").on(t.incidentId, t.createdAt),
  ],
);

export type EscalationPolicy = typeof escalationPolicies.$inferSelect;
export type Escalation = typeof escalations.$inferSelect;
export type EscalationPage = typeof escalationPages.$inferSelect;
export type EscalationEvent = typeof escalationEvents.$inferSelect;

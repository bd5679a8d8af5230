import { sql } from "drizzle-orm";
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { channel } from "./alerts";
import { thresholdRules } from "./metrics";
import { organizations, users } from "./organizations";

/**
 * The channels a tenant may word its alerts for. A webhook's JSON body is a contract with the
 * receiver and stays fixed; in-app alerts are Beacon's own screen.
 */
export const TEMPLATE_CHANNELS = ["email", "sms", "slack", "teams"] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];

/**
 * A tenant's own wording of its alerts on one channel, in Liquid (lib/channels/templates.ts). One
 * per channel for the tenant, and optionally one per channel for a threshold rule, which wins
 * for that rule's alerts. Deleting the rule deletes its templates.
 */
export const alertTemplates = pgTable(
  "alert_templates",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    channel: channel().notNull(),
    /** Null: the tenant's template for the channel; else only this rule's alerts. */
    thresholdRuleId: uuid().references(() => thresholdRules.id, { onDelete: "cascade" }),
    /** Email only: the subject line (plain text). */
    subject: text(),
    body: text().notNull(),
    updatedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("alert_templates_tenant_channel")
      .on(t.orgId, t.channel)
      .where(sql`threshold_rule_id is null`),
    uniqueIndex("alert_templates_rule_channel")
      .on(t.orgId, t.channel, t.thresholdRuleId)
      .where(sql`threshold_rule_id is not null`),
    index("alert_templates_rule_idx").on(t.thresholdRuleId),
  ],
);

export type AlertTemplate = typeof alertTemplates.$inferSelect;

import {
  type AnyPgColumn,
  boolean,
  doublePrecision,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { escalationPolicies } from "./oncall";
import { organizations } from "./organizations";
import { IMPACTS, INCIDENT_CATEGORIES } from "./jobs";

/** Threshold rules on a tenant's own metrics (balance, CPS, channels, ASR, ACD, PDD, ...). */
export const THRESHOLD_OPERATORS = ["lt", "gt", "eq"] as const;
export type ThresholdOperator = (typeof THRESHOLD_OPERATORS)[number];
export const RULE_STATES = ["ok", "firing"] as const;

export const thresholdOperator = pgEnum("threshold_operator", THRESHOLD_OPERATORS);
export const ruleState = pgEnum("rule_state", RULE_STATES);
export const ruleCategory = pgEnum("rule_category", INCIDENT_CATEGORIES);
export const ruleImpact = pgEnum("rule_impact", IMPACTS);

export const metricSamples = pgTable(
  "metric_samples",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    metric: text().notNull(),
    value: doublePrecision().notNull(),
    at: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    index("metric_samples_org_metric_at_idx").on(t.orgId, t.metric, t.at),
    // Retention prunes samples by age across organizations (lib/retention).
    index("metric_samples_at_idx").on(t.at),
  ],
);

export const thresholdRules = pgTable(
  "threshold_rules",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text().notNull(),
    metric: text().notNull(),
    operator: thresholdOperator().notNull(),
    threshold: doublePrecision().notNull(),
    /** Minutes of samples averaged; 0 compares the latest sample alone. */
    samplePeriodMinutes: integer().notNull().default(0),
    category: ruleCategory().notNull().default("configurable"),
    impact: ruleImpact().notNull().default("minor"),
    enabled: boolean().notNull().default(true),
    state: ruleState().notNull().default("ok"),
    lastValue: doublePrecision(),
    lastEvaluatedAt: timestamp({ withTimezone: true }),
    stateChangedAt: timestamp({ withTimezone: true }),
    /** The escalation policy paged when the rule fires (lib/oncall); null: none. */
    escalationPolicyId: uuid().references((): AnyPgColumn => escalationPolicies.id, {
      onDelete: "set null",
    }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("threshold_rules_org_metric_idx").on(t.orgId, t.metric)],
);

export type ThresholdRule = typeof thresholdRules.$inferSelect;
export type MetricSample = typeof metricSamples.$inferSelect;

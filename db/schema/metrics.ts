import { sql } from "drizzle-orm";
import {
  bigint,
  type AnyPgColumn,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
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
export const THRESHOLD_OPERATORS = ["lt", "gt", "eq", "le", "ge"] as const;
export type ThresholdOperator = (typeof THRESHOLD_OPERATORS)[number];
/** "ok" is the seed's normal state; "pending" waits out the pending period; "nodata" after a silence. */
export const RULE_STATES = ["ok", "firing", "pending", "nodata"] as const;
export type RuleState = (typeof RULE_STATES)[number];
export const AGGREGATIONS = ["avg", "min", "max", "sum", "count", "last"] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];
/** The seed's "Area": the part of the system a rule watches (mapped to an alert category). */
export const RULE_AREAS = ["billing", "routing_voice", "messaging", "api", "other"] as const;
export type RuleArea = (typeof RULE_AREAS)[number];
/** Metrics computed from call records over the sample period rather than read from samples. */
export const CALL_METRICS = ["asr", "acd", "pdd", "attempts"] as const;
export type CallMetric = (typeof CALL_METRICS)[number];
export type Labels = Record<string, string>;

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
    /** Labels rules filter on (region, trunk, …); {} when none. */
    labels: jsonb().$type<Labels>().notNull().default({}),
  },
  (t) => [
    index("metric_samples_org_metric_at_idx").on(t.orgId, t.metric, t.at),
    // Retention prunes samples by age across organizations (lib/retention).
    index("metric_samples_at_idx").on(t.at),
    // The per-tenant cap counts a tenant's samples and deletes its oldest (lib/metrics/storage-cap.ts).
    index("metric_samples_org_at_idx").on(t.orgId, t.at),
  ],
);

/**
 * Call records (CDR summaries) from which ASR, ACD and PDD are computed over a rule's sample
 * period. Compact: no UUID, a bigint identity key, and only what the metrics need.
 */
export const callRecords = pgTable(
  "call_records",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    at: timestamp({ withTimezone: true }).notNull(),
    answered: boolean().notNull(),
    durationSeconds: doublePrecision().notNull().default(0),
    pddMs: integer(),
    region: text(),
    trunk: text(),
  },
  (t) => [
    index("call_records_org_at_idx").on(t.orgId, t.at),
    // Retention prunes by age across organizations (lib/retention).
    index("call_records_at_idx").on(t.at),
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
    /** Back on the safe side of this value the rule resets (hysteresis); null: when the condition stops. */
    resetThreshold: doublePrecision(),
    /** The window (minutes, 1 to 1440) the aggregation or the call metric is computed over. */
    samplePeriodMinutes: integer().notNull().default(60),
    aggregation: text().$type<Aggregation>().notNull().default("last"),
    /** Only samples (or calls: region, trunk) carrying all these labels count. */
    labelFilter: jsonb().$type<Labels>().notNull().default({}),
    /** ASR, ACD, PDD: fewer calls than this in the window is not enough to judge. */
    minCalls: integer().notNull().default(0),
    /** The condition must hold this long before the rule fires. */
    pendingSeconds: integer().notNull().default(0),
    /** While firing, alert again this often; 0: once. */
    repeatMinutes: integer().notNull().default(0),
    /** No sample or call for this long: state "nodata"; null: never. */
    noDataMinutes: integer(),
    /** Alert (and open an incident) on no data, or only show it. */
    noDataAlert: boolean().notNull().default(false),
    area: text().$type<RuleArea>().notNull().default("other"),
    contactEmails: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    contactPhones: text()
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    category: ruleCategory().notNull().default("configurable"),
    /** The severity of the incident and alerts it raises. */
    impact: ruleImpact().notNull().default("minor"),
    enabled: boolean().notNull().default(true),
    state: ruleState().notNull().default("ok"),
    pendingSince: timestamp({ withTimezone: true }),
    lastNotifiedAt: timestamp({ withTimezone: true }),
    /** The tenant-only incident this rule opened and has not resolved. */
    incidentId: uuid(),
    lastValue: doublePrecision(),
    lastEvaluatedAt: timestamp({ withTimezone: true }),
    stateChangedAt: timestamp({ withTimezone: true }),
    /** The escalation policy paged when the rule fires (lib/oncall); null: none. */
    escalationPolicyId: uuid().references((): AnyPgColumn => escalationPolicies.id, {
      onDelete: "set null",
    }),
    /**
     * A script condition in CEL over the window's aggregates and labels (lib/metrics/condition.ts),
     * ANDed with the threshold comparison; null: the comparison alone.
     */
    condition: text(),
    /** Why the condition could not be evaluated at the last evaluation; null: it could. */
    conditionError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("threshold_rules_org_metric_idx").on(t.orgId, t.metric)],
);

export type ThresholdRule = typeof thresholdRules.$inferSelect;
export type MetricSample = typeof metricSamples.$inferSelect;
export type CallRecord = typeof callRecords.$inferSelect;

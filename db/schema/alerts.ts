import { sql } from "drizzle-orm";
import {
  boolean,
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
import { ALERT_CATEGORIES, IMPACTS, type AlertCategory } from "./jobs";
import { organizations, TENANT_ROLES } from "./organizations";

/** Alert settings of one tenant: what it wants to hear about, on which channels, and when. */

export const CHANNELS = ["email", "sms", "slack", "teams", "webhook", "in_app"] as const;
export type Channel = (typeof CHANNELS)[number];
export const ENDPOINT_TYPES = ["webhook", "slack", "teams"] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];
export const RECIPIENT_CHANNELS = ["email", "sms"] as const;
export type RecipientChannel = (typeof RECIPIENT_CHANNELS)[number];
export const DIGEST_MODES = ["immediate", "hourly", "daily"] as const;
export type DigestMode = (typeof DIGEST_MODES)[number];

export const channel = pgEnum("channel", CHANNELS);
export const endpointType = pgEnum("endpoint_type", ENDPOINT_TYPES);
export const digestMode = pgEnum("digest_mode", DIGEST_MODES);
export const tenantRole = pgEnum("tenant_role", TENANT_ROLES);
export const incidentCategory = pgEnum("incident_category", ALERT_CATEGORIES);
export const impact = pgEnum("impact", IMPACTS);

export type CategoryToggles = Record<AlertCategory, boolean>;

export const alertSettings = pgTable("alert_settings", {
  orgId: uuid()
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  categories: jsonb().$type<CategoryToggles>().notNull(),
  /** Tenant-wide filters: empty arrays mean "every component / region". */
  componentIds: jsonb()
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'::jsonb`),
  regionIds: jsonb()
    .$type<string[]>()
    .notNull()
    .default(sql`'[]'::jsonb`),
  minImpact: impact().notNull().default("none"),
  digestMode: digestMode().notNull().default("immediate"),
  /** Quiet hours as minutes after local midnight in timeZone; start > end spans midnight. */
  quietEnabled: boolean().notNull().default(false),
  quietStart: integer()
    .notNull()
    .default(22 * 60),
  quietEnd: integer()
    .notNull()
    .default(7 * 60),
  timeZone: text().notNull().default("Asia/Kolkata"),
  quietAllowCritical: boolean().notNull().default(true),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * The channel × role-group matrix, one row per (category, role group, channel). `topic`, when
 * set, narrows the cell to notifications carrying that topic (seed 000: "SMS (low balance)").
 */
export const alertRules = pgTable(
  "alert_rules",
  {
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    category: incidentCategory().notNull(),
    roleGroup: tenantRole().notNull(),
    channel: channel().notNull(),
    enabled: boolean().notNull(),
    topic: text(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.category, t.roleGroup, t.channel] })],
);

/** Extra email addresses and phone numbers that receive what their role group receives. */
export const alertRecipients = pgTable(
  "alert_recipients",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    channel: channel().notNull().$type<RecipientChannel>(),
    address: text().notNull(),
    roleGroup: tenantRole().notNull(),
    /**
     * Set when the provider reported the address as unreachable for good (a hard bounce, a spam
     * complaint, an unknown or opted-out phone number), so admins see it and can fix or remove it.
     */
    undeliverableAt: timestamp({ withTimezone: true }),
    undeliverableReason: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("alert_recipients_org_addr_key").on(t.orgId, t.channel, t.address, t.roleGroup),
  ],
);

/**
 * Slack / Teams incoming webhooks and custom signed webhooks. URLs and secrets are encrypted at
 * rest (lib/crypto/secrets.ts); `urlHint` is the host, for lists. A null roleGroup means the
 * endpoint receives a category whenever any role group has its channel ticked.
 */
/** Why Beacon switched an endpoint off: it answered 410 Gone, or every delivery failed for days. */
export const ENDPOINT_DISABLED_CAUSES = ["gone", "failing"] as const;
export type EndpointDisabledCause = (typeof ENDPOINT_DISABLED_CAUSES)[number];

export const alertEndpoints = pgTable(
  "alert_endpoints",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    type: endpointType().notNull(),
    name: text().notNull(),
    urlEncrypted: text().notNull(),
    urlHint: text().notNull(),
    secretEncrypted: text(),
    previousSecretEncrypted: text(),
    previousSecretExpiresAt: timestamp({ withTimezone: true }),
    roleGroup: tenantRole(),
    componentIds: jsonb()
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    regionIds: jsonb()
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    minImpact: impact().notNull().default("none"),
    enabled: boolean().notNull().default(true),
    disabledReason: text(),
    /** When Beacon switched it off (null: enabled, or disabled before this was recorded). */
    disabledAt: timestamp({ withTimezone: true }),
    /** Why Beacon switched it off (null: enabled, or not recorded); planning's skip reason names it. */
    disabledCause: text().$type<EndpointDisabledCause>(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  // By organization, then id: a large fan-out plans its endpoints in id ranges (see lib/alerts/plan/parts.ts).
  (t) => [index("alert_endpoints_org_id_idx").on(t.orgId, t.id)],
);

export type AlertSettings = typeof alertSettings.$inferSelect;
export type AlertRule = typeof alertRules.$inferSelect;
export type AlertRecipient = typeof alertRecipients.$inferSelect;
export type AlertEndpoint = typeof alertEndpoints.$inferSelect;

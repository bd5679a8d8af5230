import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * Visitors of the public status page who asked to hear about public incidents and maintenance.
 * Not members of any organization. An email subscriber counts only once confirmed (double
 * opt-in); a webhook subscriber is confirmed at creation, since only its owner receives the secret.
 * Unsubscribe links are HMAC-signed subscriber ids (lib/subscribers/tokens.ts), so no token is stored.
 * Unconfirmed rows whose link has expired are deleted by the job drivers' sweep.
 */
export const SUBSCRIBER_KINDS = ["email", "webhook"] as const;
export type SubscriberKind = (typeof SUBSCRIBER_KINDS)[number];
export const subscriberKind = pgEnum("subscriber_kind", SUBSCRIBER_KINDS);

export const publicSubscribers = pgTable(
  "public_subscribers",
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: subscriberKind().notNull(),
    /** Lower-cased address (email subscribers only). */
    email: text(),
    /** Webhook subscribers: the URL and the whsec_ secret, both encrypted at rest. */
    urlEncrypted: text(),
    urlHint: text(),
    secretEncrypted: text(),
    /** After a rotation the old secret keeps signing alongside the new one until this time. */
    previousSecretEncrypted: text(),
    previousSecretExpiresAt: timestamp({ withTimezone: true }),
    /**
     * Webhook subscribers: sha256 of the management token (bsm_…) given once at subscribe time,
     * with which the subscriber rotates its own secret. It mints signing secrets, so only its hash
     * is kept and it never goes in a URL.
     */
    manageTokenHash: text(),
    /** Empty means everything. */
    componentIds: jsonb()
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    regionIds: jsonb()
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    /** Maintenance notices only: incidents are not sent (the subscriber's own choice). */
    maintenanceOnly: boolean().notNull().default(false),
    /**
     * Postmortem notices: sent when a postmortem is published with "notify subscribers" ticked.
     * On unless the subscriber opts out (Statuspage sends them to every incident subscriber).
     */
    postmortemNotices: boolean().notNull().default(true),
    /** sha256 of the emailed confirmation token; cleared once confirmed. */
    confirmTokenHash: text(),
    confirmedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("public_subscribers_confirm_idx").on(t.confirmTokenHash),
    index("public_subscribers_email_idx").on(t.email),
    index("public_subscribers_confirmed_idx")
      .on(t.kind)
      .where(sql`confirmed_at is not null`),
    // The sweep deletes expired unconfirmed rows; this keeps it from reading confirmed ones.
    index("public_subscribers_unconfirmed_idx")
      .on(t.createdAt)
      .where(sql`confirmed_at is null`),
    uniqueIndex("public_subscribers_manage_token_idx").on(t.manageTokenHash),
  ],
);

export type PublicSubscriber = typeof publicSubscribers.$inferSelect;

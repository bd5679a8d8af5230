import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
/** The two kinds of organization: the one platform operator and its customer tenants. */
export const ORG_KINDS = ["platform", "tenant"] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

/** The platform organization's slug: it owns the status page, its catalogue and its subscribers. */
export const PLATFORM_SLUG = "platform";

/** Roles a membership can hold; permissions per role are in lib/auth/roles.ts. */
export const TENANT_ROLES = [
  "org_admin",
  "billing_admin",
  "tech_devops",
  "support_manager",
] as const;
export const PLATFORM_ROLES = ["platform_admin", "responder", "support_agent"] as const;
export const ROLES = [...TENANT_ROLES, ...PLATFORM_ROLES] as const;
export type Role = (typeof ROLES)[number];
export type TenantRole = (typeof TENANT_ROLES)[number];

export const orgKind = pgEnum("org_kind", ORG_KINDS);
export const role = pgEnum("role", ROLES);

export const organizations = pgTable("organizations", {
  id: uuid().primaryKey().defaultRandom(),
  slug: text().notNull().unique(),
  name: text().notNull(),
  kind: orgKind().notNull(),
  /**
   * Set while a platform admin has suspended the tenant: its members cannot act in it, its API
   * keys are refused and planning routes it nothing. Nothing is deleted; clearing it restores all.
   */
  suspendedAt: timestamp({ withTimezone: true }),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * First-run setup links: sha256 of each token a server printed at start while no platform admin
 * existed (one per start, so any instance's link works). All are deleted when setup completes.
 */
export const setupTokens = pgTable("setup_tokens", {
  tokenHash: text().primaryKey(),
  expiresAt: timestamp({ withTimezone: true }).notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const users = pgTable(
  "users",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** Always stored lower-case; see lib/auth/normalize.ts. */
    email: text().notNull(),
    name: text().notNull().default(""),
    phone: text(),
    passwordHash: text(),
    emailVerifiedAt: timestamp({ withTimezone: true }),
    /**
     * Sessions issued before the user's current epoch are refused (lib/auth/session-epoch.ts).
     * Bumped when the address is first proven, the password changes, or a membership is removed.
     */
    sessionEpoch: integer().notNull().default(0),
    /**
     * When the user last signed in (any way: password, email link, after accepting an invitation
     * or setup); recorded when a session is issued. Null: never since this was recorded. The
     * activation checklist's "signed in" item reads it (lib/activation/).
     */
    lastSignedInAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email)],
);

export const memberships = pgTable(
  "memberships",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: role().notNull(),
    /** Extra permissions granted by an admin on top of the role (only GRANTABLE_PERMISSIONS). */
    grants: jsonb()
      .$type<string[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    /**
     * The member's own choice for user-level warnings (kind "user.warning"): always in-app, and by
     * email / SMS only when opted in here. Per membership, not per user: the warnings are about one
     * organization's things, and someone in two organizations may want email from only one.
     */
    warningEmail: boolean().notNull().default(false),
    warningSms: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("memberships_org_user_key").on(t.orgId, t.userId),
    index("memberships_user_idx").on(t.userId),
  ],
);

export const invitations = pgTable(
  "invitations",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    email: text().notNull(),
    role: role().notNull(),
    /** sha256 of the token in the link; the token itself is never stored. */
    tokenHash: text().notNull().unique(),
    invitedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    acceptedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    /**
     * Accepting without a session first proves the invited address: sha256 of the one-time code
     * emailed to it, and when that code stops working. Only the latest code is kept.
     */
    verifyTokenHash: text().unique(),
    verifyExpiresAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("invitations_org_idx").on(t.orgId),
    // Retention deletes invitations never accepted, some time after they expired (lib/retention).
    index("invitations_expires_idx")
      .on(t.expiresAt)
      .where(sql`accepted_at is null`),
  ],
);

export type Organization = typeof organizations.$inferSelect;
export type User = typeof users.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export type Invitation = typeof invitations.$inferSelect;

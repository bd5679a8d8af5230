import { integer, pgTable, primaryKey, text, timestamp, uuid, index } from "drizzle-orm/pg-core";
import { organizations, role, users } from "./organizations";

export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text().notNull(),
    role: role().notNull(),
    /** First characters of the key, shown in lists so a key can be recognised. */
    prefix: text().notNull(),
    /** sha256 of the whole key. Keys are 32 random bytes, so a fast hash is enough. */
    keyHash: text().notNull().unique(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("api_keys_org_idx").on(t.orgId)],
);

/** Magic-link tokens (Auth.js verification tokens), stored hashed by Auth.js. */
export const verificationTokens = pgTable(
  "verification_tokens",
  {
    identifier: text().notNull(),
    token: text().notNull(),
    expires: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.identifier, t.token] }),
    // Expired tokens are pruned by expiry (lib/auth/prune.ts).
    index("verification_tokens_expires_idx").on(t.expires),
  ],
);

/**
 * Rate-limit counters (sign-in, sign-in links, subscribing, test alerts…). A fixed-window counter
 * uses `count` and `resetAt`; a backoff counter (failed sign-ins per account and address) also
 * sets `blockedUntil`, always before `resetAt`, which is when its failures are forgotten and the
 * row may be pruned.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text().primaryKey(),
    count: integer().notNull().default(0),
    resetAt: timestamp({ withTimezone: true }).notNull(),
    blockedUntil: timestamp({ withTimezone: true }),
  },
  // Ended windows are pruned by resetAt (lib/auth/prune.ts).
  (t) => [index("rate_limits_reset_idx").on(t.resetAt)],
);

/**
 * "Forgot password" links (lib/auth/password-reset.ts): sha256 of the token in the emailed link
 * (the token itself is never stored), when it stops working, and when it was used. Using one, or
 * setting a password any other way, uses up every other link of the user.
 */
export const passwordResetTokens = pgTable(
  "password_reset_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text().notNull().unique(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("password_reset_tokens_user_idx").on(t.userId),
    index("password_reset_tokens_expires_idx").on(t.expiresAt),
  ],
);

export type ApiKey = typeof apiKeys.$inferSelect;
export type PasswordResetToken = typeof passwordResetTokens.$inferSelect;

import { customType, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

/** Raw bytes (PostgreSQL `bytea`), read back as a Buffer on both engines. */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (value) => value,
  fromDriver: (value) => Buffer.from(value),
});

/**
 * The public status page's own settings, one row for the platform organization (which owns the
 * page). No row, or a null column, means the default: the page as it was before settings
 * existed (the platform organization's name, Beacon's colours, APP_URL, UTC, no banner).
 */
export const statusPageSettings = pgTable("status_page_settings", {
  orgId: uuid()
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  /** Shown as "<name> status"; null: the platform organization's name. */
  name: text(),
  /** `#rrggbb`; null: Beacon's default header. */
  brandColor: text(),
  /** https URL of the public page; null: APP_URL. */
  publicUrl: text(),
  supportUrl: text(),
  contactUrl: text(),
  /** IANA zone the page shows times in before the visitor's browser takes over. */
  timeZone: text().notNull().default("UTC"),
  /** Markdown source of the banner at the top of the page; null: none. */
  notice: text(),
  logo: bytea(),
  logoContentType: text(),
  /** sha256 of the logo bytes (hex, first 32 characters): part of its public URL. */
  logoHash: text(),
  logoBytes: integer(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export type StatusPageSettingsRow = typeof statusPageSettings.$inferSelect;

import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

/** What the status page shows: components (in groups) and regions (POPs), owned by the platform org. */

export const componentGroups = pgTable("component_groups", {
  id: uuid().primaryKey().defaultRandom(),
  orgId: uuid()
    .notNull()
    .references(() => organizations.id, { onDelete: "cascade" }),
  name: text().notNull(),
  position: integer().notNull().default(0),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const components = pgTable(
  "components",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    groupId: uuid().references(() => componentGroups.id, { onDelete: "set null" }),
    name: text().notNull(),
    description: text().notNull().default(""),
    position: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("components_org_idx").on(t.orgId),
    uniqueIndex("components_org_name_key").on(t.orgId, t.name),
  ],
);

export const regions = pgTable(
  "regions",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** Short code shown in compact views, e.g. "BOM". */
    code: text().notNull(),
    name: text().notNull(),
    position: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("regions_org_code_key").on(t.orgId, t.code)],
);

export type ComponentGroup = typeof componentGroups.$inferSelect;
export type Component = typeof components.$inferSelect;
export type Region = typeof regions.$inferSelect;

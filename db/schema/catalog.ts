import { sql } from "drizzle-orm";
import {
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { organizations } from "./organizations";

/**
 * What the status page shows: components (in groups) and regions (POPs), owned by the platform org,
 * and which components run in which regions (`component_regions`: the matrix's real cells).
 * A component, region or cell with incident or maintenance history is archived (`archivedAt`)
 * rather than deleted, so incident pages and uptime keep it; names and codes need only be unique
 * among the live ones.
 */

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
    /** Statuspage's `showcase`: listed with its uptime bars. */
    showcase: boolean().notNull().default(true),
    /** Statuspage's `only_show_if_degraded`: hidden on the page while operational. */
    onlyShowIfDegraded: boolean().notNull().default(false),
    archivedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("components_org_idx").on(t.orgId),
    uniqueIndex("components_org_name_key")
      .on(t.orgId, t.name)
      .where(sql`${t.archivedAt} is null`),
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
    archivedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("regions_org_code_key")
      .on(t.orgId, t.code)
      .where(sql`${t.archivedAt} is null`),
  ],
);

/**
 * The component runs in the region: a real cell of the matrix. Observed for uptime from
 * `createdAt`; a cell taken away that has history keeps its row with `archivedAt` set.
 */
export const componentRegions = pgTable(
  "component_regions",
  {
    componentId: uuid()
      .notNull()
      .references(() => components.id, { onDelete: "cascade" }),
    regionId: uuid()
      .notNull()
      .references(() => regions.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    archivedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.componentId, t.regionId] }),
    index("component_regions_region_idx").on(t.regionId),
  ],
);

export type ComponentGroup = typeof componentGroups.$inferSelect;
export type Component = typeof components.$inferSelect;
export type Region = typeof regions.$inferSelect;
export type ComponentRegion = typeof componentRegions.$inferSelect;

import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "@/db";
import {
  componentGroups,
  componentRegions,
  components,
  organizations,
  PLATFORM_SLUG,
  regions,
} from "@/db/schema";

/**
 * The status page's live catalogue: the platform organization's component groups, components and
 * regions (archived ones left out), the real cells (`componentId:regionId`, the pairs a component
 * runs in), and the names of everything it has had, archived included, for history.
 */
export async function readCatalog(db: Db) {
  const [platform] = await db
    .select()
    .from(organizations)
    .where(eq(organizations.slug, PLATFORM_SLUG));
  if (!platform)
    return {
      page: null,
      groups: [],
      regions: [],
      cells: [] as string[],
      names: { components: [], regions: [] },
    };
  const [groups, comps, regs, cellRows] = await Promise.all([
    db
      .select()
      .from(componentGroups)
      .where(eq(componentGroups.orgId, platform.id))
      .orderBy(asc(componentGroups.position), asc(componentGroups.createdAt)),
    db
      .select()
      .from(components)
      .where(eq(components.orgId, platform.id))
      .orderBy(asc(components.position), asc(components.createdAt)),
    db
      .select()
      .from(regions)
      .where(eq(regions.orgId, platform.id))
      .orderBy(asc(regions.position), asc(regions.createdAt)),
    db
      .select({ componentId: componentRegions.componentId, regionId: componentRegions.regionId })
      .from(componentRegions)
      .innerJoin(components, eq(components.id, componentRegions.componentId))
      .innerJoin(regions, eq(regions.id, componentRegions.regionId))
      .where(
        and(
          eq(components.orgId, platform.id),
          isNull(componentRegions.archivedAt),
          isNull(components.archivedAt),
          isNull(regions.archivedAt),
        ),
      ),
  ]);
  const live = comps.filter((c) => !c.archivedAt);
  const grouped = groups.map((g) => ({
    ...g,
    components: live.filter((c) => c.groupId === g.id),
  }));
  const ungrouped = live.filter((c) => !c.groupId);
  if (ungrouped.length)
    grouped.push({
      id: "ungrouped",
      orgId: platform.id,
      name: "Other",
      position: 999,
      createdAt: platform.createdAt,
      components: ungrouped,
    });
  return {
    page: { id: platform.id, name: platform.name },
    groups: grouped,
    regions: regs.filter((r) => !r.archivedAt),
    cells: cellRows.map((c) => `${c.componentId}:${c.regionId}`),
    names: {
      components: comps.map((c) => ({ id: c.id, name: c.name })),
      regions: regs.map((r) => ({ id: r.id, code: r.code, name: r.name })),
    },
  };
}

import { asc, eq } from "drizzle-orm";
import type { Db } from "@/db";
import { componentGroups, components, organizations, PLATFORM_SLUG, regions } from "@/db/schema";

/** The status page's catalogue: the platform organization's component groups and regions. */
export async function readCatalog(db: Db) {
  const [platform] = await db
    .select()
    .from(organizations)
    .where(eq(organizations.slug, PLATFORM_SLUG));
  if (!platform) return { page: null, groups: [], regions: [] };
  const [groups, comps, regs] = await Promise.all([
    db
      .select()
      .from(componentGroups)
      .where(eq(componentGroups.orgId, platform.id))
      .orderBy(asc(componentGroups.position)),
    db
      .select()
      .from(components)
      .where(eq(components.orgId, platform.id))
      .orderBy(asc(components.position)),
    db.select().from(regions).where(eq(regions.orgId, platform.id)).orderBy(asc(regions.position)),
  ]);
  const grouped = groups.map((g) => ({
    ...g,
    components: comps.filter((c) => c.groupId === g.id),
  }));
  const ungrouped = comps.filter((c) => !c.groupId);
  if (ungrouped.length)
    grouped.push({
      id: "ungrouped",
      orgId: platform.id,
      name: "Other",
      position: 999,
      createdAt: platform.createdAt,
      components: ungrouped,
    });
  return { page: { id: platform.id, name: platform.name }, groups: grouped, regions: regs };
}

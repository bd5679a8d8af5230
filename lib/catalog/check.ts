import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import { componentRegions, components, organizations, PLATFORM_SLUG, regions } from "@/db/schema";
import { ValidationError, type FieldIssue } from "@/lib/errors";

interface CatalogIds {
  componentIds: readonly string[];
  regionIds: readonly string[];
}

/**
 * The catalogue check everything else words its own way: which of these component and region ids
 * are not in `ownerOrgId`'s catalogue. Without an owner, the status page's: the platform
 * organization's, the only one that has a catalogue. An empty list costs no query.
 */
export async function unknownCatalogIds(
  db: Tx | Db,
  ids: CatalogIds,
  ownerOrgId?: string,
): Promise<{ componentIds: Set<string>; regionIds: Set<string> }> {
  const owner = ownerOrgId ?? statusPageOwner(db);
  const componentIds = [...new Set(ids.componentIds)];
  const regionIds = [...new Set(ids.regionIds)];
  const foundC = componentIds.length
    ? await db
        .select({ id: components.id })
        .from(components)
        .where(
          and(
            typeof owner === "string"
              ? eq(components.orgId, owner)
              : inArray(components.orgId, owner),
            inArray(components.id, componentIds),
          ),
        )
    : [];
  const foundR = regionIds.length
    ? await db
        .select({ id: regions.id })
        .from(regions)
        .where(
          and(
            typeof owner === "string" ? eq(regions.orgId, owner) : inArray(regions.orgId, owner),
            inArray(regions.id, regionIds),
          ),
        )
    : [];
  const c = new Set(foundC.map((r) => r.id));
  const r = new Set(foundR.map((x) => x.id));
  return {
    componentIds: new Set(componentIds.filter((id) => !c.has(id))),
    regionIds: new Set(regionIds.filter((id) => !r.has(id))),
  };
}

function statusPageOwner(db: Tx | Db) {
  return db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.slug, PLATFORM_SLUG));
}

/** Alert and subscription filters: each id not in the status page's catalogue is named. */
export async function checkCatalogIds(
  db: Tx | Db,
  filters: { componentIds: string[]; regionIds: string[] },
  prefix: string,
): Promise<FieldIssue[]> {
  const unknown = await unknownCatalogIds(db, filters);
  const issues: FieldIssue[] = [];
  filters.componentIds.forEach((id, i) => {
    if (unknown.componentIds.has(id))
      issues.push({ field: `${prefix}.componentIds.${i}`, message: "is not a known component" });
  });
  filters.regionIds.forEach((id, i) => {
    if (unknown.regionIds.has(id))
      issues.push({ field: `${prefix}.regionIds.${i}`, message: "is not a known region" });
  });
  return issues;
}

/**
 * Incident and maintenance cells: components and regions are the status page owner's (`orgId`),
 * ids from anywhere else are refused, each pair is listed once, and each is a real cell: a live
 * component that runs in that live region (`component_regions`, none of them archived). Call it
 * holding the status lock (`lockStatus`), which catalogue changes take too.
 */
export async function checkCells(
  tx: Tx,
  orgId: string,
  cells: readonly { componentId: string; regionId: string }[],
) {
  if (cells.length === 0) return;
  const unknown = await unknownCatalogIds(
    tx,
    { componentIds: cells.map((c) => c.componentId), regionIds: cells.map((c) => c.regionId) },
    orgId,
  );
  const real = await realCells(
    tx,
    cells.map((c) => c.componentId),
  );
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  cells.forEach((c, i) => {
    const known = !unknown.componentIds.has(c.componentId) && !unknown.regionIds.has(c.regionId);
    if (known && !real.has(`${c.componentId}:${c.regionId}`))
      issues.push({
        field: `cells.${i}`,
        message: "is not a cell of this status page: that component does not run in that region",
      });
    if (unknown.componentIds.has(c.componentId))
      issues.push({
        field: `cells.${i}.componentId`,
        message: "is not a component of this status page",
      });
    if (unknown.regionIds.has(c.regionId))
      issues.push({ field: `cells.${i}.regionId`, message: "is not a region of this status page" });
    const key = `${c.componentId}:${c.regionId}`;
    if (seen.has(key))
      issues.push({ field: `cells.${i}`, message: "lists the same component and region twice" });
    seen.add(key);
  });
  if (issues.length) throw new ValidationError(issues);
}

/** The live cells (`componentId:regionId`) of these components. */
async function realCells(tx: Tx, componentIds: string[]): Promise<Set<string>> {
  const rows = await tx
    .select({ componentId: componentRegions.componentId, regionId: componentRegions.regionId })
    .from(componentRegions)
    .innerJoin(components, eq(components.id, componentRegions.componentId))
    .innerJoin(regions, eq(regions.id, componentRegions.regionId))
    .where(
      and(
        inArray(componentRegions.componentId, [...new Set(componentIds)]),
        isNull(componentRegions.archivedAt),
        isNull(components.archivedAt),
        isNull(regions.archivedAt),
      ),
    );
  return new Set(rows.map((r) => `${r.componentId}:${r.regionId}`));
}

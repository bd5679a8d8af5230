import { and, asc, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Tx } from "@/db";
import {
  cellStatusIntervals,
  componentGroups,
  componentRegions,
  components,
  incidentCells,
  incidents,
  incidentUpdateCells,
  maintenanceCells,
  maintenances,
  regions,
  type Component,
  type ComponentGroup,
  type Region,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, withTransaction, type Ctx } from "@/lib/context";
import { ConflictError, NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { idOf, parseTargetInput } from "@/lib/ids";
import { lockStatus } from "@/lib/status/intervals";
import { MAX_NAME, storable } from "@/lib/validation";

/**
 * The status page's catalogue, managed by platform admins (`components:manage`): component
 * groups, components, regions (POPs) and which components run in which regions (the real cells).
 *
 * Every change takes the status lock (`lockStatus`), so it drops the status snapshot on every
 * instance once it commits and never interleaves with an incident or maintenance verb. A
 * component, region or cell with incident or maintenance history is archived, not deleted: the
 * incident pages keep naming it and uptime keeps counting it up to then. One with an incident or
 * maintenance still open cannot be taken away at all (resolve or complete it first).
 */

export const MAX_POSITION = 10_000;
export const MAX_DESCRIPTION = 1_000;

const name = storable(
  z
    .string({ message: "must be text" })
    .trim()
    .min(1, "is required")
    .max(MAX_NAME, `must be at most ${MAX_NAME} characters`),
);
const description = storable(
  z
    .string({ message: "must be text" })
    .trim()
    .max(MAX_DESCRIPTION, `must be at most ${MAX_DESCRIPTION} characters`),
);
const code = z
  .string({ message: "must be text" })
  .trim()
  .regex(/^[A-Za-z0-9-]{2,12}$/, "must be 2 to 12 letters, digits or hyphens, e.g. BOM")
  .transform((s) => s.toUpperCase());
const position = z
  .number({ message: "must be a whole number" })
  .int("must be a whole number")
  .min(0, `must be between 0 and ${MAX_POSITION}`)
  .max(MAX_POSITION, `must be between 0 and ${MAX_POSITION}`);
const direction = z.enum(["up", "down"], { message: 'must be "up" or "down"' });
const flag = z.boolean({ message: "must be true or false" });

export const GroupInput = z.strictObject({ name, position: position.optional() });
export const GroupUpdate = z.strictObject({
  id: idOf("group"),
  name: name.optional(),
  position: position.optional(),
});
export const ComponentInput = z.strictObject({
  name,
  description: description.optional(),
  groupId: idOf("group").nullable().optional(),
  position: position.optional(),
  showcase: flag.optional(),
  onlyShowIfDegraded: flag.optional(),
  /** The regions it runs in; left out, every live region. */
  regionIds: z.array(idOf("region")).max(500).optional(),
});
export const ComponentUpdate = z.strictObject({
  id: idOf("component"),
  name: name.optional(),
  description: description.optional(),
  groupId: idOf("group").nullable().optional(),
  position: position.optional(),
  showcase: flag.optional(),
  onlyShowIfDegraded: flag.optional(),
  regionIds: z.array(idOf("region")).max(500).optional(),
});
export const RegionInput = z.strictObject({
  code,
  name,
  position: position.optional(),
  /** The components that run in it; left out, every live component. */
  componentIds: z.array(idOf("component")).max(500).optional(),
});
export const RegionUpdate = z.strictObject({
  id: idOf("region"),
  code: code.optional(),
  name: name.optional(),
  position: position.optional(),
  componentIds: z.array(idOf("component")).max(500).optional(),
});
const Target = (what: string) => z.strictObject({ id: idOf(what) });
const Move = (what: string) => z.strictObject({ id: idOf(what), direction });
const CellsInput = z.strictObject({
  /** The rows of the grid being saved: only these components' cells change. */
  componentIds: z.array(idOf("component")).max(5_000),
  cells: z
    .array(z.strictObject({ componentId: idOf("component"), regionId: idOf("region") }))
    .max(20_000),
});

// ---------------------------------------------------------------- reads

export interface CatalogAdminView {
  groups: ComponentGroup[];
  components: (Component & { regionIds: string[] })[];
  regions: (Region & { componentIds: string[] })[];
}

/** The whole catalogue for its managers, archived items included (marked by `archivedAt`). */
export async function listCatalog({ ctx }: { ctx: Ctx }): Promise<CatalogAdminView> {
  requirePermission(ctx, "components:manage");
  const orgId = ctx.org.id;
  const [groups, comps, regs, cells] = await Promise.all([
    ctx.db
      .select()
      .from(componentGroups)
      .where(eq(componentGroups.orgId, orgId))
      .orderBy(asc(componentGroups.position), asc(componentGroups.createdAt)),
    ctx.db
      .select()
      .from(components)
      .where(eq(components.orgId, orgId))
      .orderBy(asc(components.position), asc(components.createdAt)),
    ctx.db
      .select()
      .from(regions)
      .where(eq(regions.orgId, orgId))
      .orderBy(asc(regions.position), asc(regions.createdAt)),
    ctx.db
      .select({ componentId: componentRegions.componentId, regionId: componentRegions.regionId })
      .from(componentRegions)
      .innerJoin(components, eq(components.id, componentRegions.componentId))
      .where(and(eq(components.orgId, orgId), isNull(componentRegions.archivedAt))),
  ]);
  return {
    groups,
    components: comps.map((c) => ({
      ...c,
      regionIds: cells.filter((x) => x.componentId === c.id).map((x) => x.regionId),
    })),
    regions: regs.map((r) => ({
      ...r,
      componentIds: cells.filter((x) => x.regionId === r.id).map((x) => x.componentId),
    })),
  };
}

// ---------------------------------------------------------------- shared

async function loadGroup(tx: Tx, ctx: Ctx, id: string) {
  const [g] = await tx
    .select()
    .from(componentGroups)
    .where(and(eq(componentGroups.id, id), eq(componentGroups.orgId, ctx.org.id)))
    .for("update");
  if (!g) throw new NotFoundError("Group");
  return g;
}
async function loadComponent(tx: Tx, ctx: Ctx, id: string) {
  const [c] = await tx
    .select()
    .from(components)
    .where(
      and(eq(components.id, id), eq(components.orgId, ctx.org.id), isNull(components.archivedAt)),
    )
    .for("update");
  if (!c) throw new NotFoundError("Component");
  return c;
}
async function loadRegion(tx: Tx, ctx: Ctx, id: string) {
  const [r] = await tx
    .select()
    .from(regions)
    .where(and(eq(regions.id, id), eq(regions.orgId, ctx.org.id), isNull(regions.archivedAt)))
    .for("update");
  if (!r) throw new NotFoundError("Region");
  return r;
}

/** A group id from input must be one of this catalogue's groups. */
async function checkGroup(tx: Tx, ctx: Ctx, groupId: string | null | undefined) {
  if (!groupId) return;
  const [g] = await tx
    .select({ id: componentGroups.id })
    .from(componentGroups)
    .where(and(eq(componentGroups.id, groupId), eq(componentGroups.orgId, ctx.org.id)));
  if (!g) throw new ValidationError([{ field: "groupId", message: "is not a group of this page" }]);
}

async function checkComponentName(tx: Tx, ctx: Ctx, value: string, self?: string) {
  const [other] = await tx
    .select({ id: components.id })
    .from(components)
    .where(
      and(
        eq(components.orgId, ctx.org.id),
        isNull(components.archivedAt),
        sql`lower(${components.name}) = lower(${value})`,
        self ? ne(components.id, self) : undefined,
      ),
    );
  if (other)
    throw new ValidationError([{ field: "name", message: "is already another component's name" }]);
}
async function checkRegionCode(tx: Tx, ctx: Ctx, value: string, self?: string) {
  const [other] = await tx
    .select({ id: regions.id })
    .from(regions)
    .where(
      and(
        eq(regions.orgId, ctx.org.id),
        isNull(regions.archivedAt),
        eq(regions.code, value),
        self ? ne(regions.id, self) : undefined,
      ),
    );
  if (other)
    throw new ValidationError([{ field: "code", message: "is already another region's code" }]);
}

/** Ids from input that are not live items of this catalogue, named by their field. */
async function checkIds(
  tx: Tx,
  ctx: Ctx,
  table: typeof components | typeof regions,
  ids: readonly string[],
  field: string,
  what: string,
) {
  if (ids.length === 0) return;
  const found = await tx
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.orgId, ctx.org.id), isNull(table.archivedAt), inArray(table.id, ids)));
  const known = new Set(found.map((r) => r.id));
  const issues = ids
    .map((id, i) => ({ id, i }))
    .filter(({ id }) => !known.has(id))
    .map(({ i }) => ({ field: `${field}.${i}`, message: `is not a ${what} of this page` }));
  if (issues.length) throw new ValidationError(issues);
}

type Cell = { componentId: string; regionId: string };
type CellColumns = { componentId: AnyPgColumn; regionId: AnyPgColumn };
const onCell = (t: CellColumns, c: { componentId?: string; regionId?: string }) =>
  and(
    c.componentId ? eq(t.componentId, c.componentId) : undefined,
    c.regionId ? eq(t.regionId, c.regionId) : undefined,
  );

/** Whether anything was ever recorded about the component, the region or the one cell. */
async function hasHistory(tx: Tx, c: { componentId?: string; regionId?: string }) {
  const tables = [incidentCells, incidentUpdateCells, maintenanceCells, cellStatusIntervals];
  for (const t of tables) {
    const [row] = await tx
      .select({ x: sql<number>`1` })
      .from(t)
      .where(onCell(t, c))
      .limit(1);
    if (row) return true;
  }
  return false;
}

/** An incident not resolved, or maintenance not completed, on the component / region / cell. */
async function openWorkOn(tx: Tx, c: { componentId?: string; regionId?: string }) {
  const [i] = await tx
    .select({ title: incidents.title })
    .from(incidentCells)
    .innerJoin(incidents, eq(incidents.id, incidentCells.incidentId))
    .where(and(onCell(incidentCells, c), ne(incidents.status, "resolved")))
    .limit(1);
  if (i) return `the open incident "${i.title}"`;
  const [m] = await tx
    .select({ title: maintenances.title })
    .from(maintenanceCells)
    .innerJoin(maintenances, eq(maintenances.id, maintenanceCells.maintenanceId))
    .where(and(onCell(maintenanceCells, c), ne(maintenances.status, "completed")))
    .limit(1);
  if (m) return `the maintenance "${m.title}", not yet completed`;
  return null;
}

async function refuseIfOpen(tx: Tx, c: { componentId?: string; regionId?: string }, what: string) {
  const open = await openWorkOn(tx, c);
  if (open) throw new ConflictError(`${what} is still affected by ${open}; resolve it first`);
}

/**
 * Makes the cells of `scope` (components, or regions) exactly `wanted`: new cells are added (or
 * an archived one brought back), cells left out are deleted, or archived when they have history.
 * A cell with open work on it cannot be taken away. Returns what changed.
 */
async function applyCells(
  tx: Tx,
  ctx: Ctx,
  scope: { componentIds?: string[]; regionIds?: string[] },
  wanted: readonly Cell[],
  now: Date,
) {
  const current = await tx
    .select({
      componentId: componentRegions.componentId,
      regionId: componentRegions.regionId,
      archivedAt: componentRegions.archivedAt,
    })
    .from(componentRegions)
    .innerJoin(components, eq(components.id, componentRegions.componentId))
    .where(
      and(
        eq(components.orgId, ctx.org.id),
        scope.componentIds ? inArray(componentRegions.componentId, scope.componentIds) : undefined,
        scope.regionIds ? inArray(componentRegions.regionId, scope.regionIds) : undefined,
      ),
    )
    .for("update", { of: componentRegions });
  const key = (c: Cell) => `${c.componentId}:${c.regionId}`;
  const want = new Set(wanted.map(key));
  const have = new Map(current.map((c) => [key(c), c]));
  const added: Cell[] = [];
  const removed: Cell[] = [];
  for (const c of wanted) {
    const row = have.get(key(c));
    if (row && !row.archivedAt) continue;
    if (added.some((a) => key(a) === key(c))) continue;
    added.push({ componentId: c.componentId, regionId: c.regionId });
    if (row)
      await tx
        .update(componentRegions)
        .set({ archivedAt: null })
        .where(
          and(
            eq(componentRegions.componentId, c.componentId),
            eq(componentRegions.regionId, c.regionId),
          ),
        );
    else
      await tx
        .insert(componentRegions)
        .values({ componentId: c.componentId, regionId: c.regionId, createdAt: now });
  }
  for (const row of current) {
    if (row.archivedAt || want.has(key(row))) continue;
    const cell = { componentId: row.componentId, regionId: row.regionId };
    await refuseIfOpen(tx, cell, "That cell");
    const where = and(
      eq(componentRegions.componentId, row.componentId),
      eq(componentRegions.regionId, row.regionId),
    );
    if (await hasHistory(tx, cell))
      await tx.update(componentRegions).set({ archivedAt: now }).where(where);
    else await tx.delete(componentRegions).where(where);
    removed.push(cell);
  }
  return { added, removed };
}

async function liveIds(tx: Tx, ctx: Ctx, table: typeof components | typeof regions) {
  const rows = await tx
    .select({ id: table.id })
    .from(table)
    .where(and(eq(table.orgId, ctx.org.id), isNull(table.archivedAt)));
  return rows.map((r) => r.id);
}

/** Swaps an item with its neighbour and numbers the siblings 0, 1, 2… in their new order. */
function reordered<T extends { id: string }>(siblings: T[], id: string, dir: "up" | "down") {
  const i = siblings.findIndex((s) => s.id === id);
  const j = dir === "up" ? i - 1 : i + 1;
  if (i < 0 || j < 0 || j >= siblings.length) return null;
  const out = [...siblings];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

const nextPosition = (rows: { position: number }[]) =>
  Math.min(
    MAX_POSITION,
    rows.reduce((m, r) => Math.max(m, r.position + 1), 0),
  );

// ---------------------------------------------------------------- groups

export async function createGroup({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "components:manage");
  const v = parseInput(GroupInput, input);
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    const existing = await tx
      .select({ position: componentGroups.position })
      .from(componentGroups)
      .where(eq(componentGroups.orgId, ctx.org.id));
    const [g] = await tx
      .insert(componentGroups)
      .values({ orgId: ctx.org.id, name: v.name, position: v.position ?? nextPosition(existing) })
      .returning();
    await recordAudit(tx, ctx, {
      action: "component_group.created",
      targetType: "component_group",
      targetId: g!.id,
      data: { name: g!.name },
    });
    return g!;
  });
}

export async function updateGroup({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "components:manage");
  const v = parseTargetInput(GroupUpdate, input, { field: "id", notFound: "Group" });
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    const before = await loadGroup(tx, ctx, v.id);
    const [g] = await tx
      .update(componentGroups)
      .set({ name: v.name ?? before.name, position: v.position ?? before.position })
      .where(eq(componentGroups.id, before.id))
      .returning();
    await recordAudit(tx, ctx, {
      action: "component_group.updated",
      targetType: "component_group",
      targetId: g!.id,
      data: { before: { name: before.name, position: before.position }, name: g!.name },
    });
    return g!;
  });
}

/** Deletes a group; its components stay, ungrouped ("Other" on the page). */
export async function deleteGroup({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "components:manage");
  const v = parseTargetInput(Target("group"), input, { field: "id", notFound: "Group" });
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    const g = await loadGroup(tx, ctx, v.id);
    await tx.delete(componentGroups).where(eq(componentGroups.id, g.id));
    await recordAudit(tx, ctx, {
      action: "component_group.deleted",
      targetType: "component_group",
      targetId: g.id,
      data: { name: g.name },
    });
    return { deleted: true as const };
  });
}

export async function moveGroup({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "components:manage");
  const v = parseTargetInput(Move("group"), input, { field: "id", notFound: "Group" });
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    const g = await loadGroup(tx, ctx, v.id);
    const siblings = await tx
      .select()
      .from(componentGroups)
      .where(eq(componentGroups.orgId, ctx.org.id))
      .orderBy(asc(componentGroups.position), asc(componentGroups.createdAt))
      .for("update");
    const order = reordered(siblings, g.id, v.direction);
    if (!order) return { moved: false };
    for (const [i, s] of order.entries())
      if (s.position !== i)
        await tx.update(componentGroups).set({ position: i }).where(eq(componentGroups.id, s.id));
    await recordAudit(tx, ctx, {
      action: "component_group.moved",
      targetType: "component_group",
      targetId: g.id,
      data: { direction: v.direction },
    });
    return { moved: true };
  });
}

// ---------------------------------------------------------------- components

export async function createComponent({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "components:manage");
  const v = parseInput(ComponentInput, input);
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    await checkComponentName(tx, ctx, v.name);
    await checkGroup(tx, ctx, v.groupId);
    if (v.regionIds) await checkIds(tx, ctx, regions, v.regionIds, "regionIds", "region");
    const siblings = await tx
      .select({ position: components.position })
      .from(components)
      .where(and(eq(components.orgId, ctx.org.id), isNull(components.archivedAt)));
    const [c] = await tx
      .insert(components)
      .values({
        orgId: ctx.org.id,
        name: v.name,
        description: v.description ?? "",
        groupId: v.groupId ?? null,
        position: v.position ?? nextPosition(siblings),
        showcase: v.showcase ?? true,
        onlyShowIfDegraded: v.onlyShowIfDegraded ?? false,
        createdAt: now,
      })
      .returning();
    const regionIds = v.regionIds ?? (await liveIds(tx, ctx, regions));
    await applyCells(
      tx,
      ctx,
      { componentIds: [c!.id] },
      regionIds.map((regionId) => ({ componentId: c!.id, regionId })),
      now,
    );
    await recordAudit(tx, ctx, {
      action: "component.created",
      targetType: "component",
      targetId: c!.id,
      data: { name: c!.name, regionIds },
    });
    return { ...c!, regionIds: [...new Set(regionIds)] };
  });
}

export async function updateComponent({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "components:manage");
  const v = parseTargetInput(ComponentUpdate, input, { field: "id", notFound: "Component" });
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    const before = await loadComponent(tx, ctx, v.id);
    if (v.name !== undefined) await checkComponentName(tx, ctx, v.name, before.id);
    await checkGroup(tx, ctx, v.groupId);
    if (v.regionIds) await checkIds(tx, ctx, regions, v.regionIds, "regionIds", "region");
    const [c] = await tx
      .update(components)
      .set({
        name: v.name ?? before.name,
        description: v.description ?? before.description,
        groupId: v.groupId === undefined ? before.groupId : v.groupId,
        position: v.position ?? before.position,
        showcase: v.showcase ?? before.showcase,
        onlyShowIfDegraded: v.onlyShowIfDegraded ?? before.onlyShowIfDegraded,
      })
      .where(eq(components.id, before.id))
      .returning();
    const cells = v.regionIds
      ? await applyCells(
          tx,
          ctx,
          { componentIds: [before.id] },
          v.regionIds.map((regionId) => ({ componentId: before.id, regionId })),
          now,
        )
      : null;
    await recordAudit(tx, ctx, {
      action: "component.updated",
      targetType: "component",
      targetId: before.id,
      data: {
        before: { name: before.name, groupId: before.groupId, position: before.position },
        changed: Object.keys(v).filter((k) => k !== "id"),
        ...(cells ? { cellsAdded: cells.added, cellsRemoved: cells.removed } : {}),
      },
    });
    return c!;
  });
}

/** Up or down among the live components of its group. */
export async function moveComponent({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "components:manage");
  const v = parseTargetInput(Move("component"), input, { field: "id", notFound: "Component" });
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    const c = await loadComponent(tx, ctx, v.id);
    const siblings = await tx
      .select()
      .from(components)
      .where(
        and(
          eq(components.orgId, ctx.org.id),
          isNull(components.archivedAt),
          c.groupId ? eq(components.groupId, c.groupId) : isNull(components.groupId),
        ),
      )
      .orderBy(asc(components.position), asc(components.createdAt))
      .for("update");
    const order = reordered(siblings, c.id, v.direction);
    if (!order) return { moved: false };
    // Keep the group's block of positions where it was (positions are page-wide).
    const base = Math.min(...siblings.map((s) => s.position));
    for (const [i, s] of order.entries())
      if (s.position !== base + i)
        await tx
          .update(components)
          .set({ position: Math.min(MAX_POSITION, base + i) })
          .where(eq(components.id, s.id));
    await recordAudit(tx, ctx, {
      action: "component.moved",
      targetType: "component",
      targetId: c.id,
      data: { direction: v.direction },
    });
    return { moved: true };
  });
}

/**
 * Takes a component off the page: archived when it has incident or maintenance history (kept for
 * incident pages and uptime), deleted when it has none. Refused while open work touches it.
 */
export async function removeComponent({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "components:manage");
  const v = parseTargetInput(Target("component"), input, { field: "id", notFound: "Component" });
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    const c = await loadComponent(tx, ctx, v.id);
    await refuseIfOpen(tx, { componentId: c.id }, `The component ${c.name}`);
    const archived = await hasHistory(tx, { componentId: c.id });
    if (archived)
      await tx.update(components).set({ archivedAt: now }).where(eq(components.id, c.id));
    else await tx.delete(components).where(eq(components.id, c.id));
    await recordAudit(tx, ctx, {
      action: archived ? "component.archived" : "component.deleted",
      targetType: "component",
      targetId: c.id,
      data: { name: c.name },
    });
    return { archived, deleted: !archived };
  });
}

// ---------------------------------------------------------------- regions

export async function createRegion({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "components:manage");
  const v = parseInput(RegionInput, input);
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    await checkRegionCode(tx, ctx, v.code);
    if (v.componentIds)
      await checkIds(tx, ctx, components, v.componentIds, "componentIds", "component");
    const siblings = await tx
      .select({ position: regions.position })
      .from(regions)
      .where(and(eq(regions.orgId, ctx.org.id), isNull(regions.archivedAt)));
    const [r] = await tx
      .insert(regions)
      .values({
        orgId: ctx.org.id,
        code: v.code,
        name: v.name,
        position: v.position ?? nextPosition(siblings),
        createdAt: now,
      })
      .returning();
    const componentIds = v.componentIds ?? (await liveIds(tx, ctx, components));
    await applyCells(
      tx,
      ctx,
      { regionIds: [r!.id] },
      componentIds.map((componentId) => ({ componentId, regionId: r!.id })),
      now,
    );
    await recordAudit(tx, ctx, {
      action: "region.created",
      targetType: "region",
      targetId: r!.id,
      data: { code: r!.code, name: r!.name, componentIds },
    });
    return { ...r!, componentIds: [...new Set(componentIds)] };
  });
}

export async function updateRegion({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "components:manage");
  const v = parseTargetInput(RegionUpdate, input, { field: "id", notFound: "Region" });
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    const before = await loadRegion(tx, ctx, v.id);
    if (v.code !== undefined) await checkRegionCode(tx, ctx, v.code, before.id);
    if (v.componentIds)
      await checkIds(tx, ctx, components, v.componentIds, "componentIds", "component");
    const [r] = await tx
      .update(regions)
      .set({
        code: v.code ?? before.code,
        name: v.name ?? before.name,
        position: v.position ?? before.position,
      })
      .where(eq(regions.id, before.id))
      .returning();
    const cells = v.componentIds
      ? await applyCells(
          tx,
          ctx,
          { regionIds: [before.id] },
          v.componentIds.map((componentId) => ({ componentId, regionId: before.id })),
          now,
        )
      : null;
    await recordAudit(tx, ctx, {
      action: "region.updated",
      targetType: "region",
      targetId: before.id,
      data: {
        before: { code: before.code, name: before.name, position: before.position },
        changed: Object.keys(v).filter((k) => k !== "id"),
        ...(cells ? { cellsAdded: cells.added, cellsRemoved: cells.removed } : {}),
      },
    });
    return r!;
  });
}

export async function moveRegion({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "components:manage");
  const v = parseTargetInput(Move("region"), input, { field: "id", notFound: "Region" });
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    const r = await loadRegion(tx, ctx, v.id);
    const siblings = await tx
      .select()
      .from(regions)
      .where(and(eq(regions.orgId, ctx.org.id), isNull(regions.archivedAt)))
      .orderBy(asc(regions.position), asc(regions.createdAt))
      .for("update");
    const order = reordered(siblings, r.id, v.direction);
    if (!order) return { moved: false };
    for (const [i, s] of order.entries())
      if (s.position !== i)
        await tx.update(regions).set({ position: i }).where(eq(regions.id, s.id));
    await recordAudit(tx, ctx, {
      action: "region.moved",
      targetType: "region",
      targetId: r.id,
      data: { direction: v.direction },
    });
    return { moved: true };
  });
}

/** As removeComponent, for a region (POP). */
export async function removeRegion({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "components:manage");
  const v = parseTargetInput(Target("region"), input, { field: "id", notFound: "Region" });
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    const r = await loadRegion(tx, ctx, v.id);
    await refuseIfOpen(tx, { regionId: r.id }, `The region ${r.code}`);
    const archived = await hasHistory(tx, { regionId: r.id });
    if (archived) await tx.update(regions).set({ archivedAt: now }).where(eq(regions.id, r.id));
    else await tx.delete(regions).where(eq(regions.id, r.id));
    await recordAudit(tx, ctx, {
      action: archived ? "region.archived" : "region.deleted",
      targetType: "region",
      targetId: r.id,
      data: { code: r.code, name: r.name },
    });
    return { archived, deleted: !archived };
  });
}

// ---------------------------------------------------------------- cells

/**
 * Sets the grid's rows at once (the portal's checkboxes): for the components in `componentIds`,
 * exactly the `cells` listed are real afterwards, among the live regions. Other components are
 * left as they are. Cells taken away follow the archive rule.
 */
export async function setCells({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "components:manage");
  const v = parseInput(CellsInput, input);
  return withTransaction(ctx, async (tx) => {
    await lockStatus(tx);
    const [compIds, regIds] = [
      new Set(await liveIds(tx, ctx, components)),
      new Set(await liveIds(tx, ctx, regions)),
    ];
    const rows = new Set(v.componentIds);
    const issues = [
      ...v.componentIds
        .map((id, i) => ({ id, i }))
        .filter(({ id }) => !compIds.has(id))
        .map(({ i }) => ({
          field: `componentIds.${i}`,
          message: "is not a component of this page",
        })),
      ...v.cells.flatMap((c, i) => [
        ...(rows.has(c.componentId)
          ? []
          : [{ field: `cells.${i}.componentId`, message: "is not one of componentIds" }]),
        ...(regIds.has(c.regionId)
          ? []
          : [{ field: `cells.${i}.regionId`, message: "is not a region of this page" }]),
      ]),
    ];
    if (issues.length) throw new ValidationError(issues);
    const changed = await applyCells(
      tx,
      ctx,
      { componentIds: [...rows], regionIds: [...regIds] },
      v.cells,
      now,
    );
    await recordAudit(tx, ctx, {
      action: "catalog.cells_changed",
      targetType: "catalog",
      data: { added: changed.added, removed: changed.removed },
    });
    return changed;
  });
}

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { auditLog, componentRegions, components, regions } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import type { Ctx } from "@/lib/context";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { openIncident } from "@/lib/incidents/open-incident";
import { postUpdate } from "@/lib/incidents/post-update";
import { scheduleMaintenance } from "@/lib/incidents/schedule-maintenance";
import { onStatusChanged } from "@/lib/status/changes";
import { getIncident, loadStatusView } from "@/lib/status/read";
import { buildPublicDocument } from "@/lib/status/documents";
import { readCatalog } from "./read";
import {
  createComponent,
  createGroup,
  createRegion,
  deleteGroup,
  listCatalog,
  moveComponent,
  moveGroup,
  moveRegion,
  removeComponent,
  removeRegion,
  setCells,
  updateComponent,
  updateGroup,
  updateRegion,
} from "./manage";

const PUBLIC = { viewerOrgId: null };
const BASE = "https://status.example.test";

let t: TestDb;
let admin: Ctx;
let oncall: Ctx;
let acmeAdmin: Ctx;
let bom: string;
let del: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  admin = await ctxFor(t.db, "admin@beacon.test");
  oncall = await ctxFor(t.db, "oncall@beacon.test");
  acmeAdmin = await ctxFor(t.db, "admin@acme.test");
  const regs = await t.db.select().from(regions);
  bom = regs.find((r) => r.code === "BOM")!.id;
  del = regs.find((r) => r.code === "DEL")!.id;
});
afterAll(() => t?.close());

async function fieldsOf(p: Promise<unknown>): Promise<string[]> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ValidationError);
  return (e as ValidationError).issues.map((i) => i.field);
}

describe("managing the catalogue", () => {
  it("creates, renames, groups and reorders; the page shows it at once", async () => {
    let changes = 0;
    const stop = onStatusChanged(() => changes++);
    try {
      const before = await loadStatusView(t.db, PUBLIC);
      const group = await createGroup({ ctx: admin, input: { name: "Video" } });
      const c = await createComponent({
        ctx: admin,
        input: {
          name: "Video calls",
          description: "WebRTC rooms",
          groupId: group.id,
          regionIds: [bom],
        },
      });
      const region = await createRegion({
        ctx: admin,
        input: { code: "hyd", name: "Hyderabad", componentIds: [c.id] },
      });
      expect(region.code).toBe("HYD");
      // Each change dropped the status snapshot once it committed.
      expect(changes).toBe(3);

      let view = await loadStatusView(t.db, PUBLIC);
      expect(view.groups.map((g) => g.name)).toContain("Video");
      const vc = view.components.find((x) => x.id === c.id)!;
      expect(vc.groupId).toBe(group.id);
      expect(vc.cells.map((x) => x.regionId)).toEqual([bom, region.id]);
      expect(view.regions.map((r) => r.code)).toEqual([
        ...before.regions.map((r) => r.code),
        "HYD",
      ]);
      // A region made without naming components gets every live component, as before.
      const all = await createRegion({ ctx: admin, input: { code: "CCU", name: "Kolkata" } });
      view = await loadStatusView(t.db, PUBLIC);
      for (const comp of view.components)
        expect(comp.cells.map((x) => x.regionId)).toContain(all.id);

      await updateComponent({
        ctx: admin,
        input: { id: c.id, name: "Video rooms", showcase: false, onlyShowIfDegraded: true },
      });
      await updateGroup({ ctx: admin, input: { id: group.id, name: "Video & meetings" } });
      await updateRegion({ ctx: admin, input: { id: region.id, name: "Hyderabad (HITEC)" } });
      view = await loadStatusView(t.db, PUBLIC);
      const renamed = view.components.find((x) => x.id === c.id)!;
      expect(renamed).toMatchObject({
        name: "Video rooms",
        showcase: false,
        onlyShowIfDegraded: true,
      });
      expect(view.groups.find((g) => g.id === group.id)!.name).toBe("Video & meetings");
      expect(view.regions.find((r) => r.id === region.id)!.name).toBe("Hyderabad (HITEC)");
      const summary = JSON.parse(
        (await buildPublicDocument(t.db, "summary.json", { baseUrl: BASE })).body,
      ) as { components: { id: string; showcase: boolean; only_show_if_degraded: boolean }[] };
      expect(summary.components.find((x) => x.id === c.id)).toMatchObject({
        showcase: false,
        only_show_if_degraded: true,
      });

      // Up and down: regions, groups, and components within their group.
      await moveRegion({ ctx: admin, input: { id: region.id, direction: "up" } });
      view = await loadStatusView(t.db, PUBLIC);
      expect(view.regions.map((r) => r.code).slice(-3)).toEqual(["HYD", "SIN", "CCU"]);
      await moveGroup({ ctx: admin, input: { id: group.id, direction: "up" } });
      view = await loadStatusView(t.db, PUBLIC);
      expect(view.groups.at(-2)!.id).toBe(group.id);
      const voiceGroup = view.groups.find((g) => g.name === "Voice")!;
      const [first, second] = voiceGroup.componentIds;
      expect(
        (await moveComponent({ ctx: admin, input: { id: first!, direction: "up" } })).moved,
      ).toBe(false);
      await moveComponent({ ctx: admin, input: { id: second!, direction: "up" } });
      view = await loadStatusView(t.db, PUBLIC);
      expect(view.groups.find((g) => g.name === "Voice")!.componentIds).toEqual([second, first]);

      // A group deleted leaves its components, ungrouped.
      await deleteGroup({ ctx: admin, input: { id: group.id } });
      view = await loadStatusView(t.db, PUBLIC);
      expect(view.components.find((x) => x.id === c.id)!.groupId).toBeNull();

      const audited = await t.db.select().from(auditLog).where(eq(auditLog.orgId, admin.org.id));
      expect(audited.map((a) => a.action)).toEqual(
        expect.arrayContaining([
          "component_group.created",
          "component.created",
          "region.created",
          "component.updated",
          "component.moved",
          "region.moved",
          "component_group.moved",
          "component_group.deleted",
        ]),
      );
    } finally {
      stop();
    }
  });

  it("names the field of each bad input", async () => {
    expect(await fieldsOf(createComponent({ ctx: admin, input: { name: "API" } }))).toEqual([
      "name",
    ]);
    expect(await fieldsOf(createComponent({ ctx: admin, input: { name: "api" } }))).toEqual([
      "name",
    ]);
    expect(await fieldsOf(createRegion({ ctx: admin, input: { code: "bom", name: "X" } }))).toEqual(
      ["code"],
    );
    expect(
      await fieldsOf(createComponent({ ctx: admin, input: { name: "X", position: 10_001 } })),
    ).toEqual(["position"]);
    expect(
      await fieldsOf(createComponent({ ctx: admin, input: { name: "X", position: -1 } })),
    ).toEqual(["position"]);
    expect(
      await fieldsOf(
        createComponent({ ctx: admin, input: { name: "X", groupId: crypto.randomUUID() } }),
      ),
    ).toEqual(["groupId"]);
    expect(
      await fieldsOf(
        createComponent({
          ctx: admin,
          input: { name: "X", regionIds: [bom, crypto.randomUUID()] },
        }),
      ),
    ).toEqual(["regionIds.1"]);
    expect(
      await fieldsOf(createRegion({ ctx: admin, input: { code: "B O M", name: "" } })),
    ).toEqual(["code", "name"]);
    const api = (await t.db.select().from(components).where(eq(components.name, "API")))[0]!;
    expect(
      await fieldsOf(updateComponent({ ctx: admin, input: { id: api.id, name: "Dashboard" } })),
    ).toEqual(["name"]);
    await expect(
      updateComponent({ ctx: admin, input: { id: "nope", name: "Y" } }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("shows and accepts only real cells", async () => {
    const c = await createComponent({
      ctx: admin,
      input: { name: "Fax relay", regionIds: [bom] },
    });
    let view = await loadStatusView(t.db, PUBLIC);
    expect(view.components.find((x) => x.id === c.id)!.cells.map((x) => x.regionId)).toEqual([bom]);
    let catalog = await readCatalog(t.db);
    expect(catalog.cells).toContain(`${c.id}:${bom}`);
    expect(catalog.cells).not.toContain(`${c.id}:${del}`);

    const refused = openIncident({
      ctx: oncall,
      input: {
        title: "Fax in Delhi",
        category: "infrastructure",
        impact: "minor",
        message: "Looking",
        cells: [
          { componentId: c.id, regionId: bom, status: "degraded_performance" },
          { componentId: c.id, regionId: del, status: "degraded_performance" },
        ],
      },
    });
    expect(await fieldsOf(refused)).toEqual(["cells.1"]);
    const soon = Date.now() + 3_600_000;
    expect(
      await fieldsOf(
        scheduleMaintenance({
          ctx: oncall,
          input: {
            title: "Fax upgrade",
            message: "Upgrading",
            scheduledFor: new Date(soon).toISOString(),
            scheduledUntil: new Date(soon + 3_600_000).toISOString(),
            cells: [{ componentId: c.id, regionId: del }],
          },
        }),
      ),
    ).toEqual(["cells.0"]);

    // The grid's rows at once: Fax relay now runs in Delhi only; rows not sent are unchanged.
    const others = (await readCatalog(t.db)).cells.filter((k) => !k.startsWith(`${c.id}:`));
    await setCells({
      ctx: admin,
      input: { componentIds: [c.id], cells: [{ componentId: c.id, regionId: del }] },
    });
    // An empty grid (no rows) changes nothing.
    await setCells({ ctx: admin, input: { componentIds: [], cells: [] } });
    catalog = await readCatalog(t.db);
    expect(catalog.cells.filter((k) => !k.startsWith(`${c.id}:`)).sort()).toEqual(others.sort());
    expect(catalog.cells.filter((k) => k.startsWith(`${c.id}:`))).toEqual([`${c.id}:${del}`]);
    // Never used, so the Mumbai cell is gone for good.
    const rows = await t.db
      .select()
      .from(componentRegions)
      .where(eq(componentRegions.componentId, c.id));
    expect(rows.map((r) => r.regionId)).toEqual([del]);
    view = await loadStatusView(t.db, PUBLIC);
    expect(view.components.find((x) => x.id === c.id)!.cells.map((x) => x.regionId)).toEqual([del]);
    expect(
      await fieldsOf(
        setCells({
          ctx: admin,
          input: {
            componentIds: [c.id, crypto.randomUUID()],
            cells: [
              { componentId: c.id, regionId: crypto.randomUUID() },
              { componentId: crypto.randomUUID(), regionId: del },
            ],
          },
        }),
      ),
    ).toEqual(["componentIds.1", "cells.0.regionId", "cells.1.componentId"]);
  });

  it("deletes a component or region without history for real", async () => {
    const c = await createComponent({ ctx: admin, input: { name: "Short-lived" } });
    const r = await createRegion({ ctx: admin, input: { code: "TMP", name: "Temporary" } });
    expect(await removeComponent({ ctx: admin, input: { id: c.id } })).toEqual({
      archived: false,
      deleted: true,
    });
    expect(await removeRegion({ ctx: admin, input: { id: r.id } })).toEqual({
      archived: false,
      deleted: true,
    });
    expect(await t.db.select().from(components).where(eq(components.id, c.id))).toEqual([]);
    expect(await t.db.select().from(regions).where(eq(regions.id, r.id))).toEqual([]);
    // Its name and code are free again.
    await createComponent({ ctx: admin, input: { name: "Short-lived" } });
    await createRegion({ ctx: admin, input: { code: "TMP", name: "Temporary" } });
  });

  it("archives a component and a region with incident history: history and uptime stay correct", async () => {
    const c = await createComponent({ ctx: admin, input: { name: "Conferencing" } });
    const pop = await createRegion({
      ctx: admin,
      input: { code: "PNQ", name: "Pune", componentIds: [c.id] },
    });
    const voice = (
      await t.db.select().from(components).where(eq(components.name, "Voice routing"))
    )[0]!;
    await updateComponent({ ctx: admin, input: { id: voice.id, regionIds: [bom, pop.id] } });
    const { incident } = await openIncident({
      ctx: oncall,
      input: {
        title: "Conferencing and voice down in Pune",
        category: "infrastructure",
        impact: "major",
        message: "Calls fail",
        cells: [
          { componentId: c.id, regionId: pop.id, status: "major_outage" },
          { componentId: voice.id, regionId: pop.id, status: "major_outage" },
        ],
      },
    });
    // Open work cannot lose its component or region.
    await expect(removeComponent({ ctx: admin, input: { id: c.id } })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(removeRegion({ ctx: admin, input: { id: pop.id } })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await postUpdate({
      ctx: oncall,
      input: { incidentId: incident.id, status: "resolved", message: "Fixed", cells: [] },
    });
    const later = new Date(Date.now() + 3 * 86_400_000);
    const voiceBefore = (await loadStatusView(t.db, PUBLIC, later)).components.find(
      (x) => x.id === voice.id,
    )!;
    expect(voiceBefore.uptime90).toBeLessThan(1);

    expect(await removeComponent({ ctx: admin, input: { id: c.id } })).toEqual({
      archived: true,
      deleted: false,
    });
    expect(await removeRegion({ ctx: admin, input: { id: pop.id } })).toEqual({
      archived: true,
      deleted: false,
    });

    // Gone from the live page and the public summary...
    const view = await loadStatusView(t.db, PUBLIC, later);
    expect(view.components.map((x) => x.id)).not.toContain(c.id);
    expect(view.regions.map((x) => x.id)).not.toContain(pop.id);
    const summary = (await buildPublicDocument(t.db, "summary.json", { baseUrl: BASE })).body;
    expect(summary).not.toContain(c.id);
    expect(summary).not.toContain("Conferencing");
    expect(summary).not.toContain(pop.id);
    const componentsDoc = (await buildPublicDocument(t.db, "components.json", { baseUrl: BASE }))
      .body;
    expect(componentsDoc).not.toContain("Conferencing");
    // ...Voice routing no longer has a Pune cell, but its uptime still counts the outage there.
    const voiceAfter = view.components.find((x) => x.id === voice.id)!;
    expect(voiceAfter.cells.map((x) => x.regionId)).toEqual([bom]);
    // (Deleting the region would have taken its recorded spans with it: 100%.) The Pune cell now
    // counts from its creation to its archiving, so the figure moves, but the outage stays in it.
    expect(voiceAfter.uptime90).toBeLessThan(1);
    const today = new Date().toISOString().slice(0, 10);
    expect(voiceAfter.days.find((d) => d.date === today)!.uptime).toBeLessThan(1);
    expect(voiceAfter.days.map((d) => d.worst)).toEqual(voiceBefore.days.map((d) => d.worst));

    // The incident page still has both cells and names them.
    const page = await getIncident(t.db, PUBLIC, incident.id);
    expect(page.cells.map((x) => x.componentId).sort()).toEqual([c.id, voice.id].sort());
    expect(view.names.components.find((x) => x.id === c.id)?.name).toBe("Conferencing");
    expect(view.names.regions.find((x) => x.id === pop.id)?.code).toBe("PNQ");
    const incidentsDoc = JSON.parse(
      (await buildPublicDocument(t.db, "incidents.json", { baseUrl: BASE })).body,
    ) as {
      incidents: {
        id: string;
        incident_updates: { affected_components: { name: string }[] | null }[];
        affected_cells: { region_code: string }[];
      }[];
    };
    const doc = incidentsDoc.incidents.find((i) => i.id === incident.id)!;
    expect(
      doc.incident_updates.flatMap((u) => u.affected_components ?? []).map((a) => a.name),
    ).toContain("Conferencing (Pune)");
    expect(doc.affected_cells.map((x) => x.region_code)).toEqual(["PNQ", "PNQ"]);

    // Archived: no new incident may name it, and its name and code are free for new ones.
    expect(
      await fieldsOf(
        openIncident({
          ctx: oncall,
          input: {
            title: "Again",
            category: "infrastructure",
            impact: "minor",
            message: "x",
            cells: [{ componentId: voice.id, regionId: pop.id, status: "major_outage" }],
          },
        }),
      ),
    ).toEqual(["cells.0"]);
    await expect(updateComponent({ ctx: admin, input: { id: c.id, name: "X" } })).rejects.toThrow(
      NotFoundError,
    );
    await createComponent({ ctx: admin, input: { name: "Conferencing" } });
    await createRegion({ ctx: admin, input: { code: "PNQ", name: "Pune 2" } });
    const listed = await listCatalog({ ctx: admin });
    expect(listed.components.filter((x) => x.name === "Conferencing")).toHaveLength(2);
    expect(listed.components.find((x) => x.id === c.id)!.archivedAt).not.toBeNull();
  });

  it("takes away a used cell by archiving it, keeping its uptime", async () => {
    const sip = (
      await t.db.select().from(components).where(eq(components.name, "SIP trunking"))
    )[0]!;
    const { incident } = await openIncident({
      ctx: oncall,
      input: {
        title: "SIP in Delhi",
        category: "infrastructure",
        impact: "minor",
        message: "x",
        cells: [{ componentId: sip.id, regionId: del, status: "partial_outage" }],
      },
    });
    await postUpdate({
      ctx: oncall,
      input: { incidentId: incident.id, status: "resolved", message: "ok", cells: [] },
    });
    const later = new Date(Date.now() + 86_400_000);
    const before = (await loadStatusView(t.db, PUBLIC, later)).components.find(
      (x) => x.id === sip.id,
    )!;
    const keep = before.cells.map((x) => x.regionId).filter((r) => r !== del);
    await updateComponent({ ctx: admin, input: { id: sip.id, regionIds: keep } });
    const [row] = await t.db
      .select()
      .from(componentRegions)
      .where(eq(componentRegions.componentId, sip.id))
      .then((rows) => rows.filter((r) => r.regionId === del));
    expect(row?.archivedAt).not.toBeNull();
    const after = (await loadStatusView(t.db, PUBLIC, later)).components.find(
      (x) => x.id === sip.id,
    )!;
    expect(after.cells.map((x) => x.regionId)).toEqual(keep);
    expect(after.uptime90).toBeLessThan(1);
    expect(after.days.map((d) => d.worst)).toEqual(before.days.map((d) => d.worst));
    const today = new Date().toISOString().slice(0, 10);
    expect(after.days.find((d) => d.date === today)!.worst).toBe("partial_outage");
  });
});

describe("concurrently with incidents", () => {
  it("never lets an incident open on a component being removed, nor deadlocks", async () => {
    for (let round = 0; round < 3; round++) {
      const c = await createComponent({ ctx: admin, input: { name: `Racing ${round}` } });
      const [removed, opened] = await Promise.allSettled([
        removeComponent({ ctx: admin, input: { id: c.id } }),
        openIncident({
          ctx: oncall,
          input: {
            title: `Race ${round}`,
            category: "infrastructure",
            impact: "minor",
            message: "x",
            cells: [{ componentId: c.id, regionId: bom, status: "degraded_performance" }],
          },
        }),
      ]);
      // Exactly one wins: the removal (the incident is refused, naming the cell), or the
      // incident (the removal is refused while it is open).
      if (removed.status === "fulfilled") {
        expect(opened.status).toBe("rejected");
        expect((opened as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
      } else {
        expect(removed.reason).toBeInstanceOf(ConflictError);
        expect(opened.status).toBe("fulfilled");
      }
    }
  });
});

describe("permission", () => {
  it("refuses a tenant admin and platform on-call staff (no components:manage)", async () => {
    const someId = (await t.db.select().from(components).limit(1))[0]!.id;
    for (const ctx of [acmeAdmin, oncall]) {
      const calls = [
        () => listCatalog({ ctx }),
        () => createGroup({ ctx, input: { name: "G" } }),
        () => updateGroup({ ctx, input: { id: someId, name: "G" } }),
        () => deleteGroup({ ctx, input: { id: someId } }),
        () => moveGroup({ ctx, input: { id: someId, direction: "up" } }),
        () => createComponent({ ctx, input: { name: "Nope" } }),
        () => updateComponent({ ctx, input: { id: someId, name: "Nope" } }),
        () => moveComponent({ ctx, input: { id: someId, direction: "up" } }),
        () => removeComponent({ ctx, input: { id: someId } }),
        () => createRegion({ ctx, input: { code: "NOP", name: "Nope" } }),
        () => updateRegion({ ctx, input: { id: bom, name: "Nope" } }),
        () => moveRegion({ ctx, input: { id: bom, direction: "up" } }),
        () => removeRegion({ ctx, input: { id: bom } }),
        () => setCells({ ctx, input: { componentIds: [], cells: [] } }),
      ];
      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(ForbiddenError);
    }
    expect(await t.db.select().from(components).where(eq(components.name, "Nope"))).toEqual([]);
  });
});

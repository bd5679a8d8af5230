import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XMLParser } from "fast-xml-parser";
import { createTestDb, type TestDb } from "@/db/test-db";
import { components, organizations, regions } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import type { Ctx } from "@/lib/context";
import { NotFoundError } from "@/lib/errors";
import { openIncident } from "@/lib/incidents/open-incident";
import { postUpdate } from "@/lib/incidents/post-update";
import { scheduleMaintenance } from "@/lib/incidents/schedule-maintenance";
import { advanceMaintenance } from "@/lib/incidents/advance-maintenance";
import { overallIndicator, worstStatus } from "./derive";
import { getIncident, getMaintenance, listIncidents, loadStatusView } from "./read";
import { buildPublicDocument, PUBLIC_DOCUMENTS } from "./documents";
import {
  SpComponentsDocSchema,
  SpIncidentsDocSchema,
  SpMaintenancesDocSchema,
  SpStatusDocSchema,
  SpSummarySchema,
} from "./statuspage-schema";

const BASE = "https://status.example.test";
const SECRET = "Acme webhook misconfigured";

describe("derivation", () => {
  it("takes the worst status, with maintenance below any degradation", () => {
    expect(worstStatus([])).toBe("operational");
    expect(worstStatus(["under_maintenance", "degraded_performance"])).toBe("degraded_performance");
    expect(worstStatus(["partial_outage", "major_outage", "operational"])).toBe("major_outage");
  });

  it("maps component statuses and incident impacts to Statuspage's indicator and wording", () => {
    expect(overallIndicator(["operational", "operational"], [])).toEqual({
      indicator: "none",
      description: "All Systems Operational",
    });
    expect(overallIndicator(["degraded_performance", "operational"], [])).toEqual({
      indicator: "minor",
      description: "Minor Service Outage",
    });
    expect(overallIndicator(["major_outage", "operational"], [])).toEqual({
      indicator: "major",
      description: "Partial System Outage",
    });
    expect(overallIndicator(["major_outage", "major_outage"], [])).toEqual({
      indicator: "critical",
      description: "Major System Outage",
    });
    expect(overallIndicator(["operational"], ["critical"])).toEqual({
      indicator: "critical",
      description: "Major System Outage",
    });
    expect(overallIndicator(["under_maintenance", "operational"], [])).toEqual({
      indicator: "maintenance",
      description: "Service Under Maintenance",
    });
    expect(overallIndicator(["under_maintenance"], ["minor"]).indicator).toBe("minor");
  });
});

describe("status read model and public documents", () => {
  let t: TestDb;
  let oncall: Ctx;
  let acmeId: string;
  let globexId: string;
  let voice: string;
  let api: string;
  let sip: string;
  let bom: string;
  let del: string;
  let publicIncident: string;
  let tenantIncident: string;
  let tenantMaintenance: string;

  beforeAll(async () => {
    t = await createTestDb();
    await seedDemo(t.db);
    oncall = await ctxFor(t.db, "oncall@beacon.test");
    const comps = await t.db.select().from(components);
    voice = comps.find((c) => c.name === "Voice routing")!.id;
    api = comps.find((c) => c.name === "API")!.id;
    sip = comps.find((c) => c.name === "SIP trunking")!.id;
    const regs = await t.db.select().from(regions);
    bom = regs.find((r) => r.code === "BOM")!.id;
    del = regs.find((r) => r.code === "DEL")!.id;
    const orgs = await t.db.select().from(organizations);
    acmeId = orgs.find((o) => o.slug === "acme")!.id;
    globexId = orgs.find((o) => o.slug === "globex")!.id;

    publicIncident = (
      await openIncident({
        ctx: oncall,
        input: {
          title: "Voice calls failing in Mumbai",
          category: "infrastructure",
          impact: "major",
          message: "Investigating failed calls",
          cells: [{ componentId: voice, regionId: bom, status: "major_outage" }],
        },
      })
    ).incident.id;
    tenantIncident = (
      await openIncident({
        ctx: oncall,
        input: {
          title: SECRET,
          category: "configurable",
          impact: "critical",
          audienceOrgId: acmeId,
          message: "Your webhook returns 404",
          cells: [{ componentId: api, regionId: del, status: "major_outage" }],
        },
      })
    ).incident.id;
    const soon = Date.now() + 3600_000;
    const m = await scheduleMaintenance({
      ctx: oncall,
      input: {
        title: "SIP proxy upgrade",
        message: "Rolling upgrade",
        scheduledFor: new Date(soon).toISOString(),
        scheduledUntil: new Date(soon + 3600_000).toISOString(),
        cells: [{ componentId: sip, regionId: del }],
      },
    });
    await advanceMaintenance({
      ctx: oncall,
      input: {
        maintenanceId: m.maintenance.id,
        status: "in_progress",
        message: "Started",
        notify: true,
      },
    });
    tenantMaintenance = (
      await scheduleMaintenance({
        ctx: oncall,
        input: {
          title: `${SECRET} maintenance`,
          message: "Only Acme",
          audienceOrgId: acmeId,
          scheduledFor: new Date(soon).toISOString(),
          scheduledUntil: new Date(soon + 3600_000).toISOString(),
          cells: [{ componentId: api, regionId: bom }],
        },
      })
    ).maintenance.id;
  });
  afterAll(() => t.close());

  it("derives cell, component and overall status for the public, without tenant-only incidents", async () => {
    const view = await loadStatusView(t.db, { viewerOrgId: null });
    const v = view.components.find((c) => c.id === voice)!;
    expect(v.status).toBe("major_outage");
    expect(v.cells.find((c) => c.regionId === bom)!.status).toBe("major_outage");
    expect(v.cells.find((c) => c.regionId === del)!.status).toBe("operational");
    expect(view.components.find((c) => c.id === sip)!.status).toBe("under_maintenance");
    expect(view.components.find((c) => c.id === api)!.status).toBe("operational");
    expect(view.indicator).toEqual({ indicator: "major", description: "Partial System Outage" });
    expect(view.incidents.map((i) => i.id)).toEqual([publicIncident]);
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect(view.groups.find((g) => g.componentIds.includes(voice))!.status).toBe("major_outage");
  });

  it("shows a tenant's own incidents only to that tenant, marked tenant-only", async () => {
    const acme = await loadStatusView(t.db, { viewerOrgId: acmeId });
    const mine = acme.incidents.find((i) => i.id === tenantIncident)!;
    expect(mine.tenantOnly).toBe(true);
    expect(acme.components.find((c) => c.id === api)!.status).toBe("major_outage");
    expect(acme.indicator.indicator).toBe("critical");
    expect(acme.maintenances.map((m) => m.id)).toContain(tenantMaintenance);

    const globex = await loadStatusView(t.db, { viewerOrgId: globexId });
    expect(JSON.stringify(globex)).not.toContain(SECRET);
    await expect(getIncident(t.db, { viewerOrgId: null }, tenantIncident)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      getIncident(t.db, { viewerOrgId: globexId }, tenantIncident),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      getMaintenance(t.db, { viewerOrgId: null }, tenantMaintenance),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await getIncident(t.db, { viewerOrgId: acmeId }, tenantIncident)).title).toBe(SECRET);
    expect((await listIncidents(t.db, { viewerOrgId: null })).map((i) => i.id)).not.toContain(
      tenantIncident,
    );
  });

  it("never puts a tenant-only incident or maintenance on any public document", async () => {
    for (const name of PUBLIC_DOCUMENTS) {
      const doc = await buildPublicDocument(t.db, name, { baseUrl: BASE });
      expect(doc.body, name).not.toContain(SECRET);
      expect(doc.body, name).not.toContain(tenantIncident);
      expect(doc.body, name).not.toContain(tenantMaintenance);
    }
    const badge = await buildPublicDocument(t.db, "badge.svg", { baseUrl: BASE, componentId: api });
    expect(badge.body).toContain("Operational");
  });

  it("produces the Statuspage v2 shapes", async () => {
    const doc = async (n: (typeof PUBLIC_DOCUMENTS)[number]) =>
      JSON.parse((await buildPublicDocument(t.db, n, { baseUrl: BASE })).body);
    const raw = await doc("summary.json");
    const summary = SpSummarySchema.parse(raw);
    expect(summary.status).toEqual({ indicator: "major", description: "Partial System Outage" });
    const voiceComp = summary.components.find((c) => c.id === voice)!;
    expect(voiceComp).toMatchObject({ status: "major_outage", group: false });
    const rawVoice = (
      raw.components as { id: string; regions: { code: string; status: string }[] }[]
    ).find((c) => c.id === voice)!;
    expect(rawVoice.regions).toContainEqual(
      expect.objectContaining({ code: "BOM", status: "major_outage" }),
    );
    const group = summary.components.find((c) => c.group && c.components?.includes(voice))!;
    expect(voiceComp.group_id).toBe(group.id);
    const inc = summary.incidents[0]!;
    expect(inc).toMatchObject({
      id: publicIncident,
      status: "investigating",
      impact: "major",
      shortlink: `${BASE}/incidents/${publicIncident}`,
    });
    expect(inc.incident_updates[0]!.affected_components).toEqual([
      expect.objectContaining({
        code: voice,
        old_status: "operational",
        new_status: "major_outage",
      }),
    ]);
    expect(summary.scheduled_maintenances.map((m) => m.status)).toEqual(["in_progress"]);
    SpStatusDocSchema.parse(await doc("status.json"));
    SpComponentsDocSchema.parse(await doc("components.json"));
    SpIncidentsDocSchema.parse(await doc("incidents.json"));
    expect(
      SpIncidentsDocSchema.parse(await doc("incidents/unresolved.json")).incidents,
    ).toHaveLength(1);
    SpMaintenancesDocSchema.parse(await doc("scheduled-maintenances.json"));
    const active = SpMaintenancesDocSchema.parse(
      await doc("scheduled-maintenances/active.json"),
    ).scheduled_maintenances;
    expect(active).toHaveLength(1);
    // deliver_notifications is each update's "Notify" choice: "Started" was sent, the first was not.
    expect(active[0]!.incident_updates.map((u) => [u.body, u.deliver_notifications])).toEqual([
      ["Started", true],
      ["Rolling upgrade", false],
    ]);
    expect(inc.incident_updates[0]!.deliver_notifications).toBe(false);
    expect(
      SpMaintenancesDocSchema.parse(await doc("scheduled-maintenances/upcoming.json"))
        .scheduled_maintenances,
    ).toHaveLength(0);
  });

  it("answers NotFoundError for ids that are not uuids (issue 13: these were 500s)", async () => {
    for (const id of ["-".repeat(36), "a".repeat(36), "0".repeat(36), "%", "not-an-id"]) {
      await expect(getIncident(t.db, { viewerOrgId: null }, id)).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await expect(getMaintenance(t.db, { viewerOrgId: null }, id)).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
  });

  it("publishes Atom and RSS that a feed parser reads", async () => {
    const parser = new XMLParser({ ignoreAttributes: false });
    const atom = parser.parse(
      (await buildPublicDocument(t.db, "history.atom", { baseUrl: BASE })).body,
    );
    const entries = [atom.feed.entry].flat();
    expect(
      entries.map((e: { title: unknown }) =>
        typeof e.title === "object" ? (e.title as { "#text": string })["#text"] : e.title,
      ),
    ).toEqual(
      expect.arrayContaining(["Voice calls failing in Mumbai", "Maintenance: SIP proxy upgrade"]),
    );
    const rss = parser.parse(
      (await buildPublicDocument(t.db, "history.rss", { baseUrl: BASE })).body,
    );
    const items = [rss.rss.channel.item].flat();
    expect(items.map((i: { link: string }) => i.link)).toContain(
      `${BASE}/incidents/${publicIncident}`,
    );
  });

  it("badges the overall status and a component", async () => {
    expect((await buildPublicDocument(t.db, "badge.svg", { baseUrl: BASE })).body).toContain(
      "Partial System Outage",
    );
    const comp = await buildPublicDocument(t.db, "badge.svg", {
      baseUrl: BASE,
      componentId: voice,
    });
    expect(comp.body).toContain("Voice routing");
    expect(comp.body).toContain("Major outage");
    expect(
      (await buildPublicDocument(t.db, "badge.svg", { baseUrl: BASE, componentId: "nope" }))
        .notFound,
    ).toBe(true);
  });

  it("drops today's uptime for the affected component and region after the outage", async () => {
    await new Promise((r) => setTimeout(r, 50));
    await postUpdate({
      ctx: oncall,
      input: { incidentId: publicIncident, status: "resolved", message: "Fixed" },
    });
    const view = await loadStatusView(t.db, { viewerOrgId: null });
    const v = view.components.find((c) => c.id === voice)!;
    expect(v.status).toBe("operational");
    const cell = v.cells.find((c) => c.regionId === bom)!;
    const today = cell.days.at(-1)!;
    expect(today.worst).toBe("major_outage");
    expect(today.uptime!).toBeLessThan(1);
    expect(v.days.at(-1)!.uptime!).toBeLessThan(1);
    expect(v.cells.find((c) => c.regionId === del)!.days.at(-1)!.uptime).toBe(1);
    // The tenant-only major outage on API/DEL is not in anyone's uptime.
    expect(view.components.find((c) => c.id === api)!.days.at(-1)!.uptime).toBe(1);
  });

  it("escapes incident titles in the Atom feed, whose titles are marked as HTML (issue 13)", async () => {
    const title = "<b>Bold</b> & <script>alert(1)</script> ]]> end";
    await openIncident({
      ctx: oncall,
      input: { title, category: "infrastructure", impact: "none", message: "Looking" },
    });
    const parser = new XMLParser({ ignoreAttributes: false, processEntities: false });
    const atom = parser.parse(
      (await buildPublicDocument(t.db, "history.atom", { baseUrl: BASE })).body,
    );
    const entry = [atom.feed.entry]
      .flat()
      .find((e: { title: { "#text": string } }) => e.title["#text"].includes("Bold"));
    expect(entry.title["@_type"]).toBe("html");
    // The title is HTML: escaped, so a reader shows the incident's words rather than markup.
    expect(entry.title["#text"]).toBe(
      "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; end",
    );
  });
});

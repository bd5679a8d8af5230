import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  auditLog,
  cellStatusIntervals,
  components,
  incidentCells,
  incidents,
  incidentUpdateCells,
  incidentUpdates,
  maintenances,
  notificationJobs,
  organizations,
  regions,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import type { Ctx } from "@/lib/context";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { openIncident } from "./open-incident";
import { postUpdate } from "./post-update";
import { reopenIncident } from "./reopen-incident";
import { publishPostmortem } from "./publish-postmortem";
import { editIncident } from "./edit-incident";
import { scheduleMaintenance } from "./schedule-maintenance";
import { advanceMaintenance } from "./advance-maintenance";

let t: TestDb;
let oncall: Ctx;
let acmeAdmin: Ctx;
let voice: string;
let api: string;
let bom: string;
let del: string;
let acmeId: string;
let globexId: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  oncall = await ctxFor(t.db, "oncall@beacon.test");
  acmeAdmin = await ctxFor(t.db, "admin@acme.test");
  const comps = await t.db.select().from(components);
  voice = comps.find((c) => c.name === "Voice routing")!.id;
  api = comps.find((c) => c.name === "API")!.id;
  const regs = await t.db.select().from(regions);
  bom = regs.find((r) => r.code === "BOM")!.id;
  del = regs.find((r) => r.code === "DEL")!.id;
  const orgs = await t.db.select().from(organizations);
  acmeId = orgs.find((o) => o.slug === "acme")!.id;
  globexId = orgs.find((o) => o.slug === "globex")!.id;
});
afterAll(() => t.close());

const open = (over: Record<string, unknown> = {}) =>
  openIncident({
    ctx: oncall,
    input: {
      title: "Calls failing in Mumbai",
      category: "infrastructure",
      impact: "major",
      message: "We are **investigating** <script>alert(1)</script>",
      cells: [{ componentId: voice, regionId: bom, status: "major_outage" }],
      notify: true,
      ...over,
    },
  });

describe("openIncident", () => {
  it("writes the incident, its first update, cells, interval, audit row and a complete outbox payload", async () => {
    const { incident, update } = await open();
    expect(incident.status).toBe("investigating");
    expect(update.messageHtml).toContain("<strong>investigating</strong>");
    expect(update.messageHtml).not.toContain("<script");
    const cells = await t.db
      .select()
      .from(incidentCells)
      .where(eq(incidentCells.incidentId, incident.id));
    expect(cells).toEqual([
      { incidentId: incident.id, componentId: voice, regionId: bom, status: "major_outage" },
    ]);
    const before = await t.db
      .select()
      .from(incidentUpdateCells)
      .where(eq(incidentUpdateCells.updateId, update.id));
    expect(before[0]).toMatchObject({ before: null, after: "major_outage" });
    const spans = await t.db
      .select()
      .from(cellStatusIntervals)
      .where(
        and(eq(cellStatusIntervals.componentId, voice), eq(cellStatusIntervals.regionId, bom)),
      );
    expect(spans.filter((i) => i.endedAt === null).map((i) => i.status)).toEqual(["major_outage"]);
    const audit = await t.db.select().from(auditLog).where(eq(auditLog.targetId, incident.id));
    expect(audit.map((a) => a.action)).toEqual(["incident.opened"]);
    const [job] = await t.db
      .select()
      .from(notificationJobs)
      .where(eq(notificationJobs.kind, "incident.created"));
    expect(job!.payload).toMatchObject({
      title: "Calls failing in Mumbai",
      category: "infrastructure",
      impact: "major",
      audience: { type: "public" },
      componentIds: [voice],
      regionIds: [bom],
      status: "investigating",
      incidentId: incident.id,
      updateId: update.id,
    });
    expect(job!.payload.url).toMatch(new RegExp(`/incidents/${incident.id}$`));
  });

  it("refuses a public Configurable incident, naming the field", async () => {
    const err = await open({ category: "configurable", audienceOrgId: null }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]!.field).toBe("audienceOrgId");
  });

  it("refuses unknown cells and bad enums with the field and reason", async () => {
    const err = await open({
      impact: "huge",
      cells: [
        {
          componentId: voice,
          regionId: "00000000-0000-4000-8000-000000000000",
          status: "major_outage",
        },
      ],
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues.map((i) => i.field)).toContain("impact");
    const err2 = await open({
      cells: [
        {
          componentId: voice,
          regionId: "00000000-0000-4000-8000-000000000000",
          status: "major_outage",
        },
      ],
    }).catch((e) => e);
    expect((err2 as ValidationError).issues).toEqual([
      { field: "cells.0.regionId", message: "is not a region of this status page" },
    ]);
  });

  it("refuses a tenant user without incidents:write and writes nothing", async () => {
    const count = (await t.db.select().from(incidents)).length;
    await expect(openIncident({ ctx: acmeAdmin, input: {} })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect((await t.db.select().from(incidents)).length).toBe(count);
  });

  it("accepts a tenant-only incident and keeps it out of the public intervals", async () => {
    const { incident } = await open({
      category: "configurable",
      audienceOrgId: acmeId,
      cells: [{ componentId: api, regionId: del, status: "partial_outage" }],
    });
    expect(incident.audienceOrgId).toBe(acmeId);
    const rows = await t.db
      .select()
      .from(cellStatusIntervals)
      .where(eq(cellStatusIntervals.componentId, api));
    expect(rows).toEqual([]);
    const jobs = (await t.db.select().from(notificationJobs)).filter(
      (j) => j.payload.incidentId === incident.id,
    );
    expect(jobs.map((j) => j.payload.audience)).toEqual([{ type: "tenant", orgId: acmeId }]);
  });
});

describe("postUpdate lifecycle", () => {
  it("moves forward, may skip steps, records before/after and refuses going back", async () => {
    const { incident } = await open({ notify: false });
    const u1 = await postUpdate({
      ctx: oncall,
      input: {
        incidentId: incident.id,
        status: "monitoring",
        message: "Fix deployed",
        cells: [{ componentId: voice, regionId: bom, status: "degraded_performance" }],
      },
    });
    expect(u1.incident.status).toBe("monitoring");
    expect(u1.changes).toEqual([
      { componentId: voice, regionId: bom, before: "major_outage", after: "degraded_performance" },
    ]);
    const back = await postUpdate({
      ctx: oncall,
      input: { incidentId: incident.id, status: "identified", message: "x" },
    }).catch((e) => e);
    expect(back).toBeInstanceOf(ConflictError);
    expect((back as Error).message).toMatch(/cannot go back from monitoring to identified/);

    const resolved = await postUpdate({
      ctx: oncall,
      input: { incidentId: incident.id, status: "resolved", message: "All good", notify: true },
    });
    expect(resolved.incident.resolvedAt).not.toBeNull();
    expect(resolved.changes).toEqual([
      { componentId: voice, regionId: bom, before: "degraded_performance", after: "operational" },
    ]);
    const [job] = await t.db
      .select()
      .from(notificationJobs)
      .where(eq(notificationJobs.kind, "incident.resolved"));
    expect(job!.payload).toMatchObject({
      incidentId: incident.id,
      status: "resolved",
      updateId: resolved.update.id,
    });

    const after = await postUpdate({
      ctx: oncall,
      input: { incidentId: incident.id, status: "resolved", message: "again" },
    }).catch((e) => e);
    expect(after).toBeInstanceOf(ConflictError);
    expect((after as Error).message).toMatch(/reopen it/);

    const updates = await t.db
      .select()
      .from(incidentUpdates)
      .where(eq(incidentUpdates.incidentId, incident.id));
    expect(updates.map((u) => u.status).sort()).toEqual([
      "investigating",
      "monitoring",
      "resolved",
    ]);
  });

  it("reopens explicitly, then allows a postmortem only once resolved", async () => {
    const { incident } = await open({ notify: false });
    const early = await publishPostmortem({
      ctx: oncall,
      input: { incidentId: incident.id, postmortem: "Root cause" },
    }).catch((e) => e);
    expect(early).toBeInstanceOf(ConflictError);
    await expect(
      reopenIncident({ ctx: oncall, input: { incidentId: incident.id, message: "x" } }),
    ).rejects.toThrow(/Only a resolved incident/);
    await postUpdate({
      ctx: oncall,
      input: { incidentId: incident.id, status: "resolved", message: "done" },
    });
    const re = await reopenIncident({
      ctx: oncall,
      input: {
        incidentId: incident.id,
        message: "It came back",
        cells: [{ componentId: voice, regionId: bom, status: "partial_outage" }],
      },
    });
    expect(re.update.kind).toBe("reopen");
    expect(re.incident.status).toBe("investigating");
    expect(re.incident.resolvedAt).toBeNull();
    await postUpdate({
      ctx: oncall,
      input: { incidentId: incident.id, status: "resolved", message: "done again" },
    });
    const pm = await publishPostmortem({
      ctx: oncall,
      input: { incidentId: incident.id, postmortem: "# Root cause\nA bad deploy." },
    });
    expect(pm.postmortemHtml).toContain("<h3>Root cause</h3>");
    const actions = (
      await t.db.select().from(auditLog).where(eq(auditLog.targetId, incident.id))
    ).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(["incident.reopened", "incident.postmortem_published"]),
    );
  });

  it("answers not found for an id of another organization's incident and changes nothing", async () => {
    // An incident row owned by a tenant org (as if another status page) is invisible to the platform ctx.
    const [foreign] = await t.db
      .insert(incidents)
      .values({ orgId: globexId, title: "Other page", category: "billing", impact: "minor" })
      .returning();
    await expect(
      postUpdate({
        ctx: oncall,
        input: { incidentId: foreign!.id, status: "resolved", message: "x" },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      editIncident({ ctx: oncall, input: { incidentId: foreign!.id, title: "hijack" } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const [still] = await t.db.select().from(incidents).where(eq(incidents.id, foreign!.id));
    expect(still).toMatchObject({ status: "investigating", title: "Other page" });
    await expect(
      postUpdate({
        ctx: acmeAdmin,
        input: { incidentId: foreign!.id, status: "resolved", message: "x" },
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe("maintenance", () => {
  it("schedules, starts (under_maintenance interval), refuses going back and completes", async () => {
    const start = new Date(Date.now() + 3600_000);
    const { maintenance } = await scheduleMaintenance({
      ctx: oncall,
      input: {
        title: "SIP upgrade",
        message: "Upgrading SIP proxies",
        scheduledFor: start.toISOString(),
        scheduledUntil: new Date(start.getTime() + 7200_000).toISOString(),
        cells: [{ componentId: api, regionId: bom }],
        notify: true,
      },
    });
    expect(maintenance.status).toBe("scheduled");
    await advanceMaintenance({
      ctx: oncall,
      input: {
        maintenanceId: maintenance.id,
        status: "in_progress",
        message: "Started",
        notify: true,
      },
    });
    const open = await t.db
      .select()
      .from(cellStatusIntervals)
      .where(and(eq(cellStatusIntervals.componentId, api), eq(cellStatusIntervals.regionId, bom)));
    expect(open.filter((o) => !o.endedAt).map((o) => o.status)).toEqual(["under_maintenance"]);
    await expect(
      advanceMaintenance({
        ctx: oncall,
        input: { maintenanceId: maintenance.id, status: "scheduled", message: "oops" },
      }),
    ).rejects.toThrow(/cannot go back from in_progress to scheduled/);
    await advanceMaintenance({
      ctx: oncall,
      input: { maintenanceId: maintenance.id, status: "completed", message: "Done", notify: true },
    });
    const [m] = await t.db.select().from(maintenances).where(eq(maintenances.id, maintenance.id));
    expect(m!.completedAt).not.toBeNull();
    const rows = await t.db
      .select()
      .from(cellStatusIntervals)
      .where(eq(cellStatusIntervals.componentId, api));
    expect(rows.every((r) => r.endedAt !== null)).toBe(true);
    const kinds = (await t.db.select().from(notificationJobs)).map((j) => j.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "maintenance.scheduled",
        "maintenance.started",
        "maintenance.completed",
      ]),
    );
    await expect(
      advanceMaintenance({
        ctx: oncall,
        input: { maintenanceId: maintenance.id, status: "completed", message: "again" },
      }),
    ).rejects.toThrow(/completed; schedule a new one/);
  });

  it("refuses a window that ends before it starts", async () => {
    const err = await scheduleMaintenance({
      ctx: oncall,
      input: {
        title: "x",
        message: "y",
        scheduledFor: "2030-01-02T00:00:00Z",
        scheduledUntil: "2030-01-01T00:00:00Z",
        cells: [{ componentId: api, regionId: bom }],
      },
    }).catch((e) => e);
    expect((err as ValidationError).issues).toEqual([
      { field: "scheduledUntil", message: "must be after the start of the window" },
    ]);
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, desc, eq, sql } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  auditLog,
  cellStatusIntervals,
  componentRegions,
  components,
  deliveries,
  devMailbox,
  incidents,
  incidentTemplates,
  incidentUpdates,
  notificationJobs,
  organizations,
  publicSubscribers,
  regions,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { testSettings } from "@/test/alerts";
import type { Ctx } from "@/lib/context";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { planJob } from "@/lib/alerts/plan";
import { alertItemOf } from "@/lib/channels/message";
import { webhookEvent } from "@/lib/channels/webhook";
import { processDelivery } from "@/lib/alerts/send";
import { getIncident, loadStatusView } from "@/lib/status/read";
import { openIncident } from "./open-incident";
import { postUpdate } from "./post-update";
import { publishPostmortem } from "./publish-postmortem";
import { editIncidentUpdate } from "./edit-update";
import { backfillIncident } from "./backfill-incident";
import {
  createIncidentTemplate,
  deleteIncidentTemplate,
  listIncidentTemplates,
  updateIncidentTemplate,
} from "./templates";

let t: TestDb;
let admin: Ctx;
let oncall: Ctx;
let acmeAdmin: Ctx;
let voice: string;
let otherComponent: string;
let bom: string;
let acmeId: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  admin = await ctxFor(t.db, "admin@beacon.test");
  oncall = await ctxFor(t.db, "oncall@beacon.test");
  acmeAdmin = await ctxFor(t.db, "admin@acme.test");
  const comps = await t.db.select().from(components);
  voice = comps.find((c) => c.name === "Voice routing")!.id;
  otherComponent = comps.find((c) => c.name !== "Voice routing")!.id;
  bom = (await t.db.select().from(regions).where(eq(regions.code, "BOM")))[0]!.id;
  acmeId = (await t.db.select().from(organizations).where(eq(organizations.slug, "acme")))[0]!.id;
});
afterAll(() => t.close());

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a refusal");
}
const fields = (e: unknown) => (e as ValidationError).issues.map((i) => i.field);

const lastAudit = async (action: string) =>
  (
    await t.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, action))
      .orderBy(desc(auditLog.createdAt))
      .limit(1)
  )[0];

const templateInput = (over: Record<string, unknown> = {}) => ({
  name: `Carrier outage ${Math.random().toString(36).slice(2, 8)}`,
  title: "Calls failing through one carrier",
  body: "We are investigating failed calls through a **carrier**.",
  category: "infrastructure",
  impact: "major",
  cells: [{ componentId: voice, regionId: bom, status: "partial_outage" }],
  ...over,
});

describe("incident templates", () => {
  it("a platform admin creates, edits and deletes one; each is audited", async () => {
    const created = await createIncidentTemplate({ ctx: admin, input: templateInput() });
    expect(created).toMatchObject({ title: "Calls failing through one carrier", impact: "major" });
    expect(await lastAudit("incident_template.created")).toMatchObject({
      targetId: created.id,
    });
    const edited = await updateIncidentTemplate({
      ctx: admin,
      input: {
        ...templateInput({ name: created.name, title: "Carrier calls failing" }),
        templateId: created.id,
      },
    });
    expect(edited.title).toBe("Carrier calls failing");
    const audit = await lastAudit("incident_template.updated");
    expect(audit!.data).toMatchObject({
      before: { title: "Calls failing through one carrier" },
      after: { title: "Carrier calls failing" },
    });
    expect((await listIncidentTemplates({ ctx: oncall })).map((x) => x.id)).toContain(created.id);
    await deleteIncidentTemplate({ ctx: admin, input: { templateId: created.id } });
    expect(await lastAudit("incident_template.deleted")).toMatchObject({ targetId: created.id });
    expect((await listIncidentTemplates({ ctx: oncall })).map((x) => x.id)).not.toContain(
      created.id,
    );
  });

  it("only platform admins manage them; tenants do not even read them", async () => {
    const row = await createIncidentTemplate({ ctx: admin, input: templateInput() });
    for (const ctx of [oncall, acmeAdmin]) {
      await expect(createIncidentTemplate({ ctx, input: templateInput() })).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      await expect(
        updateIncidentTemplate({ ctx, input: { ...templateInput(), templateId: row.id } }),
      ).rejects.toBeInstanceOf(ForbiddenError);
      await expect(
        deleteIncidentTemplate({ ctx, input: { templateId: row.id } }),
      ).rejects.toBeInstanceOf(ForbiddenError);
    }
    await expect(listIncidentTemplates({ ctx: acmeAdmin })).rejects.toBeInstanceOf(ForbiddenError);
    // An unknown or malformed id is not found.
    await expect(
      deleteIncidentTemplate({
        ctx: admin,
        input: { templateId: "00000000-0000-4000-8000-000000000000" },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      deleteIncidentTemplate({ ctx: admin, input: { templateId: "nope" } }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("refuses bad values naming each field, and a name already used", async () => {
    const e = await failure(
      createIncidentTemplate({
        ctx: admin,
        input: templateInput({ name: " ", title: "", impact: "huge", category: "x" }),
      }),
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect(fields(e).sort()).toEqual(["category", "impact", "name", "title"]);
    const first = await createIncidentTemplate({ ctx: admin, input: templateInput() });
    const dup = await failure(
      createIncidentTemplate({
        ctx: admin,
        input: templateInput({ name: first.name.toUpperCase() }),
      }),
    );
    expect((dup as ValidationError).issues).toEqual([
      { field: "name", message: "is already another template's name" },
    ]);
    const cell = await failure(
      createIncidentTemplate({
        ctx: admin,
        input: templateInput({
          cells: [
            {
              componentId: "00000000-0000-4000-8000-000000000000",
              regionId: bom,
              status: "major_outage",
            },
          ],
        }),
      }),
    );
    expect(fields(cell)).toEqual(["cells.0.componentId"]);
  });

  it("opens an incident from a template; fields given win over the template's", async () => {
    const tpl = await createIncidentTemplate({ ctx: admin, input: templateInput() });
    const { incident, update } = await openIncident({
      ctx: oncall,
      input: { templateId: tpl.id, title: "Carrier X failing in Mumbai" },
    });
    expect(incident).toMatchObject({
      title: "Carrier X failing in Mumbai",
      category: "infrastructure",
      impact: "major",
    });
    expect(update.message).toBe(tpl.body);
    const view = await getIncident(t.db, { viewerOrgId: null }, incident.id);
    expect(view.cells).toEqual([{ componentId: voice, regionId: bom, status: "partial_outage" }]);
    expect((await lastAudit("incident.opened"))!.data).toMatchObject({ templateId: tpl.id });

    // An explicit empty cell list is a choice too.
    const { incident: none } = await openIncident({
      ctx: oncall,
      input: { templateId: tpl.id, cells: [], impact: "minor" },
    });
    expect(none.impact).toBe("minor");
    expect((await getIncident(t.db, { viewerOrgId: null }, none.id)).cells).toEqual([]);
  });

  it("refuses an unknown, malformed or other organization's template, naming templateId", async () => {
    const [foreign] = await t.db
      .insert(incidentTemplates)
      .values({
        orgId: acmeId,
        name: "acme's",
        title: "x",
        body: "x",
        category: "infrastructure",
        impact: "minor",
      })
      .returning();
    for (const templateId of ["00000000-0000-4000-8000-000000000000", "not-an-id", foreign!.id]) {
      const e = await failure(openIncident({ ctx: oncall, input: { templateId } }));
      expect(e).toBeInstanceOf(ValidationError);
      expect(fields(e)).toEqual(["templateId"]);
    }
  });
});

describe("postmortem notices", () => {
  beforeEach(async () => {
    await t.db.delete(publicSubscribers).where(sql`true`);
  });

  const subscriber = (email: string, over: Partial<typeof publicSubscribers.$inferInsert> = {}) =>
    t.db
      .insert(publicSubscribers)
      .values({ kind: "email", email, confirmedAt: new Date(), ...over })
      .returning();

  async function resolvedIncident() {
    const { incident } = await openIncident({
      ctx: oncall,
      input: {
        title: "Calls failing in Mumbai",
        category: "infrastructure",
        impact: "major",
        message: "Investigating",
        cells: [{ componentId: voice, regionId: bom, status: "major_outage" }],
      },
    });
    await postUpdate({
      ctx: oncall,
      input: { incidentId: incident.id, status: "resolved", message: "Fixed" },
    });
    return incident;
  }
  const postmortemJobs = (incidentId: string) =>
    t.db
      .select()
      .from(notificationJobs)
      .where(
        and(
          eq(notificationJobs.kind, "incident.postmortem"),
          sql`${notificationJobs.payload}->>'incidentId' = ${incidentId}`,
        ),
      );

  it("publishing with notify enqueues one notice, planned for the opted-in subscribers only", async () => {
    await subscriber("in@example.com");
    await subscriber("out@example.com", { postmortemNotices: false });
    await subscriber("maint@example.com", { maintenanceOnly: true });
    await subscriber("elsewhere@example.com", { componentIds: [otherComponent] });
    const incident = await resolvedIncident();

    await publishPostmortem({
      ctx: oncall,
      input: { incidentId: incident.id, postmortem: "## Cause\n\nA route flapped.", notify: true },
    });
    const jobs = await postmortemJobs(incident.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.payload).toMatchObject({
      incidentId: incident.id,
      componentIds: [voice],
      message: "## Cause\n\nA route flapped.",
      audience: { type: "public" },
    });

    // A webhook receives it as its own event type.
    expect(webhookEvent(alertItemOf(jobs[0]!), "http://beacon.test")).toMatchObject({
      type: "incident.postmortem",
      data: {
        status: "postmortem",
        message: "## Cause\n\nA route flapped.",
        incident_id: incident.id,
        update_id: null,
      },
    });

    await planJob(t.db, jobs[0]!.id);
    const rows = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, jobs[0]!.id), eq(deliveries.recipientType, "subscriber")));
    const by = Object.fromEntries(rows.map((r) => [r.destination, r]));
    expect(by["in@example.com"]!.status).toBe("pending");
    expect(by["out@example.com"]!.status).toBe("suppressed");
    expect(by["out@example.com"]!.trace.find((s) => s.step === "filter")!.detail).toBe(
      "opted out of postmortem notices",
    );
    expect(by["maint@example.com"]!.status).toBe("suppressed");
    expect(by["elsewhere@example.com"]!.status).toBe("suppressed");

    // The email says what it is and carries the postmortem.
    const sent = await processDelivery(t.db, by["in@example.com"]!.id, {
      settings: testSettings(),
    });
    expect(sent.status).toBe("delivered");
    const [mail] = await t.db
      .select()
      .from(devMailbox)
      .where(eq(devMailbox.idempotencyKey, by["in@example.com"]!.idempotencyKey));
    expect(mail!.subject).toContain("Postmortem");
    expect(mail!.text).toContain("A route flapped.");
    expect(mail!.text).toContain(`/incidents/${incident.id}`);
  });

  it("sends nothing without notify, nor on a revision unless asked", async () => {
    await subscriber("in@example.com");
    const incident = await resolvedIncident();
    await publishPostmortem({
      ctx: oncall,
      input: { incidentId: incident.id, postmortem: "First draft" },
    });
    expect(await postmortemJobs(incident.id)).toHaveLength(0);
    await publishPostmortem({
      ctx: oncall,
      input: { incidentId: incident.id, postmortem: "Published", notify: true },
    });
    await publishPostmortem({
      ctx: oncall,
      input: { incidentId: incident.id, postmortem: "Typo fixed" },
    });
    expect(await postmortemJobs(incident.id)).toHaveLength(1);
    await publishPostmortem({
      ctx: oncall,
      input: { incidentId: incident.id, postmortem: "Revised with new findings", notify: true },
    });
    expect(await postmortemJobs(incident.id)).toHaveLength(2);
    const e = await failure(
      publishPostmortem({
        ctx: oncall,
        input: { incidentId: incident.id, postmortem: "x", notify: "yes" },
      }),
    );
    expect(fields(e)).toEqual(["notify"]);
  });
});

describe("correcting an update", () => {
  async function incidentWithUpdate() {
    const { incident, update } = await openIncident({
      ctx: oncall,
      input: {
        title: "SMS delays",
        category: "infrastructure",
        impact: "minor",
        message: "SMS are delayed by 5 minuets",
        notify: true,
      },
    });
    return { incident, update };
  }

  it("replaces the message, marks it edited, keeps the original in the audit log, notifies nobody", async () => {
    const { incident, update } = await incidentWithUpdate();
    const jobsBefore = (await t.db.select().from(notificationJobs)).length;
    const after = await editIncidentUpdate({
      ctx: oncall,
      input: {
        incidentId: incident.id,
        updateId: update.id,
        message: "SMS are delayed by 5 **minutes**",
      },
    });
    expect(after.message).toBe("SMS are delayed by 5 **minutes**");
    expect(after.messageHtml).toContain("<strong>minutes</strong>");
    expect(after.editedAt).toBeInstanceOf(Date);
    const audit = await lastAudit("incident.update_edited");
    expect(audit).toMatchObject({ targetType: "incident", targetId: incident.id });
    expect(audit!.data).toEqual({
      updateId: update.id,
      before: "SMS are delayed by 5 minuets",
      after: "SMS are delayed by 5 **minutes**",
    });
    expect((await t.db.select().from(notificationJobs)).length).toBe(jobsBefore);
    // The public timeline shows the corrected text and when it was edited.
    const view = await getIncident(t.db, { viewerOrgId: null }, incident.id);
    expect(view.updates[0]).toMatchObject({
      message: "SMS are delayed by 5 **minutes**",
      editedAt: after.editedAt!.toISOString(),
    });
  });

  it("is for incidents:write only, and only for an update of that incident", async () => {
    const { incident, update } = await incidentWithUpdate();
    const other = await incidentWithUpdate();
    const input = { incidentId: incident.id, updateId: update.id, message: "changed" };
    await expect(editIncidentUpdate({ ctx: acmeAdmin, input })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await expect(
      editIncidentUpdate({ ctx: oncall, input: { ...input, updateId: other.update.id } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      editIncidentUpdate({ ctx: oncall, input: { ...input, updateId: "nope" } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const e = await failure(editIncidentUpdate({ ctx: oncall, input: { ...input, message: " " } }));
    expect((e as ValidationError).issues).toEqual([{ field: "message", message: "is required" }]);
    const [row] = await t.db
      .select()
      .from(incidentUpdates)
      .where(eq(incidentUpdates.id, update.id));
    expect(row!.editedAt).toBeNull();
  });
});

describe("back-filling a resolved incident's times", () => {
  const DAY = 86_400_000;
  const uptimeOfVoiceInMumbai = async (now: Date) => {
    const view = await loadStatusView(t.db, { viewerOrgId: null }, now);
    return view.components.find((c) => c.id === voice)!.cells.find((c) => c.regionId === bom)!
      .uptime90;
  };

  it("moves the incident to its real interval and the 90-day uptime follows", async () => {
    // The cell has existed for a month, so last week's downtime counts.
    const monthAgo = new Date(Date.now() - 30 * DAY);
    await t.db.update(components).set({ createdAt: monthAgo }).where(eq(components.id, voice));
    await t.db
      .update(componentRegions)
      .set({ createdAt: monthAgo })
      .where(and(eq(componentRegions.componentId, voice), eq(componentRegions.regionId, bom)));
    await t.db
      .delete(cellStatusIntervals)
      .where(
        and(eq(cellStatusIntervals.componentId, voice), eq(cellStatusIntervals.regionId, bom)),
      );

    const { incident } = await openIncident({
      ctx: oncall,
      input: {
        title: "Calls dropped last week",
        category: "infrastructure",
        impact: "critical",
        message: "Written up after the fact",
        cells: [{ componentId: voice, regionId: bom, status: "major_outage" }],
      },
    });
    await postUpdate({
      ctx: oncall,
      input: { incidentId: incident.id, status: "resolved", message: "Over" },
    });
    const now = new Date(Date.now() + 1000);
    const before = await uptimeOfVoiceInMumbai(now);
    expect(before).toBeGreaterThan(0.9999);

    const startedAt = new Date(Date.now() - 7 * DAY);
    const resolvedAt = new Date(startedAt.getTime() + 3 * 3_600_000);
    const after = await backfillIncident({
      ctx: oncall,
      input: { incidentId: incident.id, startedAt: startedAt.toISOString(), resolvedAt },
    });
    expect(after.startedAt).toEqual(startedAt);
    expect(after.resolvedAt).toEqual(resolvedAt);
    const intervals = await t.db
      .select()
      .from(cellStatusIntervals)
      .where(
        and(eq(cellStatusIntervals.componentId, voice), eq(cellStatusIntervals.regionId, bom)),
      );
    // (Earlier tests' incidents on this cell, replayed from their history, are all from today.)
    const older = intervals.filter((i) => i.startedAt.getTime() < Date.now() - DAY);
    expect(older.map((i) => [i.status, i.startedAt, i.endedAt])).toEqual([
      ["major_outage", startedAt, resolvedAt],
    ]);
    // Three hours down in the month observed.
    const figure = await uptimeOfVoiceInMumbai(now);
    const observed = now.getTime() - monthAgo.getTime();
    expect(figure).toBeCloseTo(1 - (3 * 3_600_000) / observed, 5);
    expect(figure).toBeLessThan(before!);

    const audit = await lastAudit("incident.backfilled");
    expect(audit!.data).toMatchObject({
      before: { startedAt: incident.startedAt.toISOString() },
      after: { startedAt: startedAt.toISOString(), resolvedAt: resolvedAt.toISOString() },
    });

    // Moving only the end shortens the outage to one hour.
    await backfillIncident({
      ctx: oncall,
      input: { incidentId: incident.id, resolvedAt: new Date(startedAt.getTime() + 3_600_000) },
    });
    expect(await uptimeOfVoiceInMumbai(now)).toBeCloseTo(1 - 3_600_000 / observed, 5);
  });

  it("keeps other incidents' downtime that overlaps the window", async () => {
    // A component of the demo catalogue that runs in Mumbai, other than voice routing.
    const [cell] = await t.db
      .select()
      .from(componentRegions)
      .where(
        and(eq(componentRegions.regionId, bom), sql`${componentRegions.componentId} <> ${voice}`),
      );
    const otherComponent = cell!.componentId;
    const { incident: a } = await openIncident({
      ctx: oncall,
      input: {
        title: "A",
        category: "infrastructure",
        impact: "minor",
        message: "a",
        cells: [{ componentId: otherComponent, regionId: bom, status: "partial_outage" }],
      },
    });
    const { incident: b } = await openIncident({
      ctx: oncall,
      input: {
        title: "B",
        category: "infrastructure",
        impact: "major",
        message: "b",
        cells: [{ componentId: otherComponent, regionId: bom, status: "major_outage" }],
      },
    });
    await postUpdate({
      ctx: oncall,
      input: { incidentId: b.id, status: "resolved", message: "ok" },
    });
    await backfillIncident({
      ctx: oncall,
      input: { incidentId: b.id, startedAt: new Date(Date.now() - DAY) },
    });
    // A is still open: the cell is partial outage now, recorded as an open span.
    const open = await t.db
      .select()
      .from(cellStatusIntervals)
      .where(
        and(
          eq(cellStatusIntervals.componentId, otherComponent),
          eq(cellStatusIntervals.regionId, bom),
          sql`${cellStatusIntervals.endedAt} is null`,
        ),
      );
    expect(open.map((o) => o.status)).toEqual(["partial_outage"]);
    expect(a.status).toBe("investigating");
  });

  it("refuses bad times naming the field, an open incident, and callers without incidents:write", async () => {
    const { incident } = await openIncident({
      ctx: oncall,
      input: { title: "Open", category: "infrastructure", impact: "minor", message: "x" },
    });
    await expect(
      backfillIncident({
        ctx: oncall,
        input: { incidentId: incident.id, startedAt: new Date(Date.now() - DAY) },
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    await postUpdate({
      ctx: oncall,
      input: { incidentId: incident.id, status: "resolved", message: "x" },
    });
    const cases: [Record<string, unknown>, string[]][] = [
      [{ startedAt: new Date(Date.now() + DAY) }, ["startedAt"]],
      [{ resolvedAt: new Date(Date.now() + DAY) }, ["resolvedAt"]],
      [
        { startedAt: new Date(Date.now() - DAY), resolvedAt: new Date(Date.now() - 2 * DAY) },
        ["resolvedAt"],
      ],
      [{ startedAt: new Date(Date.now() + 60_000).toISOString().replace("Z", "+05:00") }, []],
      [{ startedAt: "yesterday" }, ["startedAt"]],
      [{}, ["startedAt"]],
    ];
    for (const [input, want] of cases) {
      const p = backfillIncident({ ctx: oncall, input: { incidentId: incident.id, ...input } });
      if (want.length === 0) {
        // 5 hours behind UTC: in the past, so accepted.
        await p;
        continue;
      }
      const e = await failure(p);
      expect(e, JSON.stringify(input)).toBeInstanceOf(ValidationError);
      expect(fields(e)).toEqual(want);
    }
    await expect(
      backfillIncident({
        ctx: acmeAdmin,
        input: { incidentId: incident.id, startedAt: new Date(Date.now() - DAY) },
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const [row] = await t.db.select().from(incidents).where(eq(incidents.id, incident.id));
    expect(row!.status).toBe("resolved");
  });
});

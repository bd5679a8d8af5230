import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import type { Db } from "@/db";
import { eq } from "drizzle-orm";
import { components, incidents, organizations, regions } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import type { Ctx } from "@/lib/context";
import { openIncident } from "@/lib/incidents/open-incident";
import { postUpdate } from "@/lib/incidents/post-update";
import { scheduleMaintenance } from "@/lib/incidents/schedule-maintenance";
import { addTenantPart, loadStatusView, type StatusView } from "./read";
import {
  invalidateSnapshot,
  publicDocument,
  publicStatusView,
  tenantStatusView,
  warmSnapshot,
} from "./snapshot";
import { PUBLIC_DOCUMENTS } from "./documents";
import { statusChanged } from "./changes";

/**
 * A signed-in tenant member's view of the status page comes from memory: the shared public
 * snapshot plus the tenant's own cached part. It must say exactly what a per-request read would,
 * never show another tenant's incidents, follow a change at once, and keep serving during a
 * database outage.
 */
const SECRET = "Acme carrier route withdrawn";
const GLOBEX_SECRET = "Globex SIP registrations failing";
const BASE = "https://status.example.test";

let t: TestDb;
let oncall: Ctx;
let acmeId: string;
let globexId: string;
let api: string;
let voice: string;
let del: string;
let bom: string;
let acmeIncident: string;

/** A database that counts what is asked of it and can be made to fail, as one that went away. */
let down = false;
let touched = 0;
let wrapped: Db;

/** The view without its build time and today's moving uptime, for views built moments apart. */
const comparable = (v: StatusView) => ({
  ...v,
  generatedAt: undefined,
  components: v.components.map((c) => ({
    ...c,
    days: undefined,
    uptime90: undefined,
    cells: c.cells.map((x) => ({ ...x, days: undefined, uptime90: undefined })),
  })),
});

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  wrapped = new Proxy(t.db, {
    get(target, prop, receiver) {
      touched++;
      if (down) {
        throw Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), {
          code: "ECONNREFUSED",
        });
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  oncall = await ctxFor(t.db, "oncall@beacon.test");
  const orgs = await t.db.select().from(organizations);
  acmeId = orgs.find((o) => o.slug === "acme")!.id;
  globexId = orgs.find((o) => o.slug === "globex")!.id;
  const comps = await t.db.select().from(components);
  api = comps.find((c) => c.name === "API")!.id;
  voice = comps.find((c) => c.name === "Voice routing")!.id;
  const regs = await t.db.select().from(regions);
  del = regs.find((r) => r.code === "DEL")!.id;
  bom = regs.find((r) => r.code === "BOM")!.id;

  await openIncident({
    ctx: oncall,
    input: {
      title: "Voice calls failing in Mumbai",
      category: "infrastructure",
      impact: "minor",
      message: "Investigating",
      cells: [{ componentId: voice, regionId: bom, status: "partial_outage" }],
    },
  });
  acmeIncident = (
    await openIncident({
      ctx: oncall,
      input: {
        title: SECRET,
        category: "configurable",
        impact: "major",
        audienceOrgId: acmeId,
        message: "Calls to one carrier fail",
        cells: [{ componentId: api, regionId: del, status: "major_outage" }],
      },
    })
  ).incident.id;
  await openIncident({
    ctx: oncall,
    input: {
      title: GLOBEX_SECRET,
      category: "configurable",
      impact: "critical",
      audienceOrgId: globexId,
      message: "Registrations time out",
      cells: [{ componentId: voice, regionId: del, status: "major_outage" }],
    },
  });
  const soon = Date.now() + 3600_000;
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
  });
  invalidateSnapshot();
});
afterAll(async () => {
  down = false;
  await t.close();
});

describe("a signed-in tenant's status view from memory", () => {
  it("is exactly what reading the database for that tenant gives", async () => {
    for (const orgId of [acmeId, globexId]) {
      const cached = await tenantStatusView(wrapped, orgId);
      const direct = await loadStatusView(t.db, { viewerOrgId: orgId });
      expect(comparable(cached)).toEqual(comparable(direct));
    }
    const acme = await tenantStatusView(wrapped, acmeId);
    expect(acme.incidents.find((i) => i.title === SECRET)?.tenantOnly).toBe(true);
    expect(acme.components.find((c) => c.id === api)!.status).toBe("major_outage");
    expect(acme.indicator.indicator).toBe("major");
  });

  it("never shows a tenant another tenant's incidents, nor the public either tenant's", async () => {
    const acme = JSON.stringify(await tenantStatusView(wrapped, acmeId));
    const globex = JSON.stringify(await tenantStatusView(wrapped, globexId));
    expect(acme).toContain(SECRET);
    expect(acme).not.toContain(GLOBEX_SECRET);
    expect(globex).toContain(GLOBEX_SECRET);
    expect(globex).not.toContain(SECRET);
    // The shared public view stays untouched by composing the tenants' views on it.
    const pub = JSON.stringify(await publicStatusView(wrapped));
    expect(pub).not.toContain(SECRET);
    expect(pub).not.toContain(GLOBEX_SECRET);
    for (const name of PUBLIC_DOCUMENTS) {
      const doc = (await publicDocument(wrapped, name, { baseUrl: BASE }))!.body.toString();
      expect(doc, name).not.toContain(SECRET);
      expect(doc, name).not.toContain(GLOBEX_SECRET);
    }
  });

  it("refuses to add a part holding another organization's incident", async () => {
    const view = await publicStatusView(wrapped);
    const globexOnly = (await tenantStatusView(wrapped, globexId)).incidents.filter(
      (i) => i.tenantOnly,
    );
    expect(() =>
      addTenantPart(view, { orgId: acmeId, incidents: globexOnly, maintenances: [] }),
    ).toThrow(/another organization/);
  });

  it("reads nothing from the database once built, until a status change", async () => {
    await tenantStatusView(wrapped, acmeId);
    touched = 0;
    for (let i = 0; i < 50; i++) await tenantStatusView(wrapped, acmeId);
    expect(touched).toBe(0);
    statusChanged();
    await tenantStatusView(wrapped, acmeId);
    expect(touched).toBeGreaterThan(0);
  });

  it("shows the tenant's posted update at once", async () => {
    expect(
      (await tenantStatusView(wrapped, acmeId)).incidents.find((i) => i.id === acmeIncident)!
        .status,
    ).toBe("investigating");
    await postUpdate({
      ctx: oncall,
      input: {
        incidentId: acmeIncident,
        status: "identified",
        message: "A carrier withdrew a route",
        cells: [{ componentId: api, regionId: del, status: "degraded_performance" }],
      },
    });
    const acme = await tenantStatusView(wrapped, acmeId);
    const mine = acme.incidents.find((i) => i.id === acmeIncident)!;
    expect(mine.status).toBe("identified");
    expect(mine.updates[0]!.message).toBe("A carrier withdrew a route");
    expect(acme.components.find((c) => c.id === api)!.status).toBe("degraded_performance");
    expect(comparable(acme)).toEqual(
      comparable(await loadStatusView(t.db, { viewerOrgId: acmeId })),
    );
  });

  it("is dropped by another instance's change notice, as the public snapshot is", async () => {
    await tenantStatusView(wrapped, acmeId);
    // Written by "another instance": this one hears of it only through NOTIFY (listen.ts).
    await t.db
      .update(incidents)
      .set({ title: `${SECRET} (renamed)` })
      .where(eq(incidents.id, acmeIncident));
    expect((await tenantStatusView(wrapped, acmeId)).incidents.map((i) => i.title)).toContain(
      SECRET,
    );
    invalidateSnapshot(); // what listen.ts does on another instance's NOTIFY
    expect((await tenantStatusView(wrapped, acmeId)).incidents.map((i) => i.title)).toContain(
      `${SECRET} (renamed)`,
    );
  });

  it("keeps serving the last good copy during a database outage, and recovers after it", async () => {
    invalidateSnapshot();
    await warmSnapshot(wrapped, BASE);
    const good = await tenantStatusView(wrapped, acmeId);
    down = true;
    try {
      // A status change (another instance's NOTIFY) drops the snapshot; the rebuild fails.
      statusChanged();
      expect(comparable(await tenantStatusView(wrapped, acmeId))).toEqual(comparable(good));
      expect(JSON.stringify(await tenantStatusView(wrapped, acmeId))).not.toContain(GLOBEX_SECRET);
    } finally {
      down = false;
    }
    await postUpdate({
      ctx: oncall,
      input: { incidentId: acmeIncident, status: "monitoring", message: "Route restored" },
    });
    expect(
      (await tenantStatusView(wrapped, acmeId)).incidents.find((i) => i.id === acmeIncident)!
        .status,
    ).toBe("monitoring");
  });
});

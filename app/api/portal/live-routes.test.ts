import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { deliveries, inboxItems, notificationJobs, users } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { orgId } from "@/test/alerts";
import { openIncident } from "@/lib/incidents/open-incident";
import type { DeliveryLogRow } from "@/lib/alerts/deliveries";
import type { IncidentDeliveryBreakdown } from "@/lib/alerts/fanout";

// The live views' JSON routes, called as the portal calls them: the session decides the
// organization, whatever the query string says.
vi.mock("server-only", () => ({}));
let t: TestDb;
vi.mock("@/server/database", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/server/database")>()),
  getDb: async () => t.db,
  getDbHandle: async () => t,
}));
let session: { user: { id: string } } | null = null;
vi.mock("@/app/_server/auth", () => ({ auth: async () => session }));

const { GET: getDeliveries } = await import("./deliveries/route");
const { GET: getBreakdown } = await import("./incident-deliveries/route");
const { GET: getInbox } = await import("./inbox/route");

let incidentId: string;
const userId: Record<string, string> = {};
const as = (email: string) => {
  session = { user: { id: userId[email]! } };
};

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  for (const u of await t.db.select().from(users)) userId[u.email] = u.id;
  const responder = await ctxFor(t.db, "oncall@beacon.test");
  incidentId = (
    await openIncident({
      ctx: responder,
      input: {
        title: "Voice routing degraded in Mumbai",
        category: "infrastructure",
        impact: "minor",
        message: "Calls drop",
        notify: false,
      },
    })
  ).incident.id;
  const [job] = await t.db
    .insert(notificationJobs)
    .values({
      orgId: await orgId(t.db, "platform"),
      kind: "incident.created",
      status: "planned",
      payload: {
        title: "Voice routing degraded in Mumbai",
        category: "infrastructure",
        impact: "minor",
        audience: { type: "public" },
        componentIds: [],
        regionIds: [],
        incidentId,
      },
    })
    .returning();
  const acme = await orgId(t.db, "acme");
  const globex = await orgId(t.db, "globex");
  const row = (org: string, destination: string, status: "delivered" | "failed") => ({
    jobId: job!.id,
    orgId: org,
    channel: "email" as const,
    recipientType: "member" as const,
    recipientId: org === acme ? userId["admin@acme.test"]! : userId["admin@globex.test"]!,
    destination,
    idempotencyKey: `live-${destination}`,
    status,
    incidentId,
    error: status === "failed" ? "mailbox full" : null,
  });
  await t.db
    .insert(deliveries)
    .values([
      row(acme, "admin@acme.test", "delivered"),
      row(globex, "admin@globex.test", "failed"),
    ]);
  await t.db.insert(inboxItems).values({
    userId: userId["admin@globex.test"]!,
    orgId: globex,
    title: "Globex only",
    body: "for Globex",
  });
  // A fresh database with the demo data: slow on a busy machine.
}, 300_000);
afterAll(() => t?.close());

const get = (url: string) => new Request(`http://beacon.test${url}`);

describe("GET /api/portal/deliveries", () => {
  it("lists the session organization's deliveries only, with the incident's title and the explainer's question", async () => {
    as("admin@acme.test");
    const res = await getDeliveries(get(`/api/portal/deliveries?incident=${incidentId}`));
    expect(res.status).toBe(200);
    const { rows } = (await res.json()) as { rows: DeliveryLogRow[] };
    expect(rows.map((r) => r.destination)).toEqual(["admin@acme.test"]);
    expect(rows[0]!.incidentTitle).toBe("Voice routing degraded in Mumbai");
    expect(rows[0]!.explain).toEqual({
      who: `member:${userId["admin@acme.test"]}`,
      about: incidentId,
    });
    as("admin@globex.test");
    const globex = (await (await getDeliveries(get("/api/portal/deliveries"))).json()) as {
      rows: DeliveryLogRow[];
    };
    expect(globex.rows.map((r) => [r.destination, r.state])).toEqual([
      ["admin@globex.test", "failed"],
    ]);
  });

  it("names a bad filter, and refuses without a session", async () => {
    as("admin@acme.test");
    const res = await getDeliveries(get("/api/portal/deliveries?channel=pigeon"));
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toMatch(/channel: must be one of email/);
    session = null;
    expect((await getDeliveries(get("/api/portal/deliveries"))).status).toBe(401);
  });
});

describe("GET /api/portal/incident-deliveries", () => {
  it("shows platform staff every tenant's counts and failures, masked", async () => {
    as("oncall@beacon.test");
    const res = await getBreakdown(get(`/api/portal/incident-deliveries?incident=${incidentId}`));
    expect(res.status).toBe(200);
    const b = (await res.json()) as IncidentDeliveryBreakdown;
    expect(b.byTenant.map((x) => [x.orgName, x.total]).sort()).toEqual([
      ["Acme Telecom", 1],
      ["Globex Communications", 1],
    ]);
    expect(b.problems.map((p) => [p.orgName, p.destination, p.error])).toEqual([
      ["Globex Communications", "a•••@globex.test", "mailbox full"],
    ]);
  });

  it("is refused to a tenant's admin (403), whichever incident is asked about", async () => {
    as("admin@acme.test");
    const res = await getBreakdown(get(`/api/portal/incident-deliveries?incident=${incidentId}`));
    expect(res.status).toBe(403);
  });
});

describe("GET /api/portal/inbox", () => {
  it("answers with the signed-in member's own inbox in the session organization", async () => {
    as("admin@globex.test");
    const mine = (await (await getInbox()).json()) as {
      unread: number;
      items: { title: string }[];
    };
    expect(mine.unread).toBe(1);
    expect(mine.items.map((i) => i.title)).toContain("Globex only");
    as("admin@acme.test");
    const acme = (await (await getInbox()).json()) as { items: { title: string }[] };
    expect(acme.items.map((i) => i.title)).not.toContain("Globex only");
    const [item] = await t.db.select().from(inboxItems).where(eq(inboxItems.title, "Globex only"));
    expect(item!.readAt).toBeNull();
  });
});

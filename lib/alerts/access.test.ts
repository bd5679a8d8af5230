import { and, count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  alertEndpoints,
  alertRecipients,
  alertSettings,
  deliveries,
  memberships,
  users,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { enqueue, ownTestDestination, testSettings } from "@/test/alerts";
import type { Ctx } from "@/lib/context";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { createEndpoint, deleteEndpoint, rotateEndpointSecret } from "./endpoints";
import { getAlertSettings, updateAlertSettings } from "./settings";
import { sendTestAlert } from "./test-alert";
import { getDelivery, listDeliveries, resendDelivery } from "./deliveries";
import { explainRouting } from "./explain";
import { planJob } from "./plan";
import { processDueDeliveries } from "@/test/sending";
import { unsubscribeRecipient, unsubscribeToken } from "./unsubscribe";

let t: TestDb;
let acmeAdmin: Ctx;
let support: Ctx;
let globexAdmin: Ctx;
let endpointId: string;
let deliveryId: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  acmeAdmin = await ctxFor(t.db, "admin@acme.test");
  support = await ctxFor(t.db, "support@acme.test");
  globexAdmin = await ctxFor(t.db, "admin@globex.test");
  const { endpoint } = await createEndpoint({
    ctx: acmeAdmin,
    input: { type: "webhook", name: "acme hook", url: "http://127.0.0.1:9/hook" },
    channelSettings: { allowPrivate: true },
  });
  endpointId = endpoint.id;
  // Test alerts go only to the organization's own destinations.
  await ownTestDestination(t.db, acmeAdmin.org.id, "email", "ops@acme.test");
  const res = await sendTestAlert({
    ctx: acmeAdmin,
    input: { channel: "email", to: "ops@acme.test" },
  });
  deliveryId = res.deliveryIds[0]!;
});
afterAll(() => t.close());

async function settingsRow(org: string) {
  const [s] = await t.db.select().from(alertSettings).where(eq(alertSettings.orgId, org));
  return s;
}

describe("permissions", () => {
  it("a role without alerts:manage can read but not change settings (403, nothing changed)", async () => {
    expect((await getAlertSettings({ ctx: support })).categories.infrastructure).toBe(true);
    const before = await settingsRow(support.org.id);
    await expect(
      updateAlertSettings({ ctx: support, input: { categories: { infrastructure: false } } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      sendTestAlert({ ctx: support, input: { channel: "email" } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      resendDelivery({ ctx: support, input: { id: deliveryId } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(await settingsRow(support.org.id)).toEqual(before);
  });

  it("alerts:manage granted to a member lets them change settings", async () => {
    const [u] = await t.db.select().from(users).where(eq(users.email, "devops@acme.test"));
    await t.db
      .update(memberships)
      .set({ grants: ["alerts:manage"] })
      .where(eq(memberships.userId, u!.id));
    const devops = await ctxFor(t.db, "devops@acme.test");
    const s = await updateAlertSettings({ ctx: devops, input: { digestMode: "daily" } });
    expect(s.digestMode).toBe("daily");
    await updateAlertSettings({ ctx: devops, input: { digestMode: "immediate" } });
  });
});

describe("tenant isolation", () => {
  it("another tenant's endpoint, delivery and settings are 404 to them and unchanged", async () => {
    await expect(
      deleteEndpoint({ ctx: globexAdmin, input: { id: endpointId } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      rotateEndpointSecret({ ctx: globexAdmin, input: { id: endpointId } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      getDelivery({ ctx: globexAdmin, input: { id: deliveryId } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      resendDelivery({ ctx: globexAdmin, input: { id: deliveryId } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const before = await t.db.select({ n: count() }).from(deliveries);
    await expect(
      sendTestAlert({ ctx: globexAdmin, input: { channel: "webhook", endpointId } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(await t.db.select({ n: count() }).from(deliveries)).toEqual(before);
    const [e] = await t.db.select().from(alertEndpoints).where(eq(alertEndpoints.id, endpointId));
    expect(e!.secretEncrypted).toBeTruthy();
    expect(e!.previousSecretEncrypted).toBeNull();
    expect((await listDeliveries({ ctx: globexAdmin, input: {} })).map((d) => d.id)).not.toContain(
      deliveryId,
    );
    await expect(
      explainRouting({
        ctx: globexAdmin,
        input: { incidentId: "00000000-0000-4000-8000-000000000000", endpointId },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("the platform organization has no alert settings", async () => {
    const platformAdmin = await ctxFor(t.db, "admin@beacon.test");
    await expect(getAlertSettings({ ctx: platformAdmin })).rejects.toBeInstanceOf(ForbiddenError);
  });
});

describe("validation names each field", () => {
  it("rejects bad times, zones, addresses and unknown components", async () => {
    const err = await updateAlertSettings({
      ctx: acmeAdmin,
      input: {
        quietHours: { enabled: true, start: "25:00", end: "07:00", timeZone: "Mars/Base" },
        recipients: [{ channel: "sms", address: "12345", roleGroup: "org_admin" }],
        filters: { componentIds: ["not-a-uuid"] },
      },
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const fields = (err as ValidationError).issues.map((i) => i.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        "quietHours.start",
        "quietHours.timeZone",
        "recipients.0.address",
        "filters.componentIds.0",
      ]),
    );
    const unknown = await updateAlertSettings({
      ctx: acmeAdmin,
      input: { filters: { componentIds: ["00000000-0000-4000-8000-000000000000"] } },
    }).catch((e) => e);
    expect((unknown as ValidationError).issues).toEqual([
      { field: "filters.componentIds.0", message: "is not a known component" },
    ]);
    const badEndpoint = await createEndpoint({
      ctx: acmeAdmin,
      input: { type: "slack", name: "", url: "nope" },
    }).catch((e) => e);
    expect((badEndpoint as ValidationError).issues.map((i) => i.field).sort()).toEqual([
      "name",
      "url",
    ]);
  });
});

describe("explainer and unsubscribe", () => {
  it("explains each channel for a member, including the ones that were never planned", async () => {
    const incidentId = "11111111-1111-4111-8111-111111111111";
    const job = await enqueue(t.db, { category: "billing", impact: "minor", incidentId });
    await planJob(t.db, job.id);
    await processDueDeliveries(t.db, { settings: testSettings() });
    const [billing] = await t.db.select().from(users).where(eq(users.email, "billing@acme.test"));
    const ex = await explainRouting({ ctx: acmeAdmin, input: { incidentId, userId: billing!.id } });
    const decisions = ex.notifications[0]!.decisions;
    expect(decisions.find((d) => d.channel === "email")!.status).toBe("delivered");
    expect(decisions.find((d) => d.channel === "sms")!.steps[0]!.detail).toMatch(
      /only for low_balance/,
    );
    expect(decisions.find((d) => d.channel === "in_app")!.steps[0]!.detail).toMatch(/not ticked/);
  });

  it("one-click unsubscribe removes only the signed recipient", async () => {
    await updateAlertSettings({
      ctx: acmeAdmin,
      input: {
        recipients: [{ channel: "email", address: "Ops@Acme.test", roleGroup: "tech_devops" }],
      },
    });
    const [r] = await t.db
      .select()
      .from(alertRecipients)
      .where(and(eq(alertRecipients.address, "ops@acme.test")));
    await expect(unsubscribeRecipient(t.db, `${r!.id}.forged`)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect(await unsubscribeRecipient(t.db, unsubscribeToken(r!.id))).toEqual({
      address: "ops@acme.test",
    });
    expect(await t.db.select().from(alertRecipients).where(eq(alertRecipients.id, r!.id))).toEqual(
      [],
    );
  });
});

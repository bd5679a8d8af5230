import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import { components, deliveries, devMailbox, publicSubscribers, regions } from "@/db/schema";
import { seedDemo } from "@/test/fixtures";
import { enqueue, testSettings } from "@/test/alerts";
import { planJob } from "@/lib/alerts/plan";
import { processDelivery } from "@/lib/alerts/send";
import { unsubscribeToken as recipientUnsubscribeToken } from "@/lib/alerts/unsubscribe";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { getSubscriptionPreferences, updateSubscriptionPreferences } from "./preferences";
import { unsubscribe } from "./subscribe";
import { subscriberUnsubscribeToken } from "./tokens";

let t: TestDb;
let voice: string;
let sms: string;
let mumbai: string;
let london: string;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  const cs = await t.db.select().from(components);
  const rs = await t.db.select().from(regions);
  voice = cs.find((c) => c.name === "Voice routing")!.id;
  sms = cs.find((c) => c.name !== "Voice routing")!.id;
  mumbai = rs.find((r) => r.code === "BOM")!.id;
  london = rs.find((r) => r.code !== "BOM")!.id;
});
beforeEach(async () => {
  await t.db.delete(publicSubscribers).where(sql`true`);
});
afterAll(() => t.close());

async function confirmed(email: string, filters: { componentIds?: string[] } = {}) {
  const [row] = await t.db
    .insert(publicSubscribers)
    .values({ kind: "email", email, confirmedAt: new Date(), ...filters })
    .returning();
  return { id: row!.id, token: subscriberUnsubscribeToken(row!.id) };
}

const row = async (id: string) =>
  (await t.db.select().from(publicSubscribers).where(eq(publicSubscribers.id, id)))[0]!;

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a refusal");
}

describe("a subscriber's preferences, behind the link in its emails", () => {
  it("shows the current choices and saves new ones", async () => {
    const a = await confirmed("reader@example.com", { componentIds: [voice] });
    expect(await getSubscriptionPreferences(t.db, a.token)).toEqual({
      kind: "email",
      destination: "reader@example.com",
      confirmed: true,
      componentIds: [voice],
      regionIds: [],
      maintenanceOnly: false,
      postmortemNotices: true,
    });
    const saved = await updateSubscriptionPreferences({
      db: t.db,
      input: { token: a.token, componentIds: [sms], regionIds: [mumbai], maintenanceOnly: true },
    });
    expect(saved).toMatchObject({
      componentIds: [sms],
      regionIds: [mumbai],
      maintenanceOnly: true,
    });
    expect(await row(a.id)).toMatchObject({
      componentIds: [sms],
      regionIds: [mumbai],
      maintenanceOnly: true,
    });
    // Nothing ticked: everything again.
    await updateSubscriptionPreferences({ db: t.db, input: { token: a.token } });
    expect(await row(a.id)).toMatchObject({
      componentIds: [],
      regionIds: [],
      maintenanceOnly: false,
    });
  });

  it("changes only the subscription the token names", async () => {
    const a = await confirmed("a@example.com");
    const b = await confirmed("b@example.com", { componentIds: [voice] });
    await updateSubscriptionPreferences({
      db: t.db,
      input: { token: a.token, regionIds: [london], maintenanceOnly: true },
    });
    expect(await row(b.id)).toMatchObject({
      componentIds: [voice],
      regionIds: [],
      maintenanceOnly: false,
    });
    // The input cannot name another subscriber.
    const e = await failure(
      updateSubscriptionPreferences({ db: t.db, input: { token: a.token, id: b.id } }),
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).issues[0]!.field).toBe("(body)");
  });

  it.each([
    ["a forged signature", (id: string) => `${id}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`],
    [
      "another link's token (a member's unsubscribe)",
      (id: string) => recipientUnsubscribeToken(id),
    ],
    ["a cut-short token", (id: string) => subscriberUnsubscribeToken(id).slice(0, 40)],
    ["no token", () => undefined],
  ])("refuses %s as not found, changing nothing", async (_what, tokenOf) => {
    const a = await confirmed("c@example.com");
    const before = await row(a.id);
    const token = tokenOf(a.id);
    await expect(
      updateSubscriptionPreferences({ db: t.db, input: { token, maintenanceOnly: true } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    if (token !== undefined)
      await expect(getSubscriptionPreferences(t.db, token)).rejects.toBeInstanceOf(NotFoundError);
    expect(await row(a.id)).toEqual(before);
  });

  it("refuses the link of a subscription that was removed", async () => {
    const a = await confirmed("gone@example.com");
    await unsubscribe(t.db, a.token);
    await expect(getSubscriptionPreferences(t.db, a.token)).rejects.toThrow(
      "Subscription not found",
    );
    await expect(
      updateSubscriptionPreferences({ db: t.db, input: { token: a.token } }),
    ).rejects.toThrow("Subscription not found");
  });

  it.each([
    [() => ({ componentIds: ["nope"] }), "componentIds.0", "is not a valid id"],
    [
      () => ({ regionIds: ["00000000-0000-4000-8000-000000000000"] }),
      "regionIds.0",
      "is not a known region",
    ],
    [
      () => ({ componentIds: [voice, "00000000-0000-4000-8000-000000000000"] }),
      "componentIds.1",
      "is not a known component",
    ],
    [() => ({ maintenanceOnly: "yes" }), "maintenanceOnly", "must be true or false"],
  ])("refuses a bad value, naming the field (case %#)", async (bad, field, message) => {
    const a = await confirmed("d@example.com");
    const e = await failure(
      updateSubscriptionPreferences({ db: t.db, input: { token: a.token, ...bad() } }),
    );
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).issues).toEqual([{ field, message }]);
  });
});

describe("maintenance only", () => {
  it("is told about maintenance and not incidents; the log says why", async () => {
    const a = await confirmed("maint@example.com");
    await updateSubscriptionPreferences({
      db: t.db,
      input: { token: a.token, maintenanceOnly: true },
    });
    const everything = await confirmed("all@example.com");

    const incident = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, incident.id);
    const rows = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, incident.id), eq(deliveries.recipientType, "subscriber")));
    const by = Object.fromEntries(rows.map((r) => [r.destination, r]));
    expect(by["all@example.com"]!.status).toBe("pending");
    expect(by["maint@example.com"]!.status).toBe("suppressed");
    expect(by["maint@example.com"]!.trace.find((s) => s.step === "filter")).toMatchObject({
      outcome: "suppressed",
      detail: "subscribed to maintenance only",
    });

    const maintenance = await enqueue(
      t.db,
      { category: "infrastructure", impact: "none" },
      "maintenance.scheduled",
    );
    await planJob(t.db, maintenance.id);
    const m = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, maintenance.id), eq(deliveries.recipientType, "subscriber")));
    expect(m.map((r) => [r.destination, r.status]).sort()).toEqual([
      ["all@example.com", "pending"],
      ["maint@example.com", "pending"],
    ]);
    expect(everything.id).toBeTruthy();
  });

  it("every email to a subscriber links its preferences page, and that link works", async () => {
    const a = await confirmed("linked@example.com");
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, job.id);
    const [d] = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, job.id), eq(deliveries.recipientType, "subscriber")));
    expect((await processDelivery(t.db, d!.id, { settings: testSettings() })).status).toBe(
      "delivered",
    );
    const [mail] = await t.db
      .select()
      .from(devMailbox)
      .where(eq(devMailbox.idempotencyKey, d!.idempotencyKey));
    const link = /Change what you receive: (\S+)/.exec(mail!.text)![1]!;
    expect(link).toBe(`http://beacon.test/subscribe/preferences/${a.token}`);
    expect(mail!.html).toContain(`href="http://beacon.test/subscribe/preferences/${a.token}"`);
    const token = link.split("/").pop()!;
    expect((await getSubscriptionPreferences(t.db, token)).destination).toBe("linked@example.com");
  });
});

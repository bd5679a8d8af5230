import { and, eq, inArray, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  alertSettings,
  deliveries,
  devMailbox,
  inboxItems,
  memberships,
  notificationJobs,
  users,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { orgId, testSettings } from "@/test/alerts";
import { withTransaction } from "@/lib/context";
import { processDueDeliveries } from "@/test/sending";
import { flushDigests } from "./digests";
import { explainRouting } from "./explain";
import { planJob } from "./plan";
import { enqueueUserWarning } from "./user-warning";

let t: TestDb;
let acme: string;
let globex: string;
const uid: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  acme = await orgId(t.db, "acme");
  globex = await orgId(t.db, "globex");
  for (const u of await t.db.select().from(users)) uid[u.email] = u.id;
});
afterAll(() => t.close());

beforeEach(async () => {
  // Every test starts opted out, without phones and without quiet hours or digests.
  const tenants = [acme, globex];
  await t.db
    .update(memberships)
    .set({ warningEmail: false, warningSms: false })
    .where(inArray(memberships.orgId, tenants));
  await t.db.update(users).set({ phone: null }).where(isNotNull(users.phone));
  await t.db
    .update(alertSettings)
    .set({ digestMode: "immediate", quietEnabled: false, quietAllowCritical: true })
    .where(inArray(alertSettings.orgId, tenants));
});

async function optIn(email: string, org: string, opts: { email?: boolean; sms?: boolean }) {
  await t.db
    .update(memberships)
    .set({ warningEmail: opts.email ?? false, warningSms: opts.sms ?? false })
    .where(and(eq(memberships.userId, uid[email]!), eq(memberships.orgId, org)));
}

async function warn(org: string, emails: string[], now?: Date) {
  const job = await withTransaction({ db: t.db }, (tx) =>
    enqueueUserWarning(tx, {
      orgId: org,
      userIds: emails.map((e) => uid[e]!),
      title: 'Endpoint "Ops hook" was disabled',
      message: "Answered HTTP 410 Gone. Fix the endpoint, then enable it again.",
      url: "/portal/alerts",
    }),
  );
  await planJob(t.db, job!.id, { now });
  return job!.id;
}

async function rows(jobId: string) {
  const ds = await t.db
    .select({ d: deliveries, email: users.email })
    .from(deliveries)
    .innerJoin(users, eq(users.id, deliveries.recipientId))
    .where(eq(deliveries.jobId, jobId));
  return ds.map(({ d, email }) => ({ ...d, email }));
}

/** "email:channel:status" for every delivery of the job, sorted. */
async function routes(jobId: string) {
  return (await rows(jobId)).map((r) => `${r.email}:${r.channel}:${r.status}`).sort();
}

async function decision(jobId: string, email: string, channel: string) {
  const r = (await rows(jobId)).find((x) => x.email === email && x.channel === channel);
  if (!r) throw new Error(`no ${channel} delivery for ${email}`);
  return r;
}

describe("routing user-level warnings", () => {
  it("a member who has not opted in gets it in-app only; the trace says why not by email or SMS", async () => {
    await t.db
      .update(users)
      .set({ phone: "+919800000001" })
      .where(eq(users.id, uid["admin@acme.test"]!));
    const job = await warn(acme, ["admin@acme.test"]);
    expect(await routes(job)).toEqual([
      "admin@acme.test:email:suppressed",
      "admin@acme.test:in_app:pending",
      "admin@acme.test:sms:suppressed",
    ]);
    const email = await decision(job, "admin@acme.test", "email");
    expect(email.trace.find((s) => s.step === "opt_in")).toEqual({
      step: "opt_in",
      outcome: "suppressed",
      detail: "member has not opted in to email for user-level warnings",
    });
    const sms = await decision(job, "admin@acme.test", "sms");
    expect(sms.trace.find((s) => s.step === "opt_in")!.detail).toBe(
      "member has not opted in to SMS for user-level warnings",
    );
    const inApp = await decision(job, "admin@acme.test", "in_app");
    expect(inApp.trace.find((s) => s.step === "opt_in")!.detail).toBe(
      "user-level warnings are always shown in-app",
    );
  });

  it("a member who opted in to email gets it in-app and by email at their address", async () => {
    await optIn("admin@acme.test", acme, { email: true });
    const job = await warn(acme, ["admin@acme.test"]);
    expect(await routes(job)).toEqual([
      "admin@acme.test:email:pending",
      "admin@acme.test:in_app:pending",
      "admin@acme.test:sms:suppressed",
    ]);
    const email = await decision(job, "admin@acme.test", "email");
    expect(email.destination).toBe("admin@acme.test");
    expect(email.trace.find((s) => s.step === "opt_in")).toMatchObject({
      outcome: "pass",
      detail: "member has opted in to email for user-level warnings",
    });
  });

  it("SMS opt-in without a phone number sends no SMS, and the trace says so", async () => {
    await optIn("admin@acme.test", acme, { sms: true });
    const job = await warn(acme, ["admin@acme.test"]);
    const sms = await decision(job, "admin@acme.test", "sms");
    expect(sms.status).toBe("suppressed");
    expect(sms.trace.find((s) => s.step === "opt_in")!.detail).toBe(
      "member opted in to SMS for user-level warnings but has no phone number on their profile",
    );

    await t.db
      .update(users)
      .set({ phone: "+919800000001" })
      .where(eq(users.id, uid["admin@acme.test"]!));
    const withPhone = await warn(acme, ["admin@acme.test"]);
    const sent = await decision(withPhone, "admin@acme.test", "sms");
    expect(sent.status).toBe("pending");
    expect(sent.destination).toBe("+919800000001");
  });

  it("reaches only the addressed members of the one organization", async () => {
    await optIn("admin@acme.test", acme, { email: true });
    await optIn("devops@acme.test", acme, { email: true });
    await optIn("admin@globex.test", globex, { email: true });
    // A globex member's id in an acme warning is not an acme member: nothing is planned for them.
    const job = await warn(acme, ["admin@acme.test", "admin@globex.test"]);
    const planned = await routes(job);
    expect(planned.filter((r) => r.startsWith("admin@acme.test:"))).toHaveLength(3);
    expect(planned.some((r) => r.startsWith("devops@acme.test:"))).toBe(false);
    expect(planned.some((r) => r.startsWith("admin@globex.test:"))).toBe(false);
    const orgs = new Set((await rows(job)).map((r) => r.orgId));
    expect([...orgs]).toEqual([acme]);
  });

  it("the opt-in is per organization: opting in at one does not opt in at another", async () => {
    // Asha also belongs to globex (as a support manager) and opted in to email only at acme.
    await t.db
      .insert(memberships)
      .values({ orgId: globex, userId: uid["admin@acme.test"]!, role: "support_manager" })
      .onConflictDoNothing();
    await optIn("admin@acme.test", acme, { email: true });
    const atGlobex = await warn(globex, ["admin@acme.test"]);
    expect(await routes(atGlobex)).toEqual([
      "admin@acme.test:email:suppressed",
      "admin@acme.test:in_app:pending",
      "admin@acme.test:sms:suppressed",
    ]);
    await t.db
      .delete(memberships)
      .where(and(eq(memberships.orgId, globex), eq(memberships.userId, uid["admin@acme.test"]!)));
  });

  it("does not depend on category toggles: Configurable turned off still warns", async () => {
    await t.db
      .update(alertSettings)
      .set({
        categories: { infrastructure: true, billing: true, configurable: false, maintenance: true },
      })
      .where(eq(alertSettings.orgId, acme));
    const job = await warn(acme, ["admin@acme.test"]);
    expect((await decision(job, "admin@acme.test", "in_app")).status).toBe("pending");
    await t.db
      .update(alertSettings)
      .set({
        categories: { infrastructure: true, billing: true, configurable: true, maintenance: true },
      })
      .where(eq(alertSettings.orgId, acme));
  });

  it("holds email for the digest and delays it in quiet hours, like other person-addressed alerts; in-app is never held", async () => {
    await optIn("admin@acme.test", acme, { email: true });
    await t.db
      .update(alertSettings)
      .set({ digestMode: "hourly", timeZone: "UTC" })
      .where(eq(alertSettings.orgId, acme));
    const at = new Date("2026-06-01T23:10:00Z");
    const held = await warn(acme, ["admin@acme.test"], at);
    const email = await decision(held, "admin@acme.test", "email");
    expect(email.status).toBe("held");
    expect(email.runAt.toISOString()).toBe("2026-06-02T00:00:00.000Z");
    expect((await decision(held, "admin@acme.test", "in_app")).status).toBe("pending");

    // The held warning goes out in the digest with the member's other held email.
    const digests = await flushDigests(t.db, { now: new Date("2026-06-02T00:00:01Z") });
    expect(digests.length).toBeGreaterThan(0);
    const [after] = await t.db.select().from(deliveries).where(eq(deliveries.id, email.id));
    expect(after!.status).toBe("digested");

    await t.db
      .update(alertSettings)
      .set({
        digestMode: "immediate",
        quietEnabled: true,
        quietStart: 22 * 60,
        quietEnd: 7 * 60,
      })
      .where(eq(alertSettings.orgId, acme));
    const quiet = await warn(acme, ["admin@acme.test"], at);
    const delayed = await decision(quiet, "admin@acme.test", "email");
    expect(delayed.status).toBe("pending");
    expect(delayed.runAt.toISOString()).toBe("2026-06-02T07:00:00.000Z");
    expect(delayed.trace.find((s) => s.step === "quiet_hours")!.outcome).toBe("delayed");
    const inApp = await decision(quiet, "admin@acme.test", "in_app");
    expect(inApp.runAt.toISOString()).toBe(at.toISOString());
  });

  it("planning twice creates nothing new, and a warning for nobody writes no job", async () => {
    const job = await warn(acme, ["admin@acme.test"]);
    const before = (await rows(job)).length;
    const again = await planJob(t.db, job);
    expect(again.planned).toBe(false);
    expect((await rows(job)).length).toBe(before);
    const none = await withTransaction({ db: t.db }, (tx) =>
      enqueueUserWarning(tx, { orgId: acme, userIds: [], title: "x", message: "x", url: "/" }),
    );
    expect(none).toBeNull();
  });

  it("is sent: in the member's inbox, and by email with a footer pointing at My notifications", async () => {
    await optIn("billing@acme.test", acme, { email: true });
    const job = await warn(acme, ["billing@acme.test"]);
    await processDueDeliveries(t.db, { settings: testSettings() });
    const [item] = await t.db
      .select()
      .from(inboxItems)
      .where(
        and(
          eq(inboxItems.userId, uid["billing@acme.test"]!),
          eq(inboxItems.deliveryId, (await decision(job, "billing@acme.test", "in_app")).id),
        ),
      );
    expect(item!.title).toBe('Warning: Endpoint "Ops hook" was disabled');
    expect(item!.body).toMatch(/Fix the endpoint/);
    const [mail] = await t.db
      .select()
      .from(devMailbox)
      .where(
        eq(
          devMailbox.idempotencyKey,
          (await decision(job, "billing@acme.test", "email")).idempotencyKey,
        ),
      );
    expect(mail!.to).toBe("billing@acme.test");
    expect(mail!.subject).toBe('[Beacon] Warning: Endpoint "Ops hook" was disabled');
    expect(mail!.text).toContain("opted in to email for user-level warnings");
    expect(mail!.headers["List-Unsubscribe"]).toBe("<http://beacon.test/portal/profile>");
    const [j] = await t.db.select().from(notificationJobs).where(eq(notificationJobs.id, job));
    expect(j!.kind).toBe("user.warning");
  });

  it("the delivery log explains the decision for the addressed member, and for one who was not", async () => {
    const admin = await ctxFor(t.db, "admin@acme.test");
    const job = await warn(acme, ["admin@acme.test"]);
    const forAdmin = await explainRouting({
      ctx: admin,
      input: { jobId: job, userId: uid["admin@acme.test"] },
    });
    const email = forAdmin.notifications[0]!.decisions.find((d) => d.channel === "email")!;
    expect(email.status).toBe("suppressed");
    expect(email.steps.map((s) => s.detail)).toContain(
      "member has not opted in to email for user-level warnings",
    );
    const forDevops = await explainRouting({
      ctx: admin,
      input: { jobId: job, userId: uid["devops@acme.test"] },
    });
    expect(forDevops.notifications[0]!.decisions.map((d) => d.steps[0]!.detail)).toEqual([
      "this user-level warning was addressed to other members",
      "this user-level warning was addressed to other members",
      "this user-level warning was addressed to other members",
    ]);
  });
});

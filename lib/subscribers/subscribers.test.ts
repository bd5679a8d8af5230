import { and, eq, sql, type SQL } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  components,
  deliveries,
  devMailbox,
  notificationJobs,
  publicSubscribers,
  rateLimits,
  regions,
} from "@/db/schema";
import { seedDemo } from "@/test/fixtures";
import { enqueue, orgId, testSettings } from "@/test/alerts";
import { answerChallenge, startReceiver } from "@/test/fake-receiver";
import { planJob } from "@/lib/alerts/plan";
import { processDelivery } from "@/lib/alerts/send";
import { processDueDeliveries } from "@/test/sending";
import { RateLimitedError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { ROTATE_LIMIT, rotateOwnSecret } from "./rotate-secret";
import { deleteExpiredUnconfirmed } from "./cleanup";
import { CONFIRM_TTL_MS, confirmSubscription, subscribe, unsubscribe } from "./subscribe";
import { hashToken, subscriberUnsubscribeToken } from "./tokens";

let t: TestDb;
let platform: string;
let acme: string;
let api: string;
let dashboard: string;
let mumbai: string;
let london: string;
const settings = testSettings();
const deps = { settings, emailConfigured: false };
let ip = 0;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  platform = await orgId(t.db, "platform");
  acme = await orgId(t.db, "acme");
  const cs = await t.db.select().from(components);
  const rs = await t.db.select().from(regions);
  api = cs.find((c) => c.name === "API")!.id;
  dashboard = cs.find((c) => c.name === "Dashboard")!.id;
  mumbai = rs[0]!.id;
  london = rs[1]!.id;
});
beforeEach(async () => {
  await t.db.delete(publicSubscribers).where(sql`true`);
  await t.db.delete(rateLimits).where(sql`true`);
});
afterAll(() => t.close());

/** Subscribes by email and returns the confirmation token found in the dev mailbox. */
async function subscribeEmail(email: string, filters: object = {}) {
  await subscribe(
    t.db,
    { input: { kind: "email", email, ...filters }, clientAddress: `10.0.0.${++ip}` },
    deps,
  );
  const [mail] = await t.db
    .select()
    .from(devMailbox)
    .where(eq(devMailbox.to, email.toLowerCase()))
    .orderBy(devMailbox.createdAt);
  const all = await t.db.select().from(devMailbox).where(eq(devMailbox.to, email.toLowerCase()));
  const last = all.at(-1) ?? mail!;
  expect(last.orgId).toBe(platform);
  return /\/subscribe\/confirm\/([\w-]+)/.exec(last.text)![1]!;
}

async function publicDeliveries(jobId: string) {
  return t.db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.jobId, jobId), eq(deliveries.recipientType, "subscriber")));
}

async function planPublic(
  extra: Parameters<typeof enqueue>[1] extends infer P ? Partial<P> : never = {},
) {
  const job = await enqueue(t.db, { category: "infrastructure", impact: "major", ...extra });
  await planJob(t.db, job.id);
  return { job, rows: await publicDeliveries(job.id) };
}

describe("double opt-in", () => {
  it("an unconfirmed email subscriber gets nothing; once confirmed, one email with one-click unsubscribe", async () => {
    const token = await subscribeEmail("Visitor@Example.com");
    const before = await planPublic();
    expect(before.rows).toHaveLength(0);

    expect(await confirmSubscription(t.db, token)).toEqual({ email: "visitor@example.com" });
    await expect(confirmSubscription(t.db, token)).rejects.toThrow("Subscription not found");

    const { job, rows } = await planPublic();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      channel: "email",
      destination: "visitor@example.com",
      status: "pending",
      orgId: platform,
    });
    expect(rows[0]!.trace.map((s) => s.step)).toEqual(["rule", "filter", "digest"]);
    // Planning again (even a job forced back to pending, as after a crash) adds nothing.
    expect((await planJob(t.db, job.id)).planned).toBe(false);
    await t.db
      .update(notificationJobs)
      .set({ status: "pending" })
      .where(eq(notificationJobs.id, job.id));
    expect((await planJob(t.db, job.id)).planned).toBe(true);
    expect(await publicDeliveries(job.id)).toHaveLength(1);

    const out = await processDelivery(t.db, rows[0]!.id, { settings });
    expect(out.status).toBe("delivered");
    const [mail] = await t.db
      .select()
      .from(devMailbox)
      .where(eq(devMailbox.idempotencyKey, rows[0]!.idempotencyKey));
    expect(mail!.headers["List-Unsubscribe"]).toMatch(
      /^<http:\/\/beacon\.test\/api\/subscribers\/unsubscribe\?token=/,
    );
    expect(mail!.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(mail!.text).toContain("you subscribed to status updates");
  });

  it("a confirmation link older than 7 days no longer confirms", async () => {
    const token = await subscribeEmail("late@example.com");
    const eightDays = new Date(Date.now() + 8 * 24 * 60 * 60 * 1000);
    await expect(confirmSubscription(t.db, token, eightDays)).rejects.toThrow(
      "Subscription not found",
    );
    expect((await planPublic()).rows).toHaveLength(0);
  });

  it("the sweep deletes unconfirmed subscribers whose link expired, and nothing else", async () => {
    const now = new Date();
    const day = 24 * 60 * 60 * 1000;
    const at = (msAgo: number) => new Date(now.getTime() - msAgo);
    await subscribeEmail("expired@example.com");
    await subscribeEmail("exactly-seven-days@example.com");
    const freshToken = await subscribeEmail("fresh@example.com");
    await confirmSubscription(t.db, await subscribeEmail("confirmed-long-ago@example.com"));
    const hook = await startReceiver({ handler: answerChallenge });
    await subscribe(
      t.db,
      { input: { kind: "webhook", url: `${hook.url}/hook` }, clientAddress: "10.6.6.6" },
      deps,
    ).finally(() => hook.close());
    const age = async (where: SQL, msAgo: number) =>
      t.db
        .update(publicSubscribers)
        .set({ createdAt: at(msAgo) })
        .where(where);
    await age(eq(publicSubscribers.email, "expired@example.com"), 8 * day);
    await age(eq(publicSubscribers.email, "exactly-seven-days@example.com"), CONFIRM_TTL_MS);
    await age(eq(publicSubscribers.email, "fresh@example.com"), 6 * day);
    await age(eq(publicSubscribers.email, "confirmed-long-ago@example.com"), 400 * day);
    await age(eq(publicSubscribers.kind, "webhook"), 400 * day);

    expect(await deleteExpiredUnconfirmed(t.db, { now })).toEqual({ deleted: 2 });
    const left = await t.db.select().from(publicSubscribers);
    expect(left.map((s) => s.email ?? s.kind).sort()).toEqual([
      "confirmed-long-ago@example.com",
      "fresh@example.com",
      "webhook",
    ]);
    // Again (the other driver, or the next pass): nothing more to do.
    expect(await deleteExpiredUnconfirmed(t.db, { now })).toEqual({ deleted: 0 });
    // The survivor's link still works; a day later it would have been swept.
    expect(await confirmSubscription(t.db, freshToken, now)).toEqual({
      email: "fresh@example.com",
    });
    expect(
      await deleteExpiredUnconfirmed(t.db, { now: new Date(now.getTime() + 2 * day) }),
    ).toEqual({ deleted: 0 });
  });

  it("subscribing the same address twice and confirming both tells it once", async () => {
    const a = await subscribeEmail("twice@example.com");
    await confirmSubscription(t.db, a);
    const b = await subscribeEmail("twice@example.com", { componentIds: [api] });
    await confirmSubscription(t.db, b);
    const subs = await t.db.select().from(publicSubscribers);
    expect(subs).toHaveLength(1);
    expect(subs[0]!.componentIds).toEqual([api]);
    const { rows } = await planPublic({ componentIds: [api] });
    expect(rows).toHaveLength(1);
  });
});

describe("planning in parts", () => {
  it("every confirmed subscriber is planned exactly once however many parts the fan-out takes", async () => {
    const emails = Array.from({ length: 40 }, (_, i) => `parts-${i}@example.com`);
    await t.db
      .insert(publicSubscribers)
      .values(emails.map((email) => ({ kind: "email" as const, email, confirmedAt: new Date() })));
    // Two rows for one address (subscribed twice): still one delivery, in whichever part.
    await t.db
      .insert(publicSubscribers)
      .values({ kind: "email", email: emails[7]!, confirmedAt: new Date() });
    const planned = async (partRows: number) => {
      const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
      await planJob(t.db, job.id, { partRows });
      const destinations = (await publicDeliveries(job.id)).map((d) => d.destination).sort();
      // Its deliveries go with it, so they do not stand in the queue of the tests that follow.
      await t.db.delete(notificationJobs).where(eq(notificationJobs.id, job.id));
      return destinations;
    };
    const whole = await planned(Infinity);
    expect(whole).toEqual([...emails].sort());
    // One row per part asked for: the most parts there can be (16), the first a quarter of the others.
    expect(await planned(1)).toEqual(whole);
    expect(await planned(7)).toEqual(whole);
  });
});

describe("filters", () => {
  it("plans only subscribers whose components and regions match; the rest are suppressed with a reason", async () => {
    for (const [email, f] of [
      ["all@example.com", {}],
      ["api@example.com", { componentIds: [api] }],
      ["dash@example.com", { componentIds: [dashboard] }],
      ["london@example.com", { regionIds: [london] }],
      ["api-mumbai@example.com", { componentIds: [api], regionIds: [mumbai] }],
    ] as const)
      await confirmSubscription(t.db, await subscribeEmail(email, f));

    const { rows } = await planPublic({ componentIds: [api], regionIds: [mumbai] });
    const by = Object.fromEntries(rows.map((r) => [r.destination, r.status]));
    expect(by).toEqual({
      "all@example.com": "pending",
      "api@example.com": "pending",
      "dash@example.com": "suppressed",
      "london@example.com": "suppressed",
      "api-mumbai@example.com": "pending",
    });
    const dash = rows.find((r) => r.destination === "dash@example.com")!;
    expect(dash.trace.find((s) => s.step === "filter")).toMatchObject({
      outcome: "suppressed",
      detail: "none of the affected components/regions is in the subscription",
    });
  });
});

describe("audience", () => {
  it("tenant-only incidents, test alerts and threshold alerts never reach public subscribers", async () => {
    await confirmSubscription(t.db, await subscribeEmail("public@example.com"));
    const tenantOnly = await enqueue(t.db, {
      category: "infrastructure",
      impact: "critical",
      audience: { type: "tenant", orgId: acme },
    });
    await planJob(t.db, tenantOnly.id);
    expect(await publicDeliveries(tenantOnly.id)).toHaveLength(0);

    const threshold = await enqueue(
      t.db,
      { category: "infrastructure", impact: "critical" },
      "threshold.triggered",
    );
    await planJob(t.db, threshold.id);
    expect(await publicDeliveries(threshold.id)).toHaveLength(0);

    const maintenance = await enqueue(
      t.db,
      { category: "infrastructure", impact: "none" },
      "maintenance.scheduled",
    );
    await planJob(t.db, maintenance.id);
    expect(await publicDeliveries(maintenance.id)).toHaveLength(1);
  });
});

describe("unsubscribe", () => {
  it("the signed link removes the subscriber, stops deliveries already planned, and later ones", async () => {
    await confirmSubscription(t.db, await subscribeEmail("leaving@example.com"));
    const [sub] = await t.db.select().from(publicSubscribers);
    const { rows } = await planPublic();
    expect(rows).toHaveLength(1);

    await expect(unsubscribe(t.db, `${sub!.id}.forged`)).rejects.toThrow("Subscription not found");
    expect(await unsubscribe(t.db, subscriberUnsubscribeToken(sub!.id))).toEqual({
      destination: "leaving@example.com",
    });
    await expect(unsubscribe(t.db, subscriberUnsubscribeToken(sub!.id))).rejects.toThrow(
      "Subscription not found",
    );

    const out = await processDelivery(t.db, rows[0]!.id, { settings });
    expect(out).toMatchObject({ status: "failed", error: "The subscriber has unsubscribed" });
    expect((await planPublic()).rows).toHaveLength(0);
  });
});

describe("validation and rate limits", () => {
  it("names the field and the reason", async () => {
    const errorOf = async (input: unknown) => {
      try {
        await subscribe(t.db, { input, clientAddress: "10.1.1.1" }, deps);
      } catch (e) {
        return (e as ValidationError).issues;
      }
      throw new Error("expected a validation error");
    };
    expect(await errorOf({ kind: "email", email: "not-an-address" })).toEqual([
      { field: "email", message: "Enter a valid email address" },
    ]);
    expect(await errorOf({ kind: "webhook", url: "nope" })).toEqual([
      { field: "url", message: "Enter a full URL starting with https://" },
    ]);
    expect(await errorOf({ kind: "pigeon" })).toEqual([
      { field: "kind", message: "Choose email or webhook" },
    ]);
    expect(
      await errorOf({
        kind: "email",
        email: "a@example.com",
        componentIds: ["00000000-0000-4000-8000-000000000000"],
      }),
    ).toEqual([{ field: "filters.componentIds.0", message: "is not a known component" }]);
  });

  it("refuses a private webhook address unless private webhooks are allowed", async () => {
    await expect(
      subscribe(
        t.db,
        { input: { kind: "webhook", url: "http://127.0.0.1:9/hook" }, clientAddress: "10.2.2.2" },
        { ...deps, settings: { ...settings, allowPrivate: false } },
      ),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("allows five requests an hour per client address and per email address", async () => {
    const now = new Date("2026-11-22T10:00:00Z");
    const from = (clientAddress: string, email: string) =>
      subscribe(t.db, { input: { kind: "email", email }, clientAddress }, { ...deps, now });
    for (let i = 0; i < 5; i++) await from("10.9.9.9", `n${i}@example.com`);
    await expect(from("10.9.9.9", "n6@example.com")).rejects.toBeInstanceOf(RateLimitedError);
    // Same email from many addresses.
    for (let i = 0; i < 5; i++) await from(`10.8.8.${i}`, "target@example.com");
    await expect(from("10.8.8.99", "target@example.com")).rejects.toBeInstanceOf(RateLimitedError);
    // The next hour is a new window.
    await subscribe(
      t.db,
      { input: { kind: "email", email: "target@example.com" }, clientAddress: "10.9.9.9" },
      { ...deps, now: new Date(now.getTime() + 61 * 60 * 1000) },
    );
  });

  it("without an email provider or dev mailbox, an email subscription is refused, not faked", async () => {
    await expect(
      subscribe(
        t.db,
        { input: { kind: "email", email: "x@example.com" }, clientAddress: "10.3.3.3" },
        { ...deps, settings: { ...settings, devMailbox: false } },
      ),
    ).rejects.toThrow("no email provider");
    expect(await t.db.select().from(publicSubscribers)).toHaveLength(0);
  });
});

describe("webhook subscribers", () => {
  it("receive a Standard Webhooks signed event, verifiable with the returned secret", async () => {
    const receiver = await startReceiver({ handler: answerChallenge });
    try {
      const res = await subscribe(
        t.db,
        {
          input: { kind: "webhook", url: `${receiver.url}/status`, regionIds: [mumbai] },
          clientAddress: "10.4.4.4",
        },
        deps,
      );
      if (res.kind !== "webhook") throw new Error("expected a webhook subscription");
      expect(res.secret).toMatch(/^whsec_/);
      const [row] = await t.db.select().from(publicSubscribers);
      expect(row!.confirmedAt).not.toBeNull();
      expect(row!.urlEncrypted).not.toContain("127.0.0.1");
      expect(row!.secretEncrypted).not.toContain(res.secret);

      const skipped = await planPublic({ regionIds: [london] });
      expect(skipped.rows[0]!.status).toBe("suppressed");
      const { rows } = await planPublic({ regionIds: [mumbai], title: "Calls failing in Mumbai" });
      expect(rows).toHaveLength(1);
      expect(rows[0]!.destination).toMatch(/^Public webhook \(127\.0\.0\.1:\d+\)$/);
      const out = await processDueDeliveries(t.db, { settings });
      expect(out.find((o) => o.id === rows[0]!.id)?.status).toBe("delivered");

      // The verification challenge, then the event.
      expect(receiver.requests).toHaveLength(2);
      const req = receiver.requests[1]!;
      const event = new Webhook(res.secret).verify(
        req.body,
        req.headers as Record<string, string>,
      ) as { type: string; data: { title: string; region_ids: string[] } };
      expect(event.type).toBe("incident.created");
      expect(event.data).toMatchObject({ title: "Calls failing in Mumbai", region_ids: [mumbai] });
      expect(() =>
        new Webhook(`whsec_${Buffer.alloc(32).toString("base64")}`).verify(
          req.body,
          req.headers as Record<string, string>,
        ),
      ).toThrow();
      // The link shown after subscribing stops it.
      expect(res.unsubscribeUrl).toMatch(
        /^http:\/\/beacon\.test\/api\/subscribers\/unsubscribe\?token=/,
      );
      const token = new URL(res.unsubscribeUrl).searchParams.get("token")!;
      expect(await unsubscribe(t.db, token)).toEqual({
        destination: `webhook at ${new URL(receiver.url).host}`,
      });
    } finally {
      await receiver.close();
    }
  });

  it("a receiver answering 410 Gone ends the subscription, without retries", async () => {
    const receiver = await startReceiver({ handler: answerChallenge, fallback: { status: 410 } });
    try {
      await subscribe(
        t.db,
        { input: { kind: "webhook", url: receiver.url }, clientAddress: "10.5.5.5" },
        deps,
      );
      const { rows } = await planPublic();
      const out = await processDelivery(t.db, rows[0]!.id, { settings });
      expect(out).toMatchObject({ status: "failed", responseCode: 410 });
      expect(await t.db.select().from(publicSubscribers)).toHaveLength(0);
      expect((await planPublic()).rows).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it("rotate their own secret with the management token: both sign for 24 hours, then the new one alone", async () => {
    const receiver = await startReceiver({ handler: answerChallenge });
    try {
      const res = await subscribe(
        t.db,
        { input: { kind: "webhook", url: receiver.url }, clientAddress: "10.7.7.7" },
        deps,
      );
      if (res.kind !== "webhook") throw new Error("expected a webhook subscription");
      expect(res.manageToken).toMatch(/^bsm_[\w-]{43}$/);
      const [row] = await t.db.select().from(publicSubscribers);
      // Only the hash is kept.
      expect(row!.manageTokenHash).toBe(hashToken(res.manageToken));
      expect(JSON.stringify(row)).not.toContain(res.manageToken);

      const before = Date.now();
      const rotated = await rotateOwnSecret(t.db, {
        input: { token: res.manageToken },
        clientAddress: "10.7.7.7",
      });
      expect(rotated.secret).toMatch(/^whsec_/);
      expect(rotated.secret).not.toBe(res.secret);
      const until = new Date(rotated.previousValidUntil).getTime();
      expect(until - before).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
      expect(until - Date.now()).toBeLessThanOrEqual(24 * 60 * 60 * 1000);

      // Within the overlap a receiver holding either secret verifies the event.
      const { rows } = await planPublic({ title: "During the overlap" });
      await processDelivery(t.db, rows[0]!.id, { settings });
      const during = receiver.requests.at(-1)!;
      const headers = during.headers as Record<string, string>;
      expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
      expect(new Webhook(res.secret).verify(during.body, headers)).toMatchObject({
        data: { title: "During the overlap" },
      });
      expect(new Webhook(rotated.secret).verify(during.body, headers)).toMatchObject({
        data: { title: "During the overlap" },
      });

      // After 24 hours only the new secret signs.
      const later = new Date(until + 1000);
      const after = await planPublic({ title: "After the overlap" });
      await processDelivery(t.db, after.rows[0]!.id, { settings, now: later });
      const last = receiver.requests.at(-1)!;
      const h = last.headers as Record<string, string>;
      const signedAt = new Date(Number(h["webhook-timestamp"]) * 1000);
      expect(h["webhook-signature"]).toBe(
        new Webhook(rotated.secret).sign(h["webhook-id"]!, signedAt, last.body),
      );
      expect(h["webhook-signature"]).not.toContain(
        new Webhook(res.secret).sign(h["webhook-id"]!, signedAt, last.body),
      );

      // Rotating again replaces the token's secret again; the token keeps working.
      const again = await rotateOwnSecret(t.db, {
        input: { token: ` ${res.manageToken} ` },
        clientAddress: "10.7.7.7",
      });
      expect(again.secret).not.toBe(rotated.secret);
    } finally {
      await receiver.close();
    }
  });

  it("refuse a missing, malformed or unknown management token, and too many tries", async () => {
    const issues = async (input: unknown) => {
      try {
        await rotateOwnSecret(t.db, { input, clientAddress: "10.8.0.1" });
      } catch (e) {
        if (e instanceof ValidationError) return e.issues;
        throw e;
      }
      throw new Error("expected a validation error");
    };
    expect(await issues({})).toEqual([
      {
        field: "token",
        message: "is required: the management token (bsm_…) shown when you subscribed",
      },
    ]);
    expect(await issues({ token: "whsec_abc" })).toEqual([
      { field: "token", message: "must be the management token (bsm_…) shown when you subscribed" },
    ]);
    const unknown = `bsm_${"A".repeat(43)}`;
    await expect(
      rotateOwnSecret(t.db, { input: { token: unknown }, clientAddress: "10.8.0.2" }),
    ).rejects.toBeInstanceOf(UnauthorizedError);

    // Limited per client address, counted before the token is looked at.
    for (let i = 1; i < ROTATE_LIMIT.max; i++)
      await rotateOwnSecret(t.db, { input: { token: unknown }, clientAddress: "10.8.0.3" }).catch(
        (e: unknown) => expect(e).toBeInstanceOf(UnauthorizedError),
      );
    await expect(
      rotateOwnSecret(t.db, { input: { token: unknown }, clientAddress: "10.8.0.3" }),
    ).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(
      rotateOwnSecret(t.db, { input: { token: unknown }, clientAddress: "10.8.0.3" }),
    ).rejects.toBeInstanceOf(RateLimitedError);
  });
});

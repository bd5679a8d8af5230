import { createHmac, randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  alertRecipients,
  auditLog,
  deliveries,
  inboxItems,
  memberships,
  notificationJobs,
  providerEvents,
  publicSubscribers,
  type Delivery,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { enqueue, orgId, ownTestDestination, resetRateLimits, testSettings } from "@/test/alerts";
import { startReceiver, type Receiver } from "@/test/fake-receiver";
import type { Ctx } from "@/lib/context";
import { processDelivery } from "@/lib/alerts/send";
import { drainDueDeliveries } from "@/test/sending";
import { getDelivery, listDeliveries, resendDelivery } from "@/lib/alerts/deliveries";
import { planJob } from "@/lib/alerts/plan";
import { clearRecipientMark, getAlertSettings, updateAlertSettings } from "@/lib/alerts/settings";
import { sendTestAlert } from "@/lib/alerts/test-alert";
import { ServiceError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { statusCallbackFor, twilioSignature, twilioStatusCallbackUrl } from "@/lib/channels/twilio";
import { handleResendWebhook, handleTwilioStatus } from "./callbacks";

let t: TestDb;
let admin: Ctx;
let globexAdmin: Ctx;
let acme: string;
let resend: Receiver;
let twilio: Receiver;

const SECRET = `whsec_${Buffer.from("beacon provider callback test key").toString("base64")}`;
const ACCOUNT = `AC${"ab".repeat(16)}`;
const TOKEN = "twilio-auth-token";
const APP_URL = "https://status.example.com";

const sid = () => `SM${randomUUID().replace(/-/g, "")}`;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  admin = await ctxFor(t.db, "admin@acme.test");
  globexAdmin = await ctxFor(t.db, "admin@globex.test");
  acme = await orgId(t.db, "acme");
  // Fake providers: every accepted message gets a fresh id, as the real ones do.
  resend = await startReceiver({
    handler: (req) =>
      req.path === "/emails/batch"
        ? {
            status: 200,
            body: JSON.stringify({
              data: (JSON.parse(req.body) as unknown[]).map(() => ({ id: randomUUID() })),
            }),
          }
        : { status: 200, body: JSON.stringify({ id: randomUUID() }) },
  });
  twilio = await startReceiver({
    handler: () => ({ status: 201, body: JSON.stringify({ sid: sid(), status: "queued" }) }),
  });
});
beforeEach(async () => {
  await t.db.delete(publicSubscribers).where(sql`true`);
  await resetRateLimits(t.db);
});
afterAll(async () => {
  await Promise.all([resend.close(), twilio.close()]);
  await t.close();
});

const settings = () =>
  testSettings({
    appUrl: APP_URL,
    email: { apiKey: "re_test", baseUrl: resend.url, from: "Beacon <alerts@beacon.test>" },
    twilio: { accountSid: ACCOUNT, authToken: TOKEN, from: "+15550001111", baseUrl: twilio.url },
  });

async function load(id: string): Promise<Delivery> {
  const [d] = await t.db.select().from(deliveries).where(eq(deliveries.id, id));
  return d!;
}

/** A test alert sent through the fake provider: delivered, with the provider's id stored. */
async function sent(channel: "email" | "sms", to: string, ctx = admin): Promise<Delivery> {
  // Test alerts go only to the organization's own destinations.
  await ownTestDestination(t.db, ctx.org.id, channel, to);
  const { deliveryIds } = await sendTestAlert({ ctx, input: { channel, to } });
  const out = await processDelivery(t.db, deliveryIds[0]!, { settings: settings() });
  expect(out.status).toBe("delivered");
  const d = await load(deliveryIds[0]!);
  expect(d.providerId).toBeTruthy();
  return d;
}

/**
 * Signs like Resend (Svix): base64 HMAC-SHA256, keyed with the secret's base64 part, over
 * "id.timestamp.body". Computed here by hand, not with the library the route verifies with.
 */
function svix(body: unknown, opts: { id?: string; at?: Date; secret?: string } = {}) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const id = opts.id ?? `msg_${randomUUID()}`;
  const ts = String(Math.floor((opts.at ?? new Date()).getTime() / 1000));
  const key = Buffer.from((opts.secret ?? SECRET).slice("whsec_".length), "base64");
  const mac = createHmac("sha256", key).update(`${id}.${ts}.${raw}`).digest("base64");
  return {
    body: raw,
    headers: new Headers({ "svix-id": id, "svix-timestamp": ts, "svix-signature": `v1,${mac}` }),
  };
}

function resendEvent(type: string, emailId: string, data: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  return {
    type,
    created_at: now,
    data: {
      email_id: emailId,
      created_at: now,
      from: "Beacon <alerts@beacon.test>",
      to: ["someone@example.test"],
      subject: "Test alert from Beacon",
      ...data,
    },
  };
}

const hardBounce = (emailId: string, message = "550 5.1.1 The email account does not exist") =>
  resendEvent("email.bounced", emailId, {
    bounce: { type: "Permanent", subType: "General", message },
  });

const deliver = (req: { body: string; headers: Headers }) =>
  handleResendWebhook(t.db, req, { secret: SECRET });

async function eventsFor(deliveryId: string) {
  return t.db.select().from(providerEvents).where(eq(providerEvents.deliveryId, deliveryId));
}

describe("Resend webhook signature", () => {
  it("accepts an event signed with the webhook secret", async () => {
    const d = await sent("email", "signed@acme.test");
    const out = await deliver(svix(resendEvent("email.delivered", d.providerId!)));
    expect(out).toEqual({ outcome: "applied", deliveryId: d.id, status: "delivered" });
    const after = await load(d.id);
    expect(after.trace.at(-1)).toMatchObject({ step: "provider", outcome: "delivered" });
    expect(after.trace.at(-1)!.detail).toMatch(
      /Resend at .*delivered to the recipient's mail server/,
    );
  });

  it("refuses unsigned, wrongly signed, altered and stale requests with 401, changing nothing", async () => {
    const d = await sent("email", "unsigned@acme.test");
    const body = JSON.stringify(hardBounce(d.providerId!));
    const attempts: [{ body: string; headers: Headers }, RegExp][] = [
      [
        { body, headers: new Headers() },
        /svix-id, svix-timestamp, svix-signature headers are missing/,
      ],
      [
        { body, headers: new Headers({ "svix-id": "msg_1", "svix-timestamp": "1" }) },
        /svix-signature header is missing/,
      ],
      [
        svix(body, { secret: `whsec_${Buffer.from("another secret").toString("base64")}` }),
        /svix-signature: does not match/,
      ],
      [
        { ...svix(body), body: body.replace("Permanent", "Transient") },
        /svix-signature: does not match/,
      ],
      [svix(body, { at: new Date(Date.now() - 10 * 60_000) }), /more than 5 minutes old/],
      [
        {
          body,
          headers: new Headers({
            "svix-id": "m",
            "svix-timestamp": "soon",
            "svix-signature": "v1,x",
          }),
        },
        /svix-timestamp: must be Unix seconds/,
      ],
    ];
    for (const [req, message] of attempts) {
      const err = await deliver(req).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnauthorizedError);
      expect((err as UnauthorizedError).status).toBe(401);
      expect((err as Error).message).toMatch(message);
    }
    expect((await load(d.id)).status).toBe("delivered");
    expect(await eventsFor(d.id)).toHaveLength(0);
  });

  it("answers 503 when no webhook secret is configured", async () => {
    const err = await handleResendWebhook(t.db, svix(resendEvent("email.delivered", "x")), {
      secret: undefined,
    }).catch((e: unknown) => e);
    expect((err as ServiceError).status).toBe(503);
    expect((err as Error).message).toMatch(/RESEND_WEBHOOK_SECRET/);
  });
});

describe("Resend events", () => {
  it("a bounce fails the delivery with the bounce reason, shows in the log, and can be resent", async () => {
    const d = await sent("email", "billing@acme.test");
    const out = await deliver(svix(hardBounce(d.providerId!)));
    expect(out).toMatchObject({ outcome: "applied", status: "failed" });

    const failed = await listDeliveries({ ctx: admin, input: { status: "failed" } });
    const row = failed.find((x) => x.id === d.id);
    expect(row?.error).toBe(
      "Bounced (Permanent, General): 550 5.1.1 The email account does not exist",
    );
    expect(row?.deliveredAt).toBeNull();
    const detail = await getDelivery({ ctx: admin, input: { id: d.id } });
    expect(detail.trace.at(-1)).toMatchObject({ step: "provider", outcome: "failed" });
    expect(detail.trace.at(-1)!.detail).toContain("550 5.1.1");

    await resendDelivery({ ctx: admin, input: { id: d.id } });
    expect((await processDelivery(t.db, d.id, { settings: settings() })).status).toBe("delivered");
    const resent = await load(d.id);
    expect(resent.providerId).not.toBe(d.providerId);
    // A late report about the first message no longer matches anything.
    expect(await deliver(svix(resendEvent("email.delivery_delayed", d.providerId!)))).toEqual({
      outcome: "unmatched",
    });
  });

  it("the same event twice changes nothing the second time", async () => {
    const d = await sent("email", "twice@acme.test");
    const req = svix(hardBounce(d.providerId!));
    expect(await deliver(req)).toMatchObject({ outcome: "applied", status: "failed" });
    const once = await load(d.id);
    expect(await deliver(req)).toMatchObject({ outcome: "duplicate", status: "failed" });
    const twice = await load(d.id);
    expect(twice.trace).toEqual(once.trace);
    expect(await eventsFor(d.id)).toHaveLength(1);
  });

  it("a later 'delivered' does not undo a bounce; a delay is noted without changing the status", async () => {
    const d = await sent("email", "support@acme.test");
    await deliver(svix(resendEvent("email.delivery_delayed", d.providerId!)));
    expect((await load(d.id)).status).toBe("delivered");
    expect((await load(d.id)).trace.at(-1)).toMatchObject({ outcome: "delayed" });
    await deliver(svix(hardBounce(d.providerId!)));
    await deliver(svix(resendEvent("email.delivered", d.providerId!)));
    const after = await load(d.id);
    expect(after.status).toBe("failed");
    expect(after.trace.map((s) => s.outcome).slice(-3)).toEqual(["delayed", "failed", "delivered"]);
  });

  it("a complaint from a public subscriber unsubscribes them", async () => {
    const [sub] = await t.db
      .insert(publicSubscribers)
      .values({ kind: "email", email: "visitor@example.test", confirmedAt: new Date() })
      .returning();
    const [other] = await t.db
      .insert(publicSubscribers)
      .values({ kind: "email", email: "someone-else@example.test", confirmedAt: new Date() })
      .returning();
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, job.id);
    const [row] = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, job.id), eq(deliveries.recipientId, sub!.id)));
    expect(row!.recipientType).toBe("subscriber");
    expect((await processDelivery(t.db, row!.id, { settings: settings() })).status).toBe(
      "delivered",
    );
    const d = await load(row!.id);

    const out = await deliver(svix(resendEvent("email.complained", d.providerId!)));
    // The email did arrive: the delivery stays delivered, and the trace says what happened.
    expect(out).toMatchObject({ outcome: "applied", status: "delivered" });
    const subs = await t.db.select().from(publicSubscribers);
    expect(subs.map((s) => s.id)).toEqual([other!.id]);
    const after = await load(d.id);
    expect(after.trace.slice(-2).map((s) => s.step)).toEqual(["provider", "subscriber"]);
    expect(after.trace.at(-1)!.detail).toMatch(/Unsubscribed visitor@example.test/);
    const [audit] = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "subscriber.removed"), eq(auditLog.targetId, sub!.id)));
    expect(audit!.actorType).toBe("system");
  });

  it("a soft bounce of a public subscriber fails the delivery but keeps the subscription", async () => {
    const [sub] = await t.db
      .insert(publicSubscribers)
      .values({ kind: "email", email: "full-mailbox@example.test", confirmedAt: new Date() })
      .returning();
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, job.id);
    const [row] = await t.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, job.id), eq(deliveries.recipientId, sub!.id)));
    await processDelivery(t.db, row!.id, { settings: settings() });
    const d = await load(row!.id);
    const out = await deliver(
      svix(
        resendEvent("email.bounced", d.providerId!, {
          bounce: { type: "Transient", subType: "MailboxFull", message: "452 mailbox full" },
        }),
      ),
    );
    expect(out).toMatchObject({ status: "failed" });
    expect((await load(d.id)).error).toBe("Bounced (Transient, MailboxFull): 452 mailbox full");
    expect(await t.db.select().from(publicSubscribers)).toHaveLength(1);
  });

  it("a hard bounce marks a tenant's extra recipient, stops routing to it and tells its admins once; other tenants are untouched", async () => {
    const address = "noc@acme-ops.test";
    await updateAlertSettings({
      ctx: admin,
      input: { recipients: [{ channel: "email", address, roleGroup: "tech_devops" }] },
    });
    await updateAlertSettings({
      ctx: globexAdmin,
      input: { recipients: [{ channel: "email", address, roleGroup: "org_admin" }] },
    });
    const job = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, job.id);
    const [row] = await t.db
      .select()
      .from(deliveries)
      .where(
        and(
          eq(deliveries.jobId, job.id),
          eq(deliveries.orgId, acme),
          eq(deliveries.recipientType, "recipient"),
          eq(deliveries.destination, address),
        ),
      );
    expect((await processDelivery(t.db, row!.id, { settings: settings() })).status).toBe(
      "delivered",
    );
    const d = await load(row!.id);
    const warnings = () =>
      t.db
        .select()
        .from(notificationJobs)
        .where(and(eq(notificationJobs.orgId, acme), eq(notificationJobs.kind, "user.warning")));
    const warningsBefore = await warnings();
    const inboxBefore = await t.db.select().from(inboxItems).where(eq(inboxItems.orgId, acme));

    await deliver(svix(hardBounce(d.providerId!, "550 no such user")));

    const view = await getAlertSettings({ ctx: admin });
    const marked = view.recipients.find((r) => r.address === address);
    expect(marked?.undeliverable?.reason).toBe("Bounced (Permanent, General): 550 no such user");
    const globexView = await getAlertSettings({ ctx: globexAdmin });
    expect(globexView.recipients.find((r) => r.address === address)?.undeliverable).toBeNull();

    const admins = await t.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.orgId, acme), eq(memberships.role, "org_admin")));
    // The admins are told through the pipeline, as user-level warnings are: in-app (and by
    // email/SMS for those who opted in).
    const warned = (await warnings()).filter((w) => !warningsBefore.some((b) => b.id === w.id));
    expect(warned).toHaveLength(1);
    expect(warned[0]!.payload.userIds?.sort()).toEqual(admins.map((a) => a.userId).sort());
    await planJob(t.db, warned[0]!.id);
    await drainDueDeliveries(t.db, { settings: settings() });
    const inbox = await t.db.select().from(inboxItems).where(eq(inboxItems.orgId, acme));
    const notices = inbox.filter((i) => !inboxBefore.some((b) => b.id === i.id));
    expect(notices.map((n) => n.userId).sort()).toEqual(admins.map((a) => a.userId).sort());
    expect(notices[0]!.title).toBe(`Warning: Email alerts to ${address} are not getting through`);
    expect((await load(d.id)).trace.at(-1)).toMatchObject({ step: "recipient" });

    // The next incident does not go to the marked address; the trace says why. Globex's listing
    // of the same address is not marked and still gets it.
    const next = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, next.id);
    const routed = await t.db
      .select()
      .from(deliveries)
      .where(
        and(
          eq(deliveries.jobId, next.id),
          eq(deliveries.recipientType, "recipient"),
          eq(deliveries.destination, address),
        ),
      );
    const mine = routed.find((r) => r.orgId === acme)!;
    expect(mine.status).toBe("suppressed");
    expect(mine.trace.find((s) => s.step === "address")).toMatchObject({ outcome: "suppressed" });
    expect(mine.trace.find((s) => s.step === "address")!.detail).toMatch(
      /marked undeliverable since .* UTC \(Bounced \(Permanent, General\): 550 no such user\)/,
    );
    const theirs = routed.find((r) => r.orgId !== acme)!;
    expect(theirs.status).toBe("pending");
    expect(theirs.trace.find((s) => s.step === "address")).toMatchObject({ outcome: "pass" });

    // A test alert still goes to it (to check a fix); another bounce fails that delivery, and
    // the admins are not told again.
    const again = await sent("email", address);
    await deliver(svix(hardBounce(again.providerId!)));
    expect((await load(again.id)).status).toBe("failed");
    expect((await warnings()).length).toBe(warningsBefore.length + 1);

    // Saving the list keeps the mark while the address is on it; removing it clears it.
    const current = view.recipients.map(({ channel, address: a, roleGroup }) => ({
      channel,
      address: a,
      roleGroup,
    }));
    await updateAlertSettings({
      ctx: admin,
      input: {
        recipients: [
          ...current,
          { channel: "sms", address: "+919800000009", roleGroup: "org_admin" },
        ],
      },
    });
    const kept = await getAlertSettings({ ctx: admin });
    const keptRow = kept.recipients.find((r) => r.address === address)!;
    expect(keptRow.undeliverable).not.toBeNull();
    await updateAlertSettings({ ctx: admin, input: { recipients: [] } });
    await updateAlertSettings({ ctx: admin, input: { recipients: current } });
    const cleared = await getAlertSettings({ ctx: admin });
    expect(cleared.recipients.find((r) => r.address === address)?.undeliverable).toBeNull();

    // Or the admin clears the mark in place, once the address is fixed; it is audited, and
    // another tenant cannot clear this tenant's mark.
    await t.db
      .update(alertRecipients)
      .set({ undeliverableAt: new Date(), undeliverableReason: "550 no such user" })
      .where(eq(alertRecipients.orgId, acme));
    const [markedRow] = await t.db
      .select()
      .from(alertRecipients)
      .where(eq(alertRecipients.orgId, acme));
    await expect(
      clearRecipientMark({ ctx: globexAdmin, input: { id: markedRow!.id } }),
    ).rejects.toThrow(/Recipient/);
    await expect(clearRecipientMark({ ctx: admin, input: { id: "nope" } })).rejects.toThrow(
      ValidationError,
    );
    const afterClear = await clearRecipientMark({ ctx: admin, input: { id: markedRow!.id } });
    expect(afterClear.recipients.every((r) => r.undeliverable === null)).toBe(true);
    const audit = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, acme), eq(auditLog.action, "recipient.mark_cleared")));
    expect(audit).toHaveLength(1);
    const reopened = await enqueue(t.db, { category: "infrastructure", impact: "major" });
    await planJob(t.db, reopened.id);
    const [back] = await t.db
      .select()
      .from(deliveries)
      .where(
        and(
          eq(deliveries.jobId, reopened.id),
          eq(deliveries.orgId, acme),
          eq(deliveries.destination, address),
        ),
      );
    expect(back!.status).toBe("pending");
    await updateAlertSettings({ ctx: admin, input: { recipients: [] } });
    await updateAlertSettings({ ctx: globexAdmin, input: { recipients: [] } });
  });

  it("a bounce of a member's email fails the delivery and marks no recipient", async () => {
    const { deliveryIds } = await sendTestAlert({ ctx: admin, input: { channel: "email" } });
    await processDelivery(t.db, deliveryIds[0]!, { settings: settings() });
    const d = await load(deliveryIds[0]!);
    expect(d.recipientType).toBe("member");
    await deliver(svix(hardBounce(d.providerId!)));
    expect((await load(d.id)).status).toBe("failed");
    const marked = await t.db
      .select()
      .from(alertRecipients)
      .where(sql`${alertRecipients.undeliverableAt} is not null`);
    expect(marked).toHaveLength(0);
  });

  it("acknowledges events it does not act on and ids it does not know; names a bad field", async () => {
    expect(await deliver(svix(resendEvent("email.opened", "whatever")))).toEqual({
      outcome: "ignored",
      type: "email.opened",
    });
    expect(await deliver(svix(hardBounce(randomUUID())))).toEqual({ outcome: "unmatched" });
    const noId = resendEvent("email.bounced", "x", { bounce: { type: "Permanent" } }) as {
      data: Record<string, unknown>;
    };
    delete noId.data.email_id;
    const err = await deliver(svix(noId)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([
      { field: "data.email_id", message: "must be the id Resend returned for the email" },
    ]);
    const noBounce = await deliver(svix(resendEvent("email.bounced", "x"))).catch(
      (e: unknown) => e,
    );
    expect((noBounce as ValidationError).issues[0]!.field).toBe("data.bounce");
    const notJson = await deliver(svix("{not json")).catch((e: unknown) => e);
    expect((notJson as ValidationError).issues[0]).toEqual({
      field: "(body)",
      message: "must be valid JSON",
    });
  });
});

/** Signs like Twilio: base64 HMAC-SHA1 over the URL and the parameters sorted by name. */
function twilioRequest(
  params: Record<string, string>,
  opts: { url?: string; token?: string } = {},
) {
  const url = opts.url ?? twilioStatusCallbackUrl(APP_URL);
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((k) => k + params[k])
      .join("");
  return {
    body: new URLSearchParams(params).toString(),
    contentType: "application/x-www-form-urlencoded",
    signature: createHmac("sha1", opts.token ?? TOKEN)
      .update(data)
      .digest("base64"),
  };
}

const twilioDeps = () => ({
  twilio: { accountSid: ACCOUNT, authToken: TOKEN },
  appUrl: APP_URL,
});

const status = (d: Delivery, MessageStatus: string, extra: Record<string, string> = {}) =>
  twilioRequest({
    AccountSid: ACCOUNT,
    MessageSid: d.providerId!,
    SmsSid: d.providerId!,
    MessageStatus,
    SmsStatus: MessageStatus,
    To: d.destination,
    From: "+15550001111",
    ApiVersion: "2010-04-01",
    ...extra,
  });

describe("Twilio signature", () => {
  it("matches Twilio's worked example and a vector computed with openssl", () => {
    // The example on Twilio's webhook security page.
    expect(
      twilioSignature(
        "12345",
        "https://mycompany.com/myapp.php?foo=1&bar=2",
        Object.entries({
          To: "+18005551212",
          Caller: "+12349013030",
          Digits: "1234",
          From: "+12349013030",
          CallSid: "CA1234567890ABCDE",
        }),
      ),
    ).toBe("0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
    // printf '%s' '<url>AccountSid…ErrorCode30003MessageSid…MessageStatusundeliveredTo+919800000001' |
    //   openssl dgst -sha1 -hmac 12345 -binary | base64
    expect(
      twilioSignature(
        "12345",
        "https://status.example.test/api/providers/twilio/status",
        new URLSearchParams(
          "To=%2B919800000001&MessageStatus=undelivered&MessageSid=SM0123456789abcdef0123456789abcdef&ErrorCode=30003&AccountSid=AC0123456789abcdef0123456789abcdef",
        ).entries(),
      ),
    ).toBe("9BQr3OTipx6npNUfoXaFwJujlwk=");
  });
});

describe("Twilio status callbacks", () => {
  it("sends StatusCallback built from APP_URL with every message", async () => {
    await sent("sms", "+919800000001");
    const form = new URLSearchParams(twilio.requests.at(-1)!.body);
    expect(form.get("StatusCallback")).toBe(
      "https://status.example.com/api/providers/twilio/status",
    );
  });

  it("leaves StatusCallback out when APP_URL is an address Twilio cannot reach", () => {
    for (const url of [
      "http://localhost:3000",
      "http://127.0.0.1:3000",
      "http://10.1.2.3",
      "http://beacon.test",
      "http://beacon",
      "http://my_host.example.com",
    ])
      expect(statusCallbackFor(url), url).toBeNull();
    expect(statusCallbackFor("https://status.example.com/")).toBe(
      "https://status.example.com/api/providers/twilio/status",
    );
    expect(statusCallbackFor("http://203.0.113.7:8080")).toBe(
      "http://203.0.113.7:8080/api/providers/twilio/status",
    );
  });

  it("undelivered with an error code fails the delivery with that code", async () => {
    const d = await sent("sms", "+919800000002");
    const out = await handleTwilioStatus(
      t.db,
      status(d, "undelivered", { ErrorCode: "30003" }),
      twilioDeps(),
    );
    expect(out).toMatchObject({ outcome: "applied", deliveryId: d.id, status: "failed" });
    const after = await load(d.id);
    expect(after.error).toBe("SMS undelivered (error 30003: unreachable destination handset)");
    expect(after.trace.at(-1)).toMatchObject({ step: "provider", outcome: "failed" });
    // Resendable like any failed delivery.
    await resendDelivery({ ctx: admin, input: { id: d.id } });
    expect((await processDelivery(t.db, d.id, { settings: settings() })).status).toBe("delivered");
  });

  it("failed with an unknown code keeps the code; delivered is noted; progress is ignored", async () => {
    const d = await sent("sms", "+919800000003");
    expect(await handleTwilioStatus(t.db, status(d, "sent"), twilioDeps())).toEqual({
      outcome: "ignored",
      status: "sent",
    });
    expect(await handleTwilioStatus(t.db, status(d, "delivered"), twilioDeps())).toMatchObject({
      outcome: "applied",
      status: "delivered",
    });
    expect((await load(d.id)).trace.at(-1)!.detail).toMatch(/delivered to the handset/);

    const f = await sent("sms", "+919800000004");
    await handleTwilioStatus(t.db, status(f, "failed", { ErrorCode: "12345" }), twilioDeps());
    expect((await load(f.id)).error).toBe("SMS failed (error 12345)");
  });

  it("a repeated callback changes nothing", async () => {
    const d = await sent("sms", "+919800000005");
    const req = status(d, "undelivered", { ErrorCode: "30005" });
    expect(await handleTwilioStatus(t.db, req, twilioDeps())).toMatchObject({ outcome: "applied" });
    const once = await load(d.id);
    expect(await handleTwilioStatus(t.db, req, twilioDeps())).toMatchObject({
      outcome: "duplicate",
    });
    expect((await load(d.id)).trace).toEqual(once.trace);
  });

  it("refuses a missing or wrong signature, or one made for a URL other than APP_URL's", async () => {
    const d = await sent("sms", "+919800000006");
    const good = status(d, "undelivered", { ErrorCode: "30003" });
    const bad: [Parameters<typeof handleTwilioStatus>[1], RegExp][] = [
      [{ ...good, signature: null }, /X-Twilio-Signature header is missing/],
      [
        { ...good, signature: good.signature.replace(/^./, (c) => (c === "A" ? "B" : "A")) },
        /does not match/,
      ],
      [{ ...good, body: good.body.replace("30003", "30007") }, /does not match/],
      [
        twilioRequest(
          { AccountSid: ACCOUNT, MessageSid: d.providerId!, MessageStatus: "undelivered" },
          { url: "https://attacker.example/api/providers/twilio/status" },
        ),
        /for https:\/\/status\.example\.com\/api\/providers\/twilio\/status made with TWILIO_AUTH_TOKEN/,
      ],
      [
        twilioRequest(
          { AccountSid: ACCOUNT, MessageSid: d.providerId!, MessageStatus: "undelivered" },
          { token: "not-the-token" },
        ),
        /does not match/,
      ],
    ];
    for (const [req, message] of bad) {
      const err = await handleTwilioStatus(t.db, req, twilioDeps()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnauthorizedError);
      expect((err as Error).message).toMatch(message);
    }
    expect((await load(d.id)).status).toBe("delivered");
    // The scheme's default port written out is the same URL.
    const withPort = twilioRequest(
      { AccountSid: ACCOUNT, MessageSid: d.providerId!, MessageStatus: "delivered" },
      { url: "https://status.example.com:443/api/providers/twilio/status" },
    );
    expect(await handleTwilioStatus(t.db, withPort, twilioDeps())).toMatchObject({
      outcome: "applied",
    });
  });

  it("names the field for a bad callback body", async () => {
    const d = await sent("sms", "+919800000007");
    const cases: [Record<string, string>, { field: string; message: RegExp }][] = [
      [
        { AccountSid: ACCOUNT, MessageStatus: "failed" },
        { field: "MessageSid", message: /is required/ },
      ],
      [
        { AccountSid: ACCOUNT, MessageSid: "SM123", MessageStatus: "failed" },
        { field: "MessageSid", message: /must be a Twilio message sid/ },
      ],
      [
        { AccountSid: `AC${"0".repeat(32)}`, MessageSid: d.providerId!, MessageStatus: "failed" },
        { field: "AccountSid", message: /TWILIO_ACCOUNT_SID/ },
      ],
      [
        { AccountSid: ACCOUNT, MessageSid: d.providerId!, MessageStatus: "failed", ErrorCode: "x" },
        { field: "ErrorCode", message: /digits/ },
      ],
    ];
    for (const [params, expected] of cases) {
      const err = await handleTwilioStatus(t.db, twilioRequest(params), twilioDeps()).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ValidationError);
      const issue = (err as ValidationError).issues[0]!;
      expect(issue.field).toBe(expected.field);
      expect(issue.message).toMatch(expected.message);
    }
    const json = await handleTwilioStatus(
      t.db,
      { ...twilioRequest({ AccountSid: ACCOUNT }), contentType: "application/json" },
      twilioDeps(),
    ).catch((e: unknown) => e);
    expect((json as ValidationError).issues[0]!.field).toBe("content-type");
    const off = await handleTwilioStatus(t.db, twilioRequest({}), {
      twilio: undefined,
      appUrl: APP_URL,
    }).catch((e: unknown) => e);
    expect((off as ServiceError).status).toBe(503);
  });

  it("an opted-out number marks the tenant's extra recipient", async () => {
    const phone = "+919800000042";
    await updateAlertSettings({
      ctx: admin,
      input: { recipients: [{ channel: "sms", address: phone, roleGroup: "org_admin" }] },
    });
    const d = await sent("sms", phone);
    await handleTwilioStatus(t.db, status(d, "undelivered", { ErrorCode: "21610" }), twilioDeps());
    const view = await getAlertSettings({ ctx: admin });
    expect(view.recipients[0]!.undeliverable?.reason).toBe(
      "SMS undelivered (error 21610: the recipient opted out by replying STOP)",
    );
    await updateAlertSettings({ ctx: admin, input: { recipients: [] } });
  });
});

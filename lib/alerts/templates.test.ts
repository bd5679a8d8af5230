import { and, desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  alertTemplates,
  auditLog,
  deliveries,
  devMailbox,
  notificationJobs,
  thresholdRules,
  users,
  type Channel,
  type NotificationKind,
  type NotificationPayload,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { orgId, resetRateLimits, testSettings } from "@/test/alerts";
import { startReceiver, type Receiver } from "@/test/fake-receiver";
import type { Ctx } from "@/lib/context";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { createEndpoint } from "./endpoints";
import { processDelivery } from "./send";
import { sendTestAlert } from "./test-alert";
import {
  createTemplate,
  deleteTemplate,
  listTemplates,
  previewTemplate,
  updateTemplate,
} from "./templates";

let t: TestDb;
let admin: Ctx;
let billing: Ctx;
let globexAdmin: Ctx;
let platformAdmin: Ctx;
let acme: string;
let globex: string;
let adminUserId: string;
let ruleA: string;
let ruleB: string;
let globexRule: string;
const receivers: Receiver[] = [];
const settings = testSettings();

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  admin = await ctxFor(t.db, "admin@acme.test");
  billing = await ctxFor(t.db, "billing@acme.test");
  globexAdmin = await ctxFor(t.db, "admin@globex.test");
  platformAdmin = await ctxFor(t.db, "admin@beacon.test");
  acme = await orgId(t.db, "acme");
  globex = await orgId(t.db, "globex");
  adminUserId = admin.actor.id!;
  const rule = async (org: string, name: string) =>
    (
      await t.db
        .insert(thresholdRules)
        .values({ orgId: org, name, metric: "balance", operator: "lt", threshold: 500 })
        .returning()
    )[0]!.id;
  ruleA = await rule(acme, "Balance below 500");
  ruleB = await rule(acme, "CPS high");
  globexRule = await rule(globex, "Globex balance");
});
beforeEach(async () => {
  await resetRateLimits(t.db);
  await t.db.delete(alertTemplates).where(sql`true`);
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t.close();
});

async function refusal(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ValidationError);
  return Object.fromEntries((e as ValidationError).issues.map((i) => [i.field, i.message]));
}

/**
 * One alert of `kind` to one of acme's members on `channel`, sent through the real sender to the
 * dev mailbox (or an endpoint): the delivery row after sending.
 */
async function deliver(
  kind: NotificationKind,
  payload: Partial<NotificationPayload>,
  opts: {
    channel?: Channel;
    org?: string;
    recipientId?: string;
    recipientType?: "member" | "endpoint";
    destination?: string;
  } = {},
) {
  const org = opts.org ?? acme;
  const [job] = await t.db
    .insert(notificationJobs)
    .values({
      orgId: org,
      kind,
      status: "planned",
      plannedAt: new Date(),
      payload: {
        title: "Balance below 500: balance is 450",
        category: "billing",
        impact: "minor",
        audience: { type: "tenant", orgId: org },
        componentIds: [],
        regionIds: [],
        ...payload,
      },
    })
    .returning();
  const [d] = await t.db
    .insert(deliveries)
    .values({
      jobId: job!.id,
      orgId: org,
      channel: opts.channel ?? "email",
      recipientType: opts.recipientType ?? "member",
      recipientId: opts.recipientId ?? adminUserId,
      destination: opts.destination ?? "admin@acme.test",
      idempotencyKey: `${job!.id}:t`,
      status: "pending",
      trace: [{ step: "matrix", outcome: "matched", detail: "test" }],
    })
    .returning();
  const outcome = await processDelivery(t.db, d!.id, { settings });
  expect(outcome, `outcome: ${JSON.stringify(outcome)}`).toMatchObject({ status: "delivered" });
  const [row] = await t.db.select().from(deliveries).where(eq(deliveries.id, d!.id));
  const [mail] = await t.db
    .select()
    .from(devMailbox)
    .where(eq(devMailbox.idempotencyKey, row!.idempotencyKey));
  return { delivery: row!, mail };
}

const threshold = (ruleId: string) => ({
  data: { ruleId, metric: "balance", value: 450, operator: "lt", threshold: 500 },
});

describe("saving a template", () => {
  it("a template that does not parse is refused at save with the field, line and reason; nothing is stored", async () => {
    const fields = await refusal(
      createTemplate({
        ctx: admin,
        input: {
          channel: "email",
          subject: "{{ alert.title }}",
          body: "Hello\n{{ alert.title | nope }}",
        },
      }),
    );
    expect(fields).toEqual({ body: "line 2, column 1: undefined filter: nope" });
    const subject = await refusal(
      createTemplate({
        ctx: admin,
        input: { channel: "email", subject: "{% if alert.title %}x", body: "ok" },
      }),
    );
    expect(subject.subject).toMatch(/^line 1, column 1: tag \{% if alert\.title %\} not closed/);
    expect(
      await refusal(createTemplate({ ctx: admin, input: { channel: "email", body: "x" } })),
    ).toEqual({ subject: "is required for email" });
    expect(
      await refusal(createTemplate({ ctx: admin, input: { channel: "webhook", body: "x" } })),
    ).toEqual({ channel: expect.stringMatching(/webhook's body is fixed/) });
    expect(await t.db.select().from(alertTemplates)).toEqual([]);
  });

  it("create, edit and delete are audited with what changed", async () => {
    const created = await createTemplate({
      ctx: admin,
      input: { channel: "sms", body: "{{ alert.title }}" },
    });
    await updateTemplate({
      ctx: admin,
      input: { id: created.id, body: "ALERT {{ alert.title }}" },
    });
    await deleteTemplate({ ctx: admin, input: { id: created.id } });
    const rows = await t.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.orgId, acme), eq(auditLog.targetId, created.id)))
      .orderBy(desc(auditLog.id));
    expect(rows.map((r) => r.action).sort()).toEqual([
      "alert_template.created",
      "alert_template.deleted",
      "alert_template.updated",
    ]);
    const updated = rows.find((r) => r.action === "alert_template.updated")!;
    expect(updated.data).toMatchObject({
      before: { body: "{{ alert.title }}" },
      after: { body: "ALERT {{ alert.title }}" },
    });
  });

  it("one template per channel per scope: a second is refused, a rule's is separate", async () => {
    await createTemplate({ ctx: admin, input: { channel: "sms", body: "a" } });
    expect(
      await refusal(createTemplate({ ctx: admin, input: { channel: "sms", body: "b" } })),
    ).toEqual({ channel: expect.stringMatching(/already an SMS template for all alerts/) });
    await createTemplate({
      ctx: admin,
      input: { channel: "sms", body: "c", thresholdRuleId: ruleA },
    });
    expect((await listTemplates({ ctx: admin })).map((r) => [r.body, r.ruleName])).toEqual([
      ["a", null],
      ["c", "Balance below 500"],
    ]);
  });

  it("deleting the rule deletes its templates", async () => {
    const [tmp] = await t.db
      .insert(thresholdRules)
      .values({ orgId: acme, name: "Temporary", metric: "cps", operator: "gt", threshold: 5 })
      .returning();
    await createTemplate({
      ctx: admin,
      input: { channel: "sms", body: "x", thresholdRuleId: tmp!.id },
    });
    await t.db.delete(thresholdRules).where(eq(thresholdRules.id, tmp!.id));
    expect(await listTemplates({ ctx: admin })).toEqual([]);
  });
});

describe("permission and tenant isolation", () => {
  it("needs alerts:manage (which platform roles do not have)", async () => {
    for (const p of [
      createTemplate({ ctx: billing, input: { channel: "sms", body: "x" } }),
      listTemplates({ ctx: billing }),
      previewTemplate({ ctx: billing, input: { channel: "sms", body: "x" } }),
    ]) {
      await expect(p).rejects.toBeInstanceOf(ForbiddenError);
    }
    await expect(
      createTemplate({ ctx: platformAdmin, input: { channel: "sms", body: "x" } }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("another tenant's template cannot be seen, edited or deleted, nor its rule used", async () => {
    const mine = await createTemplate({ ctx: admin, input: { channel: "sms", body: "acme" } });
    expect(await listTemplates({ ctx: globexAdmin })).toEqual([]);
    await expect(
      updateTemplate({ ctx: globexAdmin, input: { id: mine.id, body: "pwned" } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      deleteTemplate({ ctx: globexAdmin, input: { id: mine.id } }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      createTemplate({
        ctx: admin,
        input: { channel: "sms", body: "x", thresholdRuleId: globexRule },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const [still] = await t.db.select().from(alertTemplates).where(eq(alertTemplates.id, mine.id));
    expect(still!.body).toBe("acme");
  });

  it("a tenant's template words only its own deliveries", async () => {
    await createTemplate({
      ctx: admin,
      input: { channel: "email", subject: "ACME: {{ alert.title }}", body: "acme body" },
    });
    const [globexUser] = await t.db
      .select()
      .from(users)
      .where(eq(users.email, "admin@globex.test"));
    const { mail } = await deliver(
      "incident.created",
      { title: "Globex down" },
      { org: globex, destination: "admin@globex.test", recipientId: globexUser!.id },
    );
    expect(mail!.subject).toBe("[Beacon] New incident · Minor Billing: Globex down");
  });
});

describe("sending with templates", () => {
  it("precedence: the rule's template, else the tenant's, else Beacon's default", async () => {
    // Default first.
    const none = await deliver("threshold.triggered", threshold(ruleA));
    expect(none.mail!.subject).toBe(
      "[Beacon] Threshold crossed · Minor Billing: Balance below 500: balance is 450",
    );
    expect(none.delivery.trace.some((s) => s.step === "template")).toBe(false);

    await createTemplate({
      ctx: admin,
      input: { channel: "email", subject: "Tenant: {{ alert.title }}", body: "tenant body" },
    });
    const tenant = await deliver("threshold.triggered", threshold(ruleA));
    expect(tenant.mail!.subject).toBe("Tenant: Balance below 500: balance is 450");
    expect(tenant.mail!.text).toContain("tenant body");
    expect(tenant.delivery.trace.at(-1)).toEqual({
      step: "template",
      outcome: "info",
      detail: "Worded with your custom Email template for all alerts",
    });

    await createTemplate({
      ctx: admin,
      input: {
        channel: "email",
        thresholdRuleId: ruleA,
        subject: "Rule: {{ threshold.metric }} at {{ threshold.value }}",
        body: "<p>{{ threshold.metric }} &lt; {{ threshold.threshold }}</p>",
      },
    });
    const rule = await deliver("threshold.triggered", threshold(ruleA));
    expect(rule.mail!.subject).toBe("Rule: balance at 450");
    expect(rule.mail!.html).toContain("<p>balance &lt; 500</p>");
    expect(rule.delivery.trace.at(-1)!.detail).toBe(
      "Worded with your custom Email template for the rule “Balance below 500”",
    );
    // Another rule's alert, and an incident, get the tenant's.
    expect((await deliver("threshold.triggered", threshold(ruleB))).mail!.subject).toBe(
      "Tenant: Balance below 500: balance is 450",
    );
    expect((await deliver("incident.created", { title: "Voice down" })).mail!.subject).toBe(
      "Tenant: Voice down",
    );
  });

  it("a template that fails to render falls back to the default, the send succeeds and the trace says so", async () => {
    // Stored broken (as if saved before a rule changed): the sender must not fail because of it.
    await t.db.insert(alertTemplates).values({
      orgId: acme,
      channel: "email",
      subject: "Broken {{ alert.title",
      body: "x",
    });
    const { delivery, mail } = await deliver("incident.created", { title: "Voice down" });
    expect(delivery.status).toBe("delivered");
    expect(mail!.subject).toBe("[Beacon] New incident · Minor Billing: Voice down");
    const step = delivery.trace.find((s) => s.step === "template")!;
    expect(step.outcome).toBe("info");
    expect(step.detail).toMatch(
      /^Sent with Beacon's default Email wording: your custom Email template for all alerts failed to render \(subject, line 1, column 8: output "\{\{ alert\.title" not closed/,
    );
  });

  it("a render that runs out of memory falls back too", async () => {
    await t.db.insert(alertTemplates).values({
      orgId: acme,
      channel: "sms",
      body: "{% for i in (1..100000000) %}{{ i }}{% endfor %}",
    });
    const { delivery, mail } = await deliver(
      "incident.created",
      { title: "Voice down" },
      { channel: "sms", destination: "+919800000009" },
    );
    expect(delivery.status).toBe("delivered");
    expect(mail!.text).toContain("Voice down");
    expect(delivery.trace.find((s) => s.step === "template")!.detail).toMatch(
      /failed to render \(body, line 1, column 1: memory alloc limit exceeded\)/,
    );
  });

  it("Slack and Teams endpoints get the custom text, escaped for each", async () => {
    const slack = await startReceiver();
    const teams = await startReceiver({ fallback: { status: 202 } });
    receivers.push(slack, teams);
    const se = await createEndpoint({
      ctx: admin,
      input: { type: "slack", name: "Slack", url: slack.url },
      channelSettings: { allowPrivate: true },
    });
    const te = await createEndpoint({
      ctx: admin,
      input: { type: "teams", name: "Teams", url: teams.url },
      channelSettings: { allowPrivate: true },
    });
    await createTemplate({
      ctx: admin,
      input: {
        channel: "slack",
        body: ":rotating_light: *{{ alert.title }}* <{{ alert.url }}|Open>",
      },
    });
    await createTemplate({
      ctx: admin,
      input: { channel: "teams", body: "**{{ alert.title }}**" },
    });
    const payload = { title: "Mumbai <POP> & *SMS*", url: "/portal/incidents" };
    await deliver("incident.created", payload, {
      channel: "slack",
      recipientId: se.endpoint.id,
      recipientType: "endpoint",
      destination: "Slack",
    });
    await deliver("incident.created", payload, {
      channel: "teams",
      recipientId: te.endpoint.id,
      recipientType: "endpoint",
      destination: "Teams",
    });
    const sb = JSON.parse(slack.requests[0]!.body);
    expect(sb.text).toBe(
      ":rotating_light: *Mumbai &lt;POP&gt; &amp; *SMS** <http://beacon.test/portal/incidents|Open>",
    );
    expect(sb.blocks).toEqual([{ type: "section", text: { type: "mrkdwn", text: sb.text } }]);
    const card = JSON.parse(teams.requests[0]!.body).attachments[0].content;
    expect(card.body[1]).toEqual({
      type: "TextBlock",
      text: "**Mumbai <POP> & \\*SMS\\***",
      wrap: true,
    });
  });

  it("a test alert uses the template (what the admin checks it with)", async () => {
    await createTemplate({
      ctx: admin,
      input: { channel: "email", subject: "Custom: {{ alert.kind_label }}", body: "hi" },
    });
    const r = await sendTestAlert({
      ctx: admin,
      input: { channel: "email" },
      deliverNow: true,
      deliverOptions: { settings },
    });
    const [d] = await t.db.select().from(deliveries).where(eq(deliveries.id, r.deliveryIds[0]!));
    const [mail] = await t.db
      .select()
      .from(devMailbox)
      .where(eq(devMailbox.idempotencyKey, d!.idempotencyKey));
    expect(mail!.subject).toBe("Custom: Test alert");
  });
});

describe("preview", () => {
  it("renders the draft on sample data, or says the line and reason", async () => {
    const ok = await previewTemplate({
      ctx: admin,
      input: {
        channel: "email",
        subject: "{{ organization.name }}: {{ alert.title }}",
        body: "Value {{ threshold.value }}",
      },
    });
    expect(ok).toMatchObject({
      ok: true,
      subject: "Acme Telecom: Balance below 500: balance is 450",
      text: "Value 450",
    });
    const bad = await previewTemplate({
      ctx: admin,
      input: { channel: "sms", body: "a\n{{ alert.nope }}" },
    });
    expect(bad).toEqual({
      ok: false,
      fields: { body: expect.stringMatching(/^line 2, column 4: .*alert\.nope/) },
    });
    const incident = await previewTemplate({
      ctx: admin,
      input: { channel: "slack", body: "{{ alert.title }}", sample: "incident.created" },
    });
    expect(incident).toMatchObject({
      ok: true,
      text: "Calls to India failing &lt;Mumbai POP&gt; &amp; SMS delayed",
    });
  });
});

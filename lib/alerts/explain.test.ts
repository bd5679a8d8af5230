import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/db/test-db";
import {
  alertEndpoints,
  alertRecipients,
  alertRules,
  alertSettings,
  deliveries,
  memberships,
  notificationJobs,
  users,
  type AlertSettings,
  type Delivery,
  type NotificationJob,
  type NotificationPayload,
} from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { enqueue, orgId } from "@/test/alerts";
import { encryptSecret } from "@/lib/crypto/secrets";
import { withTransaction, type Ctx } from "@/lib/context";
import { dryRunPlan, planJob, type OneRecipient } from "./plan";
import { explainRouting, listRecipientAddresses, type Explanation } from "./explain";
import { NotFoundError } from "@/lib/errors";
import { enqueueUserWarning } from "./user-warning";

/**
 * The explainer and planning share one truth: for a matrix of settings, a real job is planned and,
 * recipient by recipient and channel by channel, what the explainer says equals the deliveries
 * planning wrote (status, trace, run time), and planning's statement run for that recipient alone
 * (the explainer's dry run) finds exactly those rows. No delivery planning wrote is missed.
 */

let t: TestDb;
let acme: string;
let admin: Ctx;
let original: AlertSettings;
const at = new Date("2026-06-01T23:10:00Z");

type Decision = Explanation["notifications"][number]["decisions"][number];

interface Subject {
  name: string;
  input: Record<string, string>;
  who: NonNullable<OneRecipient>;
  channels: string[];
  mine: (d: Delivery) => boolean;
}
const subjects: Subject[] = [];

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  acme = await orgId(t.db, "acme");
  admin = await ctxFor(t.db, "admin@acme.test");
  original = (await t.db.select().from(alertSettings).where(eq(alertSettings.orgId, acme)))[0]!;

  // Members: the org and billing admins have phones, Tech/DevOps has none but SMS ticked.
  const phones: Record<string, string | null> = {
    "admin@acme.test": "+919800000010",
    "billing@acme.test": "+919800000020",
  };
  const members = await t.db
    .select({ id: users.id, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, acme));
  for (const m of members) {
    await t.db
      .update(users)
      .set({ phone: phones[m.email] ?? null })
      .where(eq(users.id, m.id));
    subjects.push({
      name: m.email,
      input: { userId: m.id },
      who: { member: m.id },
      channels: ["email", "sms", "in_app"],
      mine: (d) => d.recipientType === "member" && d.recipientId === m.id,
    });
  }
  await t.db
    .insert(alertRules)
    .values({
      orgId: acme,
      category: "infrastructure",
      roleGroup: "tech_devops",
      channel: "sms",
      enabled: true,
    })
    .onConflictDoUpdate({
      target: [alertRules.orgId, alertRules.category, alertRules.roleGroup, alertRules.channel],
      set: { enabled: true },
    });

  // Endpoints: an org-wide webhook, a disabled one, one disabled after 410 Gone, a strict one (critical only), Slack for Org Admins.
  const endpoints = await t.db
    .insert(alertEndpoints)
    .values(
      [
        { name: "live hook", type: "webhook" as const },
        { name: "off hook", type: "webhook" as const, enabled: false },
        {
          name: "gone hook",
          type: "webhook" as const,
          enabled: false,
          disabledAt: new Date("2026-05-31T10:04:59Z"),
          disabledCause: "gone" as const,
          disabledReason: "Answered HTTP 410 Gone on 2026-05-31T10:04:59.000Z",
        },
        { name: "strict hook", type: "webhook" as const, minImpact: "critical" as const },
        { name: "ops slack", type: "slack" as const, roleGroup: "org_admin" as const },
      ].map((e) => ({
        ...e,
        orgId: acme,
        urlEncrypted: encryptSecret(`https://${e.name.replace(" ", "-")}.example.com/hook`),
        urlHint: `${e.name.replace(" ", "-")}.example.com`,
        secretEncrypted:
          e.type === "webhook" ? encryptSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") : null,
      })),
    )
    .returning();
  for (const e of endpoints)
    subjects.push({
      name: e.name,
      input: { endpointId: e.id },
      who: { endpoint: e.id },
      channels: [e.type],
      mine: (d) => d.recipientType === "endpoint" && d.recipientId === e.id,
    });

  // Extra recipients: a working address, a bounced one, a phone number, and the org admin's own
  // address listed again (one delivery for the address: the member's).
  const recipients = await t.db
    .insert(alertRecipients)
    .values(
      [
        {
          channel: "email" as const,
          address: "oncall@acme.test",
          roleGroup: "tech_devops" as const,
        },
        {
          channel: "email" as const,
          address: "bounced@acme.test",
          roleGroup: "tech_devops" as const,
          undeliverableAt: new Date("2026-05-30T08:00:00Z"),
          undeliverableReason: "hard bounce: mailbox does not exist",
        },
        { channel: "sms" as const, address: "+919800000999", roleGroup: "org_admin" as const },
        {
          channel: "email" as const,
          address: "ADMIN@acme.test",
          roleGroup: "tech_devops" as const,
        },
      ].map((r) => ({ ...r, orgId: acme })),
    )
    .returning();
  for (const r of recipients)
    subjects.push({
      name: r.address,
      input: { address: r.address },
      who: { address: r.address },
      channels: [r.channel],
      mine: (d) =>
        d.recipientType === "recipient" && d.destination.toLowerCase() === r.address.toLowerCase(),
    });
});
afterAll(() => t.close());

/**
 * Plans `job` and checks, for every subject and channel, the explainer and the dry run against the
 * deliveries planning wrote for acme. Returns the explainer's decisions by subject and channel.
 */
async function planAndCompare(jobId: string) {
  await planJob(t.db, jobId, { now: at });
  const [job] = await t.db.select().from(notificationJobs).where(eq(notificationJobs.id, jobId));
  const rows = await t.db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.jobId, jobId), eq(deliveries.orgId, acme)));
  const found = new Set<string>();
  const verdicts = new Map<string, Decision>();
  for (const s of subjects) {
    const ex = await explainRouting({ ctx: admin, input: { jobId, ...s.input } });
    const decisions = ex.notifications[0]!.decisions;
    const dry = await dryRunPlan(t.db, [job as NotificationJob], admin.org, s.who);
    expect(decisions.map((d) => d.channel)).toEqual(s.channels);
    for (const ch of s.channels) {
      const at = `${s.name} ${ch}`;
      const decision = decisions.find((d) => d.channel === ch)!;
      verdicts.set(at, decision);
      const row = rows.find((r) => s.mine(r) && r.channel === ch);
      const would = dry.filter((r) => r.channel === ch);
      expect(would.length, at).toBeLessThanOrEqual(1);
      if (row) {
        found.add(row.id);
        // What the explainer says is what planning decided.
        expect(decision, at).toEqual({
          channel: ch,
          status: row.status,
          deliveryId: row.id,
          steps: row.trace,
        });
        // And planning's statement for this recipient alone finds the same row.
        expect(would[0], at).toEqual({
          jobId,
          orgId: acme,
          channel: ch,
          recipientType: row.recipientType,
          recipientId: row.recipientId,
          destination: row.destination,
          idempotencyKey: row.idempotencyKey,
          status: row.status,
          runAt: row.runAt,
          trace: row.trace,
        });
      } else {
        expect(decision.status, at).toBe("not sent");
        expect(decision.deliveryId, at).toBeNull();
        if (would[0]) {
          // A candidate planning de-duplicated: another recipient's delivery holds its key.
          const other = rows.find((r) => r.idempotencyKey === would[0]!.idempotencyKey);
          expect(other, at).toBeDefined();
          expect(other!.recipientId, at).not.toBe(would[0]!.recipientId);
          expect(decision.steps, at).toHaveLength(1);
          expect(decision.steps[0]!.detail, at).toMatch(/reached through another route/);
        } else {
          // No candidate at all: the explainer names the one condition that failed.
          expect(decision.steps, at).toHaveLength(1);
          expect(decision.steps[0]!.outcome, at).toBe("suppressed");
          expect(decision.steps[0]!.step, at).not.toBe("routing");
        }
      }
    }
  }
  // Every delivery planning wrote for the tenant was found by some recipient's dry run.
  expect(rows.filter((r) => !found.has(r.id)).map((r) => r.destination)).toEqual([]);
  return verdicts;
}

/** The verdict as "status: step outcome — detail" of the step that decided it. */
function why(verdicts: Map<string, Decision>, subject: string, channel: string) {
  const d = verdicts.get(`${subject} ${channel}`);
  if (!d) throw new Error(`no verdict for ${subject} ${channel}`);
  const decisive =
    d.steps.find((s) => ["suppressed", "skipped", "held", "delayed"].includes(s.outcome)) ??
    d.steps[0]!;
  return `${d.status}: ${decisive.step} ${decisive.outcome} — ${decisive.detail}`;
}

async function withSettings<T>(patch: Partial<AlertSettings>, fn: () => Promise<T>) {
  await t.db.update(alertSettings).set(patch).where(eq(alertSettings.orgId, acme));
  try {
    return await fn();
  } finally {
    const { orgId: _, ...rest } = original;
    await t.db.update(alertSettings).set(rest).where(eq(alertSettings.orgId, acme));
  }
}

const job = async (
  payload: Partial<NotificationPayload> & Pick<NotificationPayload, "category" | "impact">,
) => (await enqueue(t.db, payload)).id;

describe("the explainer's verdict is what planning produced", () => {
  it("with the defaults: sent, channel not ticked, no phone, disabled endpoint, severity of an endpoint, bounced and duplicate addresses", async () => {
    const v = await planAndCompare(await job({ category: "infrastructure", impact: "major" }));
    expect(why(v, "admin@acme.test", "email")).toMatch(/^pending: rule matched/);
    expect(why(v, "admin@acme.test", "sms")).toMatch(/^pending: /);
    expect(why(v, "admin@acme.test", "in_app")).toBe(
      "not sent: rule suppressed — in_app is not ticked for Org Admins in infrastructure",
    );
    expect(why(v, "billing@acme.test", "email")).toBe(
      "not sent: rule suppressed — email is not ticked for Billing Admins in infrastructure",
    );
    expect(why(v, "devops@acme.test", "email")).toMatch(/^pending: /);
    expect(why(v, "devops@acme.test", "sms")).toBe(
      "not sent: recipient suppressed — no phone number on this member's profile",
    );
    expect(why(v, "live hook", "webhook")).toMatch(/^pending: /);
    expect(why(v, "off hook", "webhook")).toBe(
      "skipped: endpoint skipped — skipped: endpoint disabled",
    );
    expect(why(v, "gone hook", "webhook")).toBe(
      "skipped: endpoint skipped — skipped: endpoint disabled on 2026-05-31 10:04 UTC (410 Gone)",
    );
    expect(why(v, "strict hook", "webhook")).toBe(
      "suppressed: severity suppressed — impact major is below the minimum critical",
    );
    expect(why(v, "ops slack", "slack")).toMatch(/^pending: /);
    expect(why(v, "oncall@acme.test", "email")).toMatch(/^pending: /);
    expect(why(v, "bounced@acme.test", "email")).toMatch(
      /^suppressed: address suppressed — marked undeliverable since 2026-05-30 08:00 UTC \(hard bounce/,
    );
    expect(why(v, "+919800000999", "sms")).toMatch(/^pending: /);
    expect(why(v, "ADMIN@acme.test", "email")).toMatch(
      /^not sent: rule info — .*reached through another route \(a member: admin@acme\.test, pending\)/,
    );
    // The picker lists the tenant's extra recipients; an address not listed is not explained.
    expect((await listRecipientAddresses({ ctx: admin })).sort()).toEqual(
      ["+919800000999", "ADMIN@acme.test", "bounced@acme.test", "oncall@acme.test"].sort(),
    );
    const globex = await ctxFor(t.db, "admin@globex.test");
    await expect(
      explainRouting({
        ctx: globex,
        input: { incidentId: crypto.randomUUID(), address: "oncall@acme.test" },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("with the category turned off", async () => {
    const v = await withSettings(
      {
        categories: { infrastructure: false, billing: true, configurable: true, maintenance: true },
      },
      async () => planAndCompare(await job({ category: "infrastructure", impact: "major" })),
    );
    expect(why(v, "admin@acme.test", "email")).toBe(
      "suppressed: category suppressed — infrastructure alerts are turned off for this tenant",
    );
    expect(why(v, "live hook", "webhook")).toMatch(/^suppressed: category suppressed/);
    expect(why(v, "oncall@acme.test", "email")).toMatch(/^suppressed: category suppressed/);
  });

  it("in quiet hours, and with a digest", async () => {
    const quiet = await withSettings(
      { quietEnabled: true, quietStart: 22 * 60, quietEnd: 7 * 60, timeZone: "UTC" },
      async () => planAndCompare(await job({ category: "infrastructure", impact: "major" })),
    );
    expect(why(quiet, "admin@acme.test", "email")).toBe(
      "pending: quiet_hours delayed — quiet hours: delayed until 2026-06-02 07:00 UTC",
    );
    expect(why(quiet, "live hook", "webhook")).toMatch(/^pending: rule matched/);

    const digest = await withSettings({ digestMode: "hourly", timeZone: "UTC" }, async () =>
      planAndCompare(await job({ category: "infrastructure", impact: "minor" })),
    );
    expect(why(digest, "admin@acme.test", "email")).toBe(
      "held: digest held — held for the hourly digest at 2026-06-02 00:00 UTC",
    );
    expect(why(digest, "ops slack", "slack")).toMatch(/^held: /);
    expect(why(digest, "live hook", "webhook")).toMatch(/^pending: /);
  });

  it("with component, region and severity filters", async () => {
    const [comp, other] = [crypto.randomUUID(), crypto.randomUUID()];
    const components = await withSettings({ componentIds: [comp] }, async () =>
      planAndCompare(
        await job({ category: "infrastructure", impact: "major", componentIds: [other] }),
      ),
    );
    expect(why(components, "devops@acme.test", "email")).toBe(
      "suppressed: filter suppressed — none of the affected components/regions is in the filters",
    );
    const regions = await withSettings({ regionIds: [comp] }, async () =>
      planAndCompare(
        await job({ category: "infrastructure", impact: "major", regionIds: [other] }),
      ),
    );
    expect(why(regions, "+919800000999", "sms")).toMatch(/^suppressed: filter suppressed/);
    const severity = await withSettings({ minImpact: "critical" }, async () =>
      planAndCompare(await job({ category: "infrastructure", impact: "major" })),
    );
    expect(why(severity, "support@acme.test", "email")).toBe(
      "suppressed: severity suppressed — impact major is below the minimum critical",
    );
  });

  it("with a cell only for one topic, and channels not ticked in that category", async () => {
    const v = await planAndCompare(await job({ category: "billing", impact: "minor" }));
    expect(why(v, "billing@acme.test", "email")).toMatch(/^pending: /);
    expect(why(v, "billing@acme.test", "sms")).toBe(
      "not sent: rule suppressed — sms for Billing Admins in billing is only for low_balance alerts",
    );
    expect(why(v, "live hook", "webhook")).toBe(
      "not sent: rule suppressed — webhook is not ticked for any role group in billing",
    );
    const low = await planAndCompare(
      await job({ category: "billing", impact: "minor", topic: "low_balance" }),
    );
    expect(why(low, "billing@acme.test", "sms")).toMatch(/^pending: rule matched/);
  });

  it("for a user-level warning", async () => {
    const ids = Object.fromEntries(
      (await t.db.select().from(users)).map((u) => [u.email, u.id] as const),
    );
    await t.db
      .update(memberships)
      .set({ warningEmail: true })
      .where(and(eq(memberships.orgId, acme), eq(memberships.userId, ids["admin@acme.test"]!)));
    const warning = await withTransaction({ db: t.db }, (tx) =>
      enqueueUserWarning(tx, {
        orgId: acme,
        userIds: [ids["admin@acme.test"]!, ids["billing@acme.test"]!],
        title: 'Endpoint "off hook" was disabled',
        message: "Answered HTTP 410 Gone.",
        url: "/portal/alerts",
      }),
    );
    const v = await planAndCompare(warning!.id);
    expect(why(v, "admin@acme.test", "email")).toMatch(/^pending: /);
    expect(why(v, "billing@acme.test", "email")).toBe(
      "suppressed: opt_in suppressed — member has not opted in to email for user-level warnings",
    );
    expect(why(v, "devops@acme.test", "in_app")).toBe(
      "not sent: rule suppressed — this user-level warning was addressed to other members",
    );
    expect(why(v, "live hook", "webhook")).toBe(
      "not sent: rule suppressed — user-level warnings go to members, never to endpoints",
    );
  });
});

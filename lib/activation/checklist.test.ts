import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb, type TestDb } from "@/db/test-db";
import { alertRecipients, devMailbox } from "@/db/schema";
import { ctxFor, seedDemo } from "@/test/fixtures";
import { testSettings } from "@/test/alerts";
import { drainDueDeliveries } from "@/test/sending";
import { startReceiver, type Receiver } from "@/test/fake-receiver";
import type { Ctx } from "@/lib/context";
import { ForbiddenError } from "@/lib/errors";
import { loadUserCtx } from "@/lib/auth/session-ctx";
import { recordSignIn } from "@/lib/auth/session-epoch";
import {
  createAccountFromInvitation,
  requestInvitationVerification,
} from "@/lib/members/accept-invitation";
import { inviteMember } from "@/lib/members/invite";
import { updateMyNotifications } from "@/lib/members/my-notifications";
import { updateAlertSettings } from "@/lib/alerts/settings";
import { createEndpoint } from "@/lib/alerts/endpoints";
import { sendTestAlert } from "@/lib/alerts/test-alert";
import { createOrganization, inviteOrgAdmin } from "@/lib/organizations/organizations";
import {
  ACTIVATION_ITEMS,
  getActivationChecklist,
  listActivationProgress,
  type ActivationItemKey,
} from "./checklist";

let t: TestDb;
let platformAdmin: Ctx;
let wayne: string;
let stark: string;
let receiver: Receiver;

beforeAll(async () => {
  t = await createTestDb();
  await seedDemo(t.db);
  platformAdmin = await ctxFor(t.db, "admin@beacon.test");
  wayne = (
    await createOrganization({ ctx: platformAdmin, input: { slug: "wayne", name: "Wayne" } })
  ).id;
  stark = (
    await createOrganization({ ctx: platformAdmin, input: { slug: "stark", name: "Stark" } })
  ).id;
  receiver = await startReceiver({
    handler: (req) => (req.path === "/broken" ? { status: 500, body: "down" } : undefined),
  });
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

const mailSettings = {
  appUrl: "http://beacon.test",
  emailConfigured: false,
  devMailbox: true,
  from: "b@b.test",
};

/** Follows an invitation the way an invitee does: the emailed link, then name and password. */
async function accept(token: string, email: string): Promise<string> {
  await requestInvitationVerification(
    { db: t.db, input: { token }, clientAddress: "192.0.2.20" },
    mailSettings,
  );
  const mails = await t.db.select().from(devMailbox).where(eq(devMailbox.to, email));
  const code = /\/invite\/verify\/([\w-]+)/.exec(mails.at(-1)!.text)![1]!;
  const joined = await createAccountFromInvitation({
    db: t.db,
    input: { code, name: email, password: "a-long-password" },
  });
  return joined.userId;
}

/** The tenant's items, done or not, as the platform admins' list and the tenant itself see them. */
async function doneItems(orgId: string): Promise<ActivationItemKey[]> {
  const progress = (await listActivationProgress({ ctx: platformAdmin })).get(orgId)!;
  const done = await doneViaMember(orgId);
  expect(progress.done).toBe(done?.length ?? progress.done);
  return done ?? [];
}

let members: Record<string, Ctx> = {};
async function doneViaMember(orgId: string): Promise<ActivationItemKey[] | null> {
  const ctx = members[orgId];
  if (!ctx) return null;
  const list = (await getActivationChecklist({ ctx }))!;
  expect(list.orgId).toBe(orgId);
  return list.items.filter((i) => i.done).map((i) => i.key);
}

describe("activation checklist", () => {
  let adminCtx: Ctx;

  it("a new tenant has nothing done: 0 of 7 in the platform admins' list", async () => {
    const progress = await listActivationProgress({ ctx: platformAdmin });
    expect(progress.get(wayne)).toEqual({ done: 0, total: ACTIVATION_ITEMS.length, live: false });
    expect(progress.get(stark)).toEqual({ done: 0, total: ACTIVATION_ITEMS.length, live: false });
    // The platform organization has no checklist.
    expect(progress.has(platformAdmin.org.id)).toBe(false);
    expect(await getActivationChecklist({ ctx: platformAdmin })).toBeNull();
  });

  it("the first admin accepting the invitation confirms the email; only one member is no team", async () => {
    const { token } = await inviteOrgAdmin({
      ctx: platformAdmin,
      input: { id: wayne, email: "first@wayne.test" },
    });
    expect(await doneItems(wayne)).toEqual([]);
    const userId = await accept(token, "first@wayne.test");
    adminCtx = (await loadUserCtx(t.db, userId, wayne))!;
    members = { [wayne]: adminCtx };
    expect(await doneItems(wayne)).toEqual(["email_confirmed"]);
  });

  it("signing in is recorded and counts", async () => {
    await recordSignIn(t.db, adminCtx.actor.type === "user" ? adminCtx.actor.id : "");
    expect(await doneItems(wayne)).toEqual(["email_confirmed", "signed_in"]);
  });

  it("a team member counts once they accepted, not while the invitation is pending", async () => {
    const { token } = await inviteMember({
      ctx: adminCtx,
      input: { email: "ops@wayne.test", role: "tech_devops" },
    });
    expect(await doneItems(wayne)).not.toContain("team");
    await accept(token, "ops@wayne.test");
    expect(await doneItems(wayne)).toContain("team");
  });

  it("saving the alert settings once counts as reviewed", async () => {
    expect(await doneItems(wayne)).not.toContain("alert_settings");
    await updateAlertSettings({ ctx: adminCtx, input: { digestMode: "immediate" } });
    expect(await doneItems(wayne)).toContain("alert_settings");
  });

  it("a contact phone on a member's profile counts", async () => {
    expect(await doneItems(wayne)).not.toContain("sms_phone");
    await updateMyNotifications({
      ctx: adminCtx,
      input: { phone: "+919812300001", warningEmail: false, warningSms: false },
    });
    expect(await doneItems(wayne)).toContain("sms_phone");
  });

  it("an endpoint counts once a test alert to it was delivered; a failed one does not", async () => {
    const settings = testSettings();
    const broken = await createEndpoint({
      ctx: adminCtx,
      input: { type: "webhook", name: "broken", url: `${receiver.url}/broken` },
      channelSettings: { allowPrivate: true },
    });
    await sendTestAlert({
      ctx: adminCtx,
      input: { channel: "webhook", endpointId: broken.endpoint.id },
    });
    await drainDueDeliveries(t.db, { settings });
    let done = await doneItems(wayne);
    expect(done).not.toContain("endpoint_verified");
    expect(done).not.toContain("test_alert");

    const working = await createEndpoint({
      ctx: adminCtx,
      input: { type: "webhook", name: "ops hook", url: `${receiver.url}/hook` },
      channelSettings: { allowPrivate: true },
    });
    await sendTestAlert({
      ctx: adminCtx,
      input: { channel: "webhook", endpointId: working.endpoint.id },
    });
    await drainDueDeliveries(t.db, { settings });
    done = await doneItems(wayne);
    expect(done).toContain("endpoint_verified");
    // A delivered test alert to an endpoint is a delivered test alert.
    expect(done).toContain("test_alert");
  });

  it("all done: the checklist is Live, in the tenant's view and in the platform admins' list", async () => {
    const list = (await getActivationChecklist({ ctx: adminCtx }))!;
    expect(list.items.map((i) => [i.key, i.done])).toEqual(ACTIVATION_ITEMS.map((k) => [k, true]));
    expect(list).toMatchObject({ done: 7, total: 7, live: true });
    expect((await listActivationProgress({ ctx: platformAdmin })).get(wayne)).toEqual({
      done: 7,
      total: 7,
      live: true,
    });
  });

  it("another tenant's state never counts", async () => {
    // Wayne did everything; Stark, untouched, still has nothing done.
    expect((await listActivationProgress({ ctx: platformAdmin })).get(stark)).toEqual({
      done: 0,
      total: 7,
      live: false,
    });
  });

  it("a test alert delivered in-app counts for the test item (one in the dev mailbox does not), not for the endpoint item", async () => {
    const acmeAdmin = await ctxFor(t.db, "admin@acme.test");
    members = { [acmeAdmin.org.id]: acmeAdmin };
    const before = (await doneItems(acmeAdmin.org.id)).filter(
      (k) => k === "test_alert" || k === "endpoint_verified",
    );
    expect(before).toEqual([]);
    // A test email that only reached the development mailbox was never sent: it does not count.
    await sendTestAlert({ ctx: acmeAdmin, input: { channel: "email" } });
    await drainDueDeliveries(t.db, { settings: testSettings() });
    expect(await doneItems(acmeAdmin.org.id)).not.toContain("test_alert");
    await sendTestAlert({ ctx: acmeAdmin, input: { channel: "in_app" } });
    await drainDueDeliveries(t.db, { settings: testSettings() });
    const after = await doneItems(acmeAdmin.org.id);
    expect(after).toContain("test_alert");
    expect(after).not.toContain("endpoint_verified");
    // Globex, another demo tenant, is not credited with Acme's test alert.
    const globexAdmin = await ctxFor(t.db, "admin@globex.test");
    members = { [globexAdmin.org.id]: globexAdmin };
    expect(await doneItems(globexAdmin.org.id)).not.toContain("test_alert");
  });

  it("an SMS recipient counts as a contact phone; one the provider reported unreachable does not", async () => {
    const starkUser = await accept(
      (await inviteOrgAdmin({ ctx: platformAdmin, input: { id: stark, email: "boss@stark.test" } }))
        .token,
      "boss@stark.test",
    );
    const starkAdmin = (await loadUserCtx(t.db, starkUser, stark))!;
    members = { [stark]: starkAdmin };
    expect(await doneItems(stark)).not.toContain("sms_phone");
    await updateAlertSettings({
      ctx: starkAdmin,
      input: {
        recipients: [{ channel: "sms", address: "+919812300002", roleGroup: "org_admin" }],
      },
    });
    expect(await doneItems(stark)).toContain("sms_phone");
    // What a carrier's "unknown number" report does (lib/providers/report.ts).
    await t.db
      .update(alertRecipients)
      .set({ undeliverableAt: new Date(), undeliverableReason: "unknown number" })
      .where(eq(alertRecipients.orgId, stark));
    expect(await doneItems(stark)).not.toContain("sms_phone");
  });

  it("the tenants' progress is for platform admins only", async () => {
    await expect(
      listActivationProgress({ ctx: await ctxFor(t.db, "admin@acme.test") }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});

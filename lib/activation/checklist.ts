import { sql, type SQL } from "drizzle-orm";
import { rowsOf, type Db, type Tx } from "@/db";
import { requirePermission, type Ctx } from "@/lib/context";

/**
 * A new tenant's activation checklist: what to do after being set up, where to click, and how
 * to tell it worked. Every item is read from real state, in one statement whether for one
 * tenant or for all of them; nothing here can be ticked by hand.
 */

export const ACTIVATION_ITEMS = [
  "email_confirmed",
  "signed_in",
  "team",
  "alert_settings",
  "sms_phone",
  "endpoint_verified",
  "test_alert",
] as const;
export type ActivationItemKey = (typeof ACTIVATION_ITEMS)[number];

export interface ActivationItemDefinition {
  key: ActivationItemKey;
  task: string;
  /** Where to click: the screen that completes the item. */
  where: { label: string; href: string };
  /** What shows the item is done, on that screen. */
  success: string;
  /** What it is read from, for the curious (and for anyone wondering why it is not ticked). */
  derivedFrom: string;
}

/** The seed's table (task, where to click, success indicator), adapted to Beacon. */
export const ACTIVATION_DEFINITIONS: readonly ActivationItemDefinition[] = [
  {
    key: "email_confirmed",
    task: "Confirm the first admin's email (the invitation link)",
    where: { label: "Members → Pending invitations", href: "/portal/members" },
    success: "The invitation leaves Pending invitations and its admin appears in Members",
    derivedFrom: "an invitation to this organization was accepted",
  },
  {
    key: "signed_in",
    task: "Sign in to the portal",
    where: { label: "Sign in", href: "/signin" },
    success: "The portal home opens with your organization's name",
    derivedFrom: "a member of this organization has signed in",
  },
  {
    key: "team",
    task: "Add team members",
    where: { label: "Members → Invite a member", href: "/portal/members" },
    success:
      "A second member appears in Members (someone who accepted; pending invitations do not count)",
    derivedFrom: "the organization has at least two members",
  },
  {
    key: "alert_settings",
    task: "Review alert categories and channels",
    where: { label: "Alerts & Notifications → Save", href: "/portal/alerts" },
    success: "“Saved” shows after you save the categories and channels",
    derivedFrom: "the alert settings were saved at least once (the audit log's record)",
  },
  {
    key: "sms_phone",
    task: "Add a contact phone for SMS",
    where: { label: "Your profile → Phone", href: "/portal/profile" },
    success:
      "Your number shows on your profile (or an SMS recipient is listed under Alerts & Notifications → Recipients)",
    derivedFrom: "a member has a phone number, or an SMS recipient is listed and reachable",
  },
  {
    key: "endpoint_verified",
    task: "Verify a webhook, Slack or Teams endpoint",
    where: {
      label: "Alerts & Notifications → Slack, Teams and webhook endpoints → Send test alert",
      href: "/portal/alerts#endpoints",
    },
    success: "The endpoint's test alert is answered “Delivered”",
    derivedFrom: "a test alert to one of the organization's endpoints was delivered",
  },
  {
    key: "test_alert",
    task: "Send a test alert",
    where: {
      label: "Alerts & Notifications → Send test alert",
      href: "/portal/alerts#test-alerts",
    },
    success: "The test alert is answered “Delivered” (and shows in the Delivery log)",
    derivedFrom:
      "a test alert of this organization was delivered, on any channel (one only in the development mailbox was not sent, so it does not count)",
  },
];

export interface ActivationItem extends ActivationItemDefinition {
  done: boolean;
}

export interface ActivationChecklist {
  orgId: string;
  items: ActivationItem[];
  done: number;
  total: number;
  /** Every item done: the checklist collapses into a "Live" badge. */
  live: boolean;
}

export interface ActivationProgress {
  done: number;
  total: number;
  live: boolean;
}

type StateRow = { org_id: string } & Record<ActivationItemKey, boolean>;

/**
 * Each item of the tenants `o` for which `orgs` holds, in one statement: one row per tenant with
 * a boolean per item, each an EXISTS (or a count) on that tenant's own rows.
 */
async function readActivationState(db: Db | Tx, orgs: SQL): Promise<Map<string, StateRow>> {
  const result = await db.execute(sql`
    select o.id::text as org_id,
      exists (
        select 1 from invitations i where i.org_id = o.id and i.accepted_at is not null
      ) as email_confirmed,
      exists (
        select 1 from memberships m join users u on u.id = m.user_id
        where m.org_id = o.id and u.last_signed_in_at is not null
      ) as signed_in,
      (select count(*) from memberships m where m.org_id = o.id) >= 2 as team,
      exists (
        select 1 from audit_log a
        where a.org_id = o.id and a.action = 'alert_settings.update'
      ) as alert_settings,
      (
        exists (
          select 1 from memberships m join users u on u.id = m.user_id
          where m.org_id = o.id and u.phone is not null
        )
        or exists (
          select 1 from alert_recipients r
          where r.org_id = o.id and r.channel = 'sms' and r.undeliverable_at is null
        )
      ) as sms_phone,
      -- Both start from the tenant's test alerts (an index on its jobs of kind alert.test),
      -- never from all its deliveries.
      exists (
        select 1 from notification_jobs j
        join deliveries d on d.job_id = j.id
          and d.status = 'delivered' and d.recipient_type = 'endpoint'
        join alert_endpoints e on e.id = d.recipient_id and e.org_id = o.id
        where j.org_id = o.id and j.kind = 'alert.test'
      ) as endpoint_verified,
      exists (
        select 1 from notification_jobs j
        join deliveries d on d.job_id = j.id and d.status = 'delivered'
          -- One that only reached the development mailbox was never sent.
          and (d.provider_id is null or d.provider_id not like 'devmail:%')
        where j.org_id = o.id and j.kind = 'alert.test'
      ) as test_alert
    from organizations o
    where o.kind = 'tenant' and ${orgs}`);
  return new Map(rowsOf<StateRow>(result).map((r) => [r.org_id, r]));
}

function toChecklist(orgId: string, state: StateRow | undefined): ActivationChecklist {
  const items = ACTIVATION_DEFINITIONS.map((d) => ({ ...d, done: Boolean(state?.[d.key]) }));
  const done = items.filter((i) => i.done).length;
  return { orgId, items, done, total: items.length, live: done === items.length };
}

/**
 * The activation checklist of the organization the caller acts for (any member may read it).
 * Null for the platform organization, which has no checklist.
 */
export async function getActivationChecklist({
  ctx,
}: {
  ctx: Ctx;
}): Promise<ActivationChecklist | null> {
  requirePermission(ctx, "org:read");
  if (ctx.org.kind !== "tenant") return null;
  const state = await readActivationState(ctx.db, sql`o.id = ${ctx.org.id}::uuid`);
  return toChecklist(ctx.org.id, state.get(ctx.org.id));
}

/** Every tenant's progress, for the platform admins' tenants list, in one statement. */
export async function listActivationProgress({
  ctx,
}: {
  ctx: Ctx;
}): Promise<Map<string, ActivationProgress>> {
  requirePermission(ctx, "organizations:manage");
  const state = await readActivationState(ctx.db, sql`true`);
  return new Map(
    [...state.keys()].map((orgId) => {
      const { done, total, live } = toChecklist(orgId, state.get(orgId));
      return [orgId, { done, total, live }];
    }),
  );
}

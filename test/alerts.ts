import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { withTransaction } from "@/lib/context";
import { enqueueNotification } from "@/lib/alerts/outbox";
import {
  alertRecipients,
  memberships,
  organizations,
  rateLimits,
  users,
  type NotificationKind,
  type NotificationPayload,
} from "@/db/schema";
import type { ChannelSettings } from "@/lib/channels/settings";

/** Test helpers for the alert pipeline. */

export async function orgId(db: Db, slug: string): Promise<string> {
  const [o] = await db.select().from(organizations).where(eq(organizations.slug, slug));
  return o!.id;
}

export async function enqueue(
  db: Db,
  payload: Partial<NotificationPayload> & Pick<NotificationPayload, "category" | "impact">,
  kind: NotificationKind = "incident.created",
) {
  const platform = await orgId(db, "platform");
  return withTransaction({ db }, (tx) =>
    enqueueNotification(tx, {
      orgId: platform,
      kind,
      payload: {
        title: "Voice routing degraded",
        audience: { type: "public" },
        componentIds: [],
        regionIds: [],
        ...payload,
      },
    }),
  );
}

export function testSettings(overrides: Partial<ChannelSettings> = {}): ChannelSettings {
  return {
    appUrl: "http://beacon.test",
    allowPrivate: true,
    devMailbox: true,
    webhookTimeoutMs: 2000,
    email: { from: "Beacon <alerts@beacon.test>" },
    ...overrides,
  };
}

/**
 * Makes an address one of the organization's own (an extra recipient, under billing_admin),
 * so a test alert may be sent to it. Does nothing when the
 * address is already listed on that channel or is a member's.
 */
export async function ownTestDestination(
  db: Db,
  org: string,
  channel: "email" | "sms",
  address: string,
): Promise<void> {
  const [listed] = await db
    .select({ id: alertRecipients.id })
    .from(alertRecipients)
    .where(
      and(
        eq(alertRecipients.orgId, org),
        eq(alertRecipients.channel, channel),
        eq(alertRecipients.address, address),
      ),
    );
  if (listed) return;
  const [member] = await db
    .select({ id: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.orgId, org),
        channel === "email" ? eq(users.email, address) : eq(users.phone, address),
      ),
    );
  if (member) return;
  await db
    .insert(alertRecipients)
    .values({ orgId: org, channel, address, roleGroup: "billing_admin" });
}

/** Starts every rate-limit window afresh (test alerts are limited per hour). */
export async function resetRateLimits(db: Db): Promise<void> {
  await db.delete(rateLimits).where(sql`true`);
}

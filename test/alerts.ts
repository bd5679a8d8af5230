import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { withTransaction } from "@/lib/context";
import { enqueueNotification } from "@/lib/alerts/outbox";
import { organizations, type NotificationKind, type NotificationPayload } from "@/db/schema";
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

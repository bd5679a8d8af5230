import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";
import { publicSubscribers, type Delivery } from "@/db/schema";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit";
import { withTransaction } from "@/lib/context";
import type { ClaimedDelivery } from "./claim";
import { FAILING_DAYS } from "./endpoint-health";

/**
 * Public webhook subscribers follow the tenant endpoints' rule (endpoint-health.ts): one none of
 * whose deliveries succeeded for FAILING_DAYS is removed, so a dead or tarpitting URL stops costing
 * every public update an attempt (up to 15 s each, with retries) for ever. A public subscriber has
 * no admin to warn and no switch to flip back, so it is removed, as a 410 Gone one is, with an
 * audit row (SYSTEM_ACTOR) saying why; it can subscribe again once its receiver works.
 */

/**
 * The follow-up of a webhook subscriber's delivery that failed for good: remove the subscriber if
 * its failures have lasted FAILING_DAYS. Nothing for any other outcome or recipient.
 */
export function subscriberFollowUpOf(
  db: Db,
  d: ClaimedDelivery,
  status: Delivery["status"],
  now: Date,
): (() => Promise<void>) | undefined {
  if (status !== "failed" || d.recipientType !== "subscriber" || d.channel !== "webhook")
    return undefined;
  if (!d.recipientId) return undefined;
  const id = d.recipientId;
  return async () => {
    const since = await subscriberFailingSince(db, id, now);
    if (since) await removeFailingSubscriber(db, d, id, since);
  };
}

/**
 * When the subscriber's run of failed deliveries began, if it has lasted FAILING_DAYS or more with
 * no delivery succeeding since; otherwise null (the endpoints' query, for subscribers).
 */
async function subscriberFailingSince(db: Db, id: string, now: Date): Promise<Date | null> {
  const res = await db.execute(sql`
    with ok as (
      select max(delivered_at) as at from deliveries
      where recipient_type = 'subscriber' and recipient_id = ${id}::uuid and status = 'delivered'
    )
    select min(f.created_at) as since from deliveries f, ok
    where f.recipient_type = 'subscriber' and f.recipient_id = ${id}::uuid and f.status = 'failed'
      and f.created_at > coalesce(ok.at, '-infinity'::timestamptz)`);
  const since = rowsOf<{ since: string | Date | null }>(res)[0]?.since;
  if (!since) return null;
  const at = new Date(since);
  return now.getTime() - at.getTime() >= FAILING_DAYS * 86_400_000 ? at : null;
}

async function removeFailingSubscriber(db: Db, d: ClaimedDelivery, id: string, since: Date) {
  const reason = `Every delivery has failed since ${since.toISOString()} (${FAILING_DAYS} days or more)`;
  const removed = await withTransaction({ db }, async (tx) => {
    const [row] = await tx
      .delete(publicSubscribers)
      .where(and(eq(publicSubscribers.id, id), eq(publicSubscribers.kind, "webhook")))
      .returning();
    if (!row) return false;
    await recordAudit(
      tx,
      { actor: SYSTEM_ACTOR, org: { id: d.orgId } },
      {
        action: "subscriber.removed",
        targetType: "public_subscriber",
        targetId: row.id,
        data: { reason, channel: "webhook", address: row.urlHint, deliveryId: d.id },
      },
    );
    return true;
  });
  if (removed) console.warn(`[beacon] ${d.destination} removed: ${reason}`);
}

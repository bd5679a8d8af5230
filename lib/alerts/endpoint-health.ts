import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";
import { alertEndpoints, type Delivery, type EndpointDisabledCause } from "@/db/schema";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit";
import type { DeliveryError } from "@/lib/channels/errors";
import { withTransaction } from "@/lib/context";
import { removeGoneSubscriber } from "@/lib/subscribers/subscribe";
import type { ClaimedDelivery } from "./claim";
import { warnOrgAdmins } from "./user-warning";

/**
 * What a delivery's outcome says about its receiver: a receiver that is gone (HTTP 410) is
 * removed (public subscriber) or disabled (endpoint), and so is an endpoint that has failed for
 * days; the tenant's admins are told.
 */

/** An endpoint none of whose deliveries succeeded for this long is switched off. */
export const FAILING_DAYS = 5;

/** Why Beacon switched an endpoint off, as the delivery log's skip reason names it. */
export const ENDPOINT_DISABLED_CAUSE_LABELS: Record<EndpointDisabledCause, string> = {
  gone: "410 Gone",
  failing: `every delivery failed for ${FAILING_DAYS} days`,
};

/**
 * What an outcome leads to beyond its own row, if anything: a gone receiver is removed (public
 * subscriber) or disabled (endpoint), and an endpoint's final failure may end a failing streak.
 */
export function followUpOf(
  db: Db,
  d: ClaimedDelivery,
  error: DeliveryError | null,
  status: Delivery["status"],
  now: Date,
): (() => Promise<void>) | undefined {
  if (error?.opts.gone) {
    if (d.recipientType === "subscriber" && d.recipientId) {
      const id = d.recipientId;
      return () => removeGoneSubscriber(db, id);
    }
    return () =>
      disableEndpoint(db, d, now, "gone", `Answered HTTP 410 Gone on ${now.toISOString()}`);
  }
  if (status !== "failed" || d.recipientType !== "endpoint") return undefined;
  return async () => {
    const since = await failingSince(db, d, now);
    if (since)
      await disableEndpoint(
        db,
        d,
        now,
        "failing",
        `Every delivery has failed since ${since.toISOString()} (${FAILING_DAYS} days or more)`,
      );
  };
}

/**
 * An endpoint that answered 410 Gone, or whose deliveries have all failed for FAILING_DAYS, is
 * switched off, and the tenant's admins get a user-level warning (in-app, plus email/SMS for those
 * who opted in), written in the same transaction with the audit row.
 */
async function disableEndpoint(
  db: Db,
  d: ClaimedDelivery,
  now: Date,
  cause: EndpointDisabledCause,
  reason: string,
) {
  if (!d.recipientId || d.recipientType !== "endpoint") return;
  await withTransaction({ db }, async (tx) => {
    const [e] = await tx
      .update(alertEndpoints)
      .set({ enabled: false, disabledReason: reason, disabledAt: now, disabledCause: cause })
      .where(
        and(
          eq(alertEndpoints.id, d.recipientId!),
          eq(alertEndpoints.orgId, d.orgId),
          eq(alertEndpoints.enabled, true),
        ),
      )
      .returning();
    if (!e) return;
    await recordAudit(
      tx,
      { actor: SYSTEM_ACTOR, org: { id: d.orgId } },
      {
        action: "endpoint.disabled",
        targetType: "alert_endpoint",
        targetId: e.id,
        data: { reason, cause },
      },
    );
    // Enqueued in this transaction: the job driver is woken once it commits.
    await warnOrgAdmins(tx, {
      orgId: d.orgId,
      title: `Endpoint "${e.name}" was disabled`,
      message: `${reason}. Fix the endpoint, then enable it again in Alerts & Notifications.`,
      url: "/portal/alerts",
      data: { endpointId: e.id },
    });
  });
}

/**
 * When an endpoint's run of failed deliveries began, if it has lasted FAILING_DAYS or more with no
 * delivery succeeding since; otherwise null. Asked only when a delivery fails for good.
 */
async function failingSince(db: Db, d: ClaimedDelivery, now: Date): Promise<Date | null> {
  const res = await db.execute(sql`
    with ok as (
      select max(delivered_at) as at from deliveries
      where recipient_type = 'endpoint' and recipient_id = ${d.recipientId}::uuid and status = 'delivered'
    )
    select min(f.created_at) as since from deliveries f, ok
    where f.recipient_type = 'endpoint' and f.recipient_id = ${d.recipientId}::uuid and f.status = 'failed'
      and f.created_at > coalesce(ok.at, '-infinity'::timestamptz)`);
  const since = rowsOf<{ since: string | Date | null }>(res)[0]?.since;
  if (!since) return null;
  const at = new Date(since);
  return now.getTime() - at.getTime() >= FAILING_DAYS * 86_400_000 ? at : null;
}

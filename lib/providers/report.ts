import { and, eq, isNull, or, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import {
  alertRecipients,
  deliveries,
  providerEvents,
  publicSubscribers,
  type Delivery,
  type Provider,
  type TraceStep,
} from "@/db/schema";
import type { ProviderReport } from "@/lib/channels/types";
import { ServiceError } from "@/lib/errors";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit";
import { withTransaction } from "@/lib/context";
import { warnOrgAdmins } from "@/lib/alerts/user-warning";
import { sameRecipientAddress } from "@/lib/alerts/settings";

/** A callback arrived for a provider this Beacon has no credentials for, so it cannot be verified. */
export class ProviderNotConfiguredError extends ServiceError {
  override readonly status = 503;
  override readonly code = "not_configured";
}

export interface ReportOutcome {
  /** applied: recorded; duplicate: seen before, nothing changed; unmatched: no delivery has this id. */
  outcome: "applied" | "duplicate" | "unmatched";
  deliveryId?: string;
  status?: Delivery["status"];
}

const PROVIDER_LABEL: Record<Provider, string> = { resend: "Resend", twilio: "Twilio" };

const TRACE_OUTCOME: Record<ProviderReport["kind"], TraceStep["outcome"]> = {
  delivered: "delivered",
  failed: "failed",
  delayed: "delayed",
  complained: "info",
};

/**
 * Applies a verified provider report to the one delivery carrying that provider id, in one
 * transaction: the event row (which makes a repeat a no-op), the delivery's status, error and
 * trace, and what a permanent failure means for the address. A callback carries no session, so
 * the provider id is the only thing that selects what may change, and only that delivery's own
 * organization is touched.
 */
export async function applyProviderReport(
  db: Db,
  report: ProviderReport,
  now = new Date(),
): Promise<ReportOutcome> {
  return withTransaction({ db }, async (tx): Promise<ReportOutcome> => {
    const [d] = await tx
      .select()
      .from(deliveries)
      .where(
        and(eq(deliveries.providerId, report.providerId), eq(deliveries.channel, report.channel)),
      )
      .limit(1)
      .for("update");
    if (!d) return { outcome: "unmatched" };

    const [event] = await tx
      .insert(providerEvents)
      .values({
        provider: report.provider,
        eventKey: report.eventKey,
        deliveryId: d.id,
        orgId: d.orgId,
        type: report.type,
        detail: report.detail,
        occurredAt: report.occurredAt,
        receivedAt: now,
      })
      .onConflictDoNothing()
      .returning({ id: providerEvents.id });
    if (!event) return { outcome: "duplicate", deliveryId: d.id, status: d.status };

    // Only the message the provider accepted can fail: while a resend is under way (pending or
    // sending) a failure is about the earlier message and is only noted. A late "delivered" never
    // overturns a reported failure: bounces can follow delivery, and callbacks are not ordered.
    const status = report.kind === "failed" && d.status === "delivered" ? "failed" : d.status;
    const aboutEarlierSend =
      report.kind === "failed" && d.status !== "delivered" && d.status !== "failed";
    const steps: TraceStep[] = [
      {
        step: "provider",
        outcome: TRACE_OUTCOME[report.kind],
        detail: `${PROVIDER_LABEL[report.provider]} at ${(report.occurredAt ?? now).toISOString()}: ${report.detail}${
          aboutEarlierSend ? ` (about an earlier send; this delivery is ${d.status})` : ""
        }`,
      },
    ];
    if (report.permanent) {
      steps.push(...(await stopAddress(tx, d, report, now)));
    }

    await tx
      .update(deliveries)
      .set({
        status,
        trace: sql`${deliveries.trace} || ${JSON.stringify(steps)}::jsonb`,
        ...(status !== d.status ? { error: report.detail, deliveredAt: null } : {}),
      })
      .where(eq(deliveries.id, d.id));
    return { outcome: "applied", deliveryId: d.id, status };
  });
}

/** What a permanent failure does to the address: unsubscribe a visitor, mark a tenant's recipient. */
async function stopAddress(
  tx: Tx,
  d: Delivery,
  report: ProviderReport,
  now: Date,
): Promise<TraceStep[]> {
  if (d.recipientType === "subscriber" && d.recipientId) {
    // Every subscription of this address goes: the address, not one filter set, is what bounced.
    const removed = await tx
      .delete(publicSubscribers)
      .where(
        or(
          eq(publicSubscribers.id, d.recipientId),
          d.channel === "email"
            ? and(
                eq(publicSubscribers.kind, "email"),
                eq(publicSubscribers.email, d.destination.toLowerCase()),
              )
            : undefined,
        ),
      )
      .returning({ id: publicSubscribers.id });
    if (removed.length === 0) return [];
    await recordAudit(
      tx,
      { actor: SYSTEM_ACTOR, org: { id: d.orgId } },
      {
        action: "subscriber.removed",
        targetType: "public_subscriber",
        targetId: d.recipientId,
        data: {
          reason: report.detail,
          event: report.type,
          deliveryId: d.id,
          subscriberIds: removed.map((r) => r.id),
        },
      },
    );
    const steps: TraceStep[] = [
      {
        step: "subscriber",
        outcome: "info",
        detail: `Unsubscribed ${d.destination}: ${report.kind === "complained" ? "the recipient reported the email as spam" : "the address cannot receive mail"}`,
      },
    ];
    return steps;
  }

  if (d.recipientType === "recipient" && (d.channel === "email" || d.channel === "sms")) {
    // Matched by address, not by id: saving the recipient list re-creates its rows, and the
    // same address may be listed for several role groups.
    const marked = await tx
      .update(alertRecipients)
      .set({ undeliverableAt: now, undeliverableReason: report.detail })
      .where(
        and(
          sameRecipientAddress(d.orgId, d.channel, d.destination),
          isNull(alertRecipients.undeliverableAt),
        ),
      )
      .returning({ id: alertRecipients.id, address: alertRecipients.address });
    // Already marked: the admins were told the first time.
    if (marked.length === 0) return [];
    await recordAudit(
      tx,
      { actor: SYSTEM_ACTOR, org: { id: d.orgId } },
      {
        action: "recipient.undeliverable",
        targetType: "alert_recipient",
        targetId: marked[0]!.id,
        data: {
          address: d.destination,
          reason: report.detail,
          event: report.type,
          deliveryId: d.id,
        },
      },
    );
    // Told like any user-level warning: in-app, and by email/SMS to admins who opted in.
    const what = d.channel === "email" ? "Email" : "SMS";
    await warnOrgAdmins(tx, {
      orgId: d.orgId,
      title: `${what} alerts to ${d.destination} are not getting through`,
      message: `${PROVIDER_LABEL[report.provider]} reported: ${report.detail}. Alerts are no longer sent to it. Remove the recipient in Alerts & Notifications, or clear the mark once the address is fixed.`,
      url: "/portal/alerts",
      data: { recipientId: marked[0]!.id, deliveryId: d.id },
    });
    const steps: TraceStep[] = [
      {
        step: "recipient",
        outcome: "info",
        detail: `${d.destination} marked as undeliverable in Alerts & Notifications; the organization's admins were told`,
      },
    ];
    return steps;
  }
  return [];
}

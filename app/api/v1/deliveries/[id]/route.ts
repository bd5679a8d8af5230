import { apiRoute } from "@/app/_server/api";
import { getDelivery } from "@/lib/alerts/deliveries";
import { deliveryStateLabel } from "@/lib/labels";

export const GET = apiRoute<{ id: string }>(async ({ ctx, params }) => {
  const d = await getDelivery({ ctx, input: { id: params.id } });
  return {
    id: d.id,
    channel: d.channel,
    destination: d.destination,
    status: d.status,
    /** "retrying" for a pending delivery already tried; otherwise the status. */
    state: deliveryStateLabel(d),
    /** Why it is where it is: "skipped: endpoint disabled on … (410 Gone)", "… retrying at …". */
    reason: d.reason,
    attempts: d.attemptLog.map((a) => ({
      attempt: a.attempt,
      startedAt: a.startedAt,
      responseCode: a.responseCode,
      durationMs: a.durationMs,
      error: a.error,
      retryAt: a.retryAt,
    })),
    providerId: d.providerId,
    responseCode: d.responseCode,
    error: d.error,
    trace: d.trace,
    runAt: d.runAt,
    createdAt: d.createdAt,
    deliveredAt: d.deliveredAt,
  };
});

import { getSessionCtx } from "@/app/_server/ctx";
import { deliveryLogRow, listDeliveries } from "@/lib/alerts/deliveries";
import { toHttpResponse, UnauthorizedError } from "@/lib/errors";

/**
 * The delivery log of the session's organization, as the portal's log polls it (session auth):
 * the same filters as the page (incident, channel, status, recipient).
 */
export async function GET(req: Request) {
  try {
    const ctx = await getSessionCtx();
    if (!ctx) throw new UnauthorizedError();
    const sp = new URL(req.url).searchParams;
    const one = (k: string) => sp.get(k) || undefined;
    const rows = await listDeliveries({
      ctx,
      input: {
        incidentId: one("incident"),
        channel: one("channel"),
        status: one("status"),
        recipient: one("recipient"),
      },
    });
    return Response.json(
      { rows: rows.map(deliveryLogRow) },
      { headers: { "cache-control": "no-store" } },
    );
  } catch (e) {
    return toHttpResponse(e);
  }
}

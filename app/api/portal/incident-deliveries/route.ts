import { getSessionCtx } from "@/app/_server/ctx";
import { getIncidentDeliveryBreakdown } from "@/lib/alerts/fanout";
import { toHttpResponse, UnauthorizedError } from "@/lib/errors";

/**
 * For platform staff on the incident page: the incident's deliveries by tenant, channel and
 * outcome, and its failed and retrying deliveries (session auth; the verb refuses tenants).
 */
export async function GET(req: Request) {
  try {
    const ctx = await getSessionCtx();
    if (!ctx) throw new UnauthorizedError();
    const incidentId = new URL(req.url).searchParams.get("incident") ?? "";
    return Response.json(await getIncidentDeliveryBreakdown({ ctx, input: { incidentId } }), {
      headers: { "cache-control": "no-store" },
    });
  } catch (e) {
    return toHttpResponse(e);
  }
}

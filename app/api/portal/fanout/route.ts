import { getSessionCtx } from "@/app/_server/ctx";
import { getFanoutProgress } from "@/lib/alerts/fanout";
import { toHttpResponse, UnauthorizedError } from "@/lib/errors";

/** Live fan-out progress of an incident's alerts (delivered / held / failed of total), for the incident page. */
export async function GET(req: Request) {
  try {
    const ctx = await getSessionCtx();
    if (!ctx) throw new UnauthorizedError();
    const incidentId = new URL(req.url).searchParams.get("incident") ?? "";
    return Response.json(await getFanoutProgress({ ctx, input: { incidentId } }), {
      headers: { "cache-control": "no-store" },
    });
  } catch (e) {
    return toHttpResponse(e);
  }
}

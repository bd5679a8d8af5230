import { z } from "zod";
import { getSessionCtx } from "@/app/_server/ctx";
import { getFanoutProgress } from "@/lib/alerts/deliveries";
import { toHttpResponse, UnauthorizedError, ValidationError } from "@/lib/errors";

/** Live fan-out progress of an incident's alerts (delivered / held / failed of total), for the incident page. */
export async function GET(req: Request) {
  try {
    const ctx = await getSessionCtx();
    if (!ctx) throw new UnauthorizedError();
    const incidentId = new URL(req.url).searchParams.get("incident") ?? "";
    if (!z.uuid().safeParse(incidentId).success)
      throw new ValidationError([{ field: "incident", message: "must be an incident id" }]);
    return Response.json(await getFanoutProgress({ ctx, incidentId }), {
      headers: { "cache-control": "no-store" },
    });
  } catch (e) {
    return toHttpResponse(e);
  }
}

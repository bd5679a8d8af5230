import { apiRoute, readJson } from "@/app/_server/api";
import { ValidationError } from "@/lib/errors";
import { postUpdate } from "@/lib/incidents/post-update";
import { reopenIncident } from "@/lib/incidents/reopen-incident";

/**
 * POST: post an update ({ status, message, cells?, notify? }). Reopening a resolved incident is
 * explicit: { "reopen": true, message, status?, cells?, notify? }.
 */
export const POST = apiRoute<{ id: string }>(async ({ ctx, req, params }) => {
  const body = await readJson(req);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError([{ field: "(body)", message: "must be a JSON object" }]);
  }
  const { reopen, ...rest } = body as Record<string, unknown>;
  const input = { ...rest, incidentId: params.id };
  const result =
    reopen === true ? await reopenIncident({ ctx, input }) : await postUpdate({ ctx, input });
  return Response.json(result, { status: 201 });
});

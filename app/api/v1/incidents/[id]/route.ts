import { apiRoute, readJson } from "@/app/_server/api";
import { editIncident } from "@/lib/incidents/edit-incident";
import { getIncidentFor } from "@/lib/incidents/list";
import { publishPostmortem } from "@/lib/incidents/publish-postmortem";
import { ValidationError } from "@/lib/errors";

type P = { id: string };

export const GET = apiRoute<P>(async ({ ctx, params }) => ({
  incident: await getIncidentFor({ ctx, input: { incidentId: params.id } }),
}));

/**
 * PATCH: correct the title or impact, or publish the postmortem ({ "postmortem": "..." }, on a
 * resolved incident). Status changes are updates: POST /api/v1/incidents/{id}/updates.
 */
export const PATCH = apiRoute<P>(async ({ ctx, req, params }) => {
  const body = await readJson(req);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError([{ field: "(body)", message: "must be a JSON object" }]);
  }
  const b = body as Record<string, unknown>;
  if ("status" in b) {
    throw new ValidationError([
      {
        field: "status",
        message: "is changed by posting an update to /api/v1/incidents/{id}/updates",
      },
    ]);
  }
  if ("postmortem" in b) {
    if ("title" in b || "impact" in b) {
      throw new ValidationError([
        { field: "postmortem", message: "must be sent on its own, without title or impact" },
      ]);
    }
    return {
      incident: await publishPostmortem({
        ctx,
        input: { postmortem: b.postmortem, incidentId: params.id },
      }),
    };
  }
  return {
    incident: await editIncident({
      ctx,
      input: { title: b.title, impact: b.impact, incidentId: params.id },
    }),
  };
});

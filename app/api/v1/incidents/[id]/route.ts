import { apiRoute, readJson } from "@/app/_server/api";
import { editIncident } from "@/lib/incidents/edit-incident";
import { getIncidentFor } from "@/lib/incidents/list";
import { publishPostmortem } from "@/lib/incidents/publish-postmortem";
import { backfillIncident } from "@/lib/incidents/backfill-incident";
import { ValidationError } from "@/lib/errors";

type P = { id: string };

export const GET = apiRoute<P>(async ({ ctx, params }) => ({
  incident: await getIncidentFor({ ctx, input: { incidentId: params.id } }),
}));

/**
 * PATCH: correct the title or impact, publish the postmortem ({ "postmortem": "...", "notify"? },
 * on a resolved incident), or back-fill a resolved incident's real times ({ "startedAt"?,
 * "resolvedAt"? }). Status changes are updates: POST /api/v1/incidents/{id}/updates.
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
        input: { postmortem: b.postmortem, notify: b.notify, incidentId: params.id },
      }),
    };
  }
  if ("startedAt" in b || "resolvedAt" in b) {
    if ("title" in b || "impact" in b) {
      throw new ValidationError([
        {
          field: "startedAt" in b ? "startedAt" : "resolvedAt",
          message: "must be sent without title or impact",
        },
      ]);
    }
    return {
      incident: await backfillIncident({
        ctx,
        input: { startedAt: b.startedAt, resolvedAt: b.resolvedAt, incidentId: params.id },
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

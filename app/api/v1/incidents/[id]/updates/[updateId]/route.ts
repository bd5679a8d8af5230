import { apiRoute, readJson } from "@/app/_server/api";
import { ValidationError } from "@/lib/errors";
import { editIncidentUpdate } from "@/lib/incidents/edit-update";

/**
 * PATCH: correct an update's message ({ message }). The original stays in the audit log; the
 * page marks the update edited; nobody is notified again.
 */
export const PATCH = apiRoute<{ id: string; updateId: string }>(async ({ ctx, req, params }) => {
  const body = await readJson(req);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError([{ field: "(body)", message: "must be a JSON object" }]);
  }
  const { message } = body as Record<string, unknown>;
  return {
    update: await editIncidentUpdate({
      ctx,
      input: { message, incidentId: params.id, updateId: params.updateId },
    }),
  };
});

import { apiRoute } from "@/app/_server/api";
import { listIncidentTemplates } from "@/lib/incidents/templates";

/** GET: the incident templates to open an incident from (`templateId` in POST /api/v1/incidents). */
export const GET = apiRoute(async ({ ctx }) => ({
  templates: await listIncidentTemplates({ ctx }),
}));

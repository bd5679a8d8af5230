import { apiRoute, readJson } from "@/app/_server/api";
import { listIncidentsFor } from "@/lib/incidents/list";
import { openIncident } from "@/lib/incidents/open-incident";

/** GET: incidents this key's organization may see, newest first (?limit=, ?before=). */
export const GET = apiRoute(async ({ ctx, req }) => {
  const q = new URL(req.url).searchParams;
  return { incidents: await listIncidentsFor({ ctx, input: Object.fromEntries(q) }) };
});

/** POST: open an incident (incidents:write). */
export const POST = apiRoute(async ({ ctx, req }) =>
  Response.json(await openIncident({ ctx, input: await readJson(req) }), { status: 201 }),
);

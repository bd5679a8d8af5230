import { apiRoute, readJson } from "@/app/_server/api";
import { listTickets, raiseTicket } from "@/lib/support/tickets";

/** GET: a tenant's own tickets; for a platform support key, the queue of every tenant's. */
export const GET = apiRoute(async ({ ctx, req }) => ({
  tickets: await listTickets({ ctx, input: Object.fromEntries(new URL(req.url).searchParams) }),
}));

/**
 * POST: raise a Tier 1 ticket ({ subject, description, severity, incidentId?, deliveryId?,
 * channels?, observedAt?, observedTimeZone? }); a deliveryId fills in the incident, channel and time.
 */
export const POST = apiRoute(async ({ ctx, req }) =>
  Response.json(await raiseTicket({ ctx, input: await readJson(req) }), { status: 201 }),
);

import { apiRoute, readJson } from "@/app/_server/api";
import { getTicket, updateTicket } from "@/lib/support/tickets";

/** GET: one ticket with its timeline (a tenant sees its own, without support's internal notes). */
export const GET = apiRoute<{ id: string }>(async ({ ctx, params }) =>
  getTicket({ ctx, input: { id: params.id } }),
);

/** PATCH: platform support sets the status ({ status }) or the assignee ({ assigneeId | null }). */
export const PATCH = apiRoute<{ id: string }>(async ({ ctx, req, params }) => {
  const body = await readJson(req);
  await updateTicket({ ctx, input: { ...(body as object), id: params.id } });
  return getTicket({ ctx, input: { id: params.id } });
});

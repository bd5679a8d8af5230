import { apiRoute, readJson } from "@/app/_server/api";
import { replyToTicket } from "@/lib/support/tickets";

/** POST: a reply on the ticket ({ body }); platform support may write an internal note ({ internal: true }). */
export const POST = apiRoute<{ id: string }>(async ({ ctx, req, params }) => {
  const body = await readJson(req);
  await replyToTicket({ ctx, input: { ...(body as object), id: params.id } });
  return new Response(null, { status: 204 });
});

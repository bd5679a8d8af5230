import { getSessionCtx } from "@/app/_server/ctx";
import { inboxView } from "@/lib/alerts/inbox";
import { toHttpResponse, UnauthorizedError } from "@/lib/errors";

/**
 * The signed-in member's inbox in the session organization (session auth): the unread count and
 * the newest items, polled by the inbox indicator beside the navigation and by the inbox page.
 */
export async function GET() {
  try {
    const ctx = await getSessionCtx();
    if (!ctx) throw new UnauthorizedError();
    return Response.json(await inboxView({ ctx }), { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return toHttpResponse(e);
  }
}

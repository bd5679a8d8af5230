import { getSessionCtx } from "@/app/_server/ctx";
import { listInbox, unreadCount } from "@/lib/alerts/inbox";
import { toHttpResponse, UnauthorizedError } from "@/lib/errors";

/** Unread count and the newest item, polled by the portal's inbox indicator (session auth). */
export async function GET() {
  try {
    const ctx = await getSessionCtx();
    if (!ctx) throw new UnauthorizedError();
    const [unread, [latest]] = await Promise.all([
      unreadCount({ ctx }),
      listInbox({ ctx, input: { limit: 1 } }),
    ]);
    return Response.json(
      {
        unread,
        latest: latest
          ? { id: latest.id, title: latest.title, url: latest.url, createdAt: latest.createdAt }
          : null,
      },
      { headers: { "cache-control": "no-store" } },
    );
  } catch (e) {
    return toHttpResponse(e);
  }
}

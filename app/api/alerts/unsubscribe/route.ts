import { getDb } from "@/server/database";
import { unsubscribeRecipient } from "@/lib/alerts/unsubscribe";
import { escapeHtml } from "@/lib/alerts/render";
import { NotFoundError } from "@/lib/errors";

const page = (body: string, status = 200) =>
  new Response(
    `<!doctype html><html><head><meta charset="utf-8"><title>Unsubscribe</title></head><body style="font-family:system-ui;max-width:32rem;margin:4rem auto">${body}</body></html>`,
    {
      status,
      headers: { "content-type": "text/html; charset=utf-8" },
    },
  );

/** A GET only asks (mail scanners follow links); the unsubscribe itself is a POST. */
export async function GET(req: Request) {
  const token = new URL(req.url).searchParams.get("token") ?? "";
  return page(
    `<h1>Stop these alerts?</h1><form method="post"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit">Unsubscribe</button></form>`,
  );
}

/** RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the URL with the token. */
export async function POST(req: Request) {
  const url = new URL(req.url);
  let token = url.searchParams.get("token");
  if (!token) {
    const form = await req.formData().catch(() => null);
    token = form?.get("token")?.toString() ?? null;
  }
  try {
    const { address } = await unsubscribeRecipient(await getDb(), token ?? "");
    return page(
      `<h1>Unsubscribed</h1><p>${escapeHtml(address)} will no longer receive these alerts.</p>`,
    );
  } catch (e) {
    if (e instanceof NotFoundError)
      return page(
        "<h1>Link not valid</h1><p>This address is already unsubscribed, or the link is wrong.</p>",
        404,
      );
    throw e;
  }
}

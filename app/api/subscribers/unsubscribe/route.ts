import { getDb } from "@/server/database";
import { escapeHtml } from "@/lib/alerts/render";
import { NotFoundError } from "@/lib/errors";
import { unsubscribe } from "@/lib/subscribers/subscribe";

const page = (body: string, status = 200) =>
  new Response(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Unsubscribe from status updates</title></head><body style="font-family:system-ui;max-width:32rem;margin:4rem auto;padding:0 1rem">${body}<p><a href="/">Back to the status page</a></p></body></html>`,
    { status, headers: { "content-type": "text/html; charset=utf-8" } },
  );

/** A GET only asks (mail scanners follow links); the unsubscribe itself is a POST. */
export async function GET(req: Request) {
  const token = new URL(req.url).searchParams.get("token") ?? "";
  return page(
    `<h1>Stop status updates?</h1><p>You will no longer receive public incident and maintenance updates.</p><form method="post"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit">Unsubscribe</button></form>`,
  );
}

/** RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the URL with the token. */
export async function POST(req: Request) {
  let token = new URL(req.url).searchParams.get("token");
  if (!token) {
    const form = await req.formData().catch(() => null);
    token = form?.get("token")?.toString() ?? null;
  }
  try {
    const { destination } = await unsubscribe(await getDb(), token ?? "");
    return page(
      `<h1>Unsubscribed</h1><p>${escapeHtml(destination)} will no longer receive status updates.</p>`,
    );
  } catch (e) {
    if (e instanceof NotFoundError)
      return page(
        "<h1>Link not valid</h1><p>This subscription was already removed, or the link is wrong.</p>",
        404,
      );
    throw e;
  }
}

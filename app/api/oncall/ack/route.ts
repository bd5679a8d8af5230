import { escapeHtml } from "@/lib/channels/message";
import { PayloadTooLargeError, readBoundedForm } from "@/lib/body";
import { ConflictError, NotFoundError, toHttpResponse } from "@/lib/errors";
import { acknowledgeByToken, describeAckLink } from "@/lib/oncall/acknowledge";
import { getDb } from "@/server/database";

/**
 * The one-click Acknowledge link in every on-call page. No sign-in: the signed, single-use,
 * expiring token is the credential. A GET only asks (mail and chat link scanners follow links);
 * the button POSTs, and that acknowledges.
 */
const page = (body: string, status = 200) =>
  new Response(
    `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Acknowledge page</title></head><body style="font-family:system-ui;max-width:32rem;margin:4rem auto;padding:0 1rem">${body}</body></html>`,
    {
      status,
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    },
  );

const INVALID = `<h1>Link not valid</h1><p>This acknowledge link is not one Beacon sent, or it was altered. Acknowledge from the console instead.</p>`;

export async function GET(req: Request) {
  const token = new URL(req.url).searchParams.get("token") ?? "";
  const link = await describeAckLink(await getDb(), token);
  if (!link) return page(INVALID, 404);
  const what = `<p><strong>${escapeHtml(link.title)}</strong></p><p>${escapeHtml(link.policyName)}, tier ${link.tier}${link.round > 1 ? `, round ${link.round}` : ""}</p>`;
  if (link.used)
    return page(`<h1>Already used</h1>${what}<p>This link has already been used.</p>`, 409);
  if (link.expired)
    return page(`<h1>Link expired</h1>${what}<p>Acknowledge from the console instead.</p>`, 409);
  if (link.ended)
    return page(`<h1>Nothing to acknowledge</h1>${what}<p>${escapeHtml(link.ended)}.</p>`);
  return page(
    `<h1>Acknowledge this page?</h1>${what}<p>Acknowledging stops the escalation: nobody else will be paged.</p><form method="post"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit">Acknowledge</button></form>`,
  );
}

export async function POST(req: Request) {
  let token = new URL(req.url).searchParams.get("token");
  if (!token) {
    // Anyone can post here: the body is read to a bounded size (413 past it).
    let form: FormData | null;
    try {
      form = await readBoundedForm(req);
    } catch (e) {
      if (e instanceof PayloadTooLargeError) return toHttpResponse(e);
      form = null;
    }
    token = form?.get("token")?.toString() ?? null;
  }
  try {
    const res = await acknowledgeByToken({ db: await getDb(), input: { token: token ?? "" } });
    return page(
      res.acknowledged
        ? `<h1>Acknowledged</h1><p><strong>${escapeHtml(res.title)}</strong></p><p>Nobody else will be paged.</p>`
        : `<h1>Nothing to acknowledge</h1><p><strong>${escapeHtml(res.title)}</strong></p><p>${escapeHtml(res.already ?? "")}.</p>`,
    );
  } catch (e) {
    if (e instanceof NotFoundError) return page(INVALID, 404);
    if (e instanceof ConflictError)
      return page(`<h1>Not acknowledged</h1><p>${escapeHtml(e.message)}.</p>`, 409);
    throw e;
  }
}

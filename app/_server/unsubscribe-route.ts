import type { Db } from "@/db";
import { escapeHtml } from "@/lib/channels/message";
import { PayloadTooLargeError, readBoundedForm } from "@/lib/body";
import { NotFoundError, toHttpResponse } from "@/lib/errors";
import { getDb } from "@/server/database";

/**
 * The route handlers of a one-click unsubscribe link (RFC 8058), for the two kinds of address
 * that get one: a tenant's extra recipients and public status subscribers. A GET only asks (mail
 * scanners follow links); the unsubscribe itself is a POST, with the token in the query (mail
 * clients POST "List-Unsubscribe=One-Click" to the URL) or in the form.
 */
export function unsubscribeRoute(opts: {
  /** The whole HTML document around a page's body. */
  document: (body: string) => string;
  /** What the GET page asks, above the button. */
  question: string;
  /** Removes the address the token names; throws NotFoundError for a bad or spent token. */
  unsubscribe: (db: Db, token: string) => Promise<string>;
  /** What the address will no longer receive, e.g. "these alerts". */
  stops: string;
  /** Why a link may not work, under "Link not valid". */
  invalid: string;
}) {
  const page = (body: string, status = 200) =>
    new Response(opts.document(body), {
      status,
      headers: { "content-type": "text/html; charset=utf-8" },
    });

  async function GET(req: Request) {
    const token = new URL(req.url).searchParams.get("token") ?? "";
    return page(
      `${opts.question}<form method="post"><input type="hidden" name="token" value="${escapeHtml(token)}"><button type="submit">Unsubscribe</button></form>`,
    );
  }

  async function POST(req: Request) {
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
      const address = await opts.unsubscribe(await getDb(), token ?? "");
      return page(
        `<h1>Unsubscribed</h1><p>${escapeHtml(address)} will no longer receive ${opts.stops}.</p>`,
      );
    } catch (e) {
      if (e instanceof NotFoundError)
        return page(`<h1>Link not valid</h1><p>${opts.invalid}</p>`, 404);
      throw e;
    }
  }

  return { GET, POST };
}

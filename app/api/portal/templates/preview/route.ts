import { getSessionCtx } from "@/app/_server/ctx";
import { readJson } from "@/app/_server/api";
import { previewTemplate } from "@/lib/alerts/templates";
import { toHttpResponse, UnauthorizedError } from "@/lib/errors";

/**
 * The templates page's live preview (session auth): renders a draft template on a sample alert
 * and answers the text, escaped for its channel, or each field's line and reason. Writes nothing.
 * A route rather than a server action: a preview per pause in typing must not queue behind (or
 * hold up) the page's Save.
 */
export async function POST(req: Request) {
  try {
    const ctx = await getSessionCtx();
    if (!ctx) throw new UnauthorizedError();
    const result = await previewTemplate({ ctx, input: await readJson(req) });
    return Response.json(result, { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return toHttpResponse(e);
  }
}

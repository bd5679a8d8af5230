import { getSessionCtx } from "@/app/_server/ctx";
import { readLogoUpload } from "@/app/_server/logo-upload";
import { requirePermission } from "@/lib/context";
import { toHttpResponse, UnauthorizedError } from "@/lib/errors";
import { setStatusPageLogo } from "@/lib/status/settings";

/**
 * The portal's logo upload (session auth, a multipart form with a `logo` file). A route handler
 * rather than a server action, so the body limit is the logo's own, not every form's.
 */
export async function POST(req: Request) {
  try {
    const ctx = await getSessionCtx();
    if (!ctx) throw new UnauthorizedError();
    requirePermission(ctx, "status_page:manage");
    const settings = await setStatusPageLogo({ ctx, input: { logo: await readLogoUpload(req) } });
    return Response.json(settings, { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return toHttpResponse(e);
  }
}

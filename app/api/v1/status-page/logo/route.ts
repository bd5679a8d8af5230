import { apiRoute } from "@/app/_server/api";
import { readLogoUpload } from "@/app/_server/logo-upload";
import { requirePermission } from "@/lib/context";
import { removeStatusPageLogo, setStatusPageLogo } from "@/lib/status/settings";

/** The image as the body (`Content-Type: image/png`), or a multipart form with a `logo` file. */
export const PUT = apiRoute(async ({ ctx, req }) => {
  // Before the body is read: nobody without the permission gets to upload anything.
  requirePermission(ctx, "status_page:manage");
  return setStatusPageLogo({ ctx, input: { logo: await readLogoUpload(req) } });
});
export const DELETE = apiRoute(({ ctx }) => removeStatusPageLogo({ ctx }));

import "server-only";
import { PayloadTooLargeError, readBoundedBody, readBoundedForm } from "@/lib/body";
import { ValidationError } from "@/lib/errors";
import { LOGO_MAX_BYTES } from "@/lib/status/settings";

/** Room for a multipart body's boundaries and part headers around the file itself. */
const MULTIPART_OVERHEAD = 16 * 1024;

/**
 * The uploaded logo's bytes: the `logo` file of a multipart form, or the whole body otherwise
 * (`Content-Type: image/png` and the like). The body is read to a bound, so nobody can make the
 * server buffer more than a logo's worth; the verb checks the exact size and the type.
 */
export async function readLogoUpload(req: Request): Promise<Uint8Array> {
  const multipart = (req.headers.get("content-type") ?? "").startsWith("multipart/form-data");
  try {
    if (!multipart) return await readBoundedBody(req, LOGO_MAX_BYTES);
    const form = await readBoundedForm(req, LOGO_MAX_BYTES + MULTIPART_OVERHEAD);
    const file = form.get("logo");
    if (!(file instanceof Blob) || file.size === 0)
      throw new ValidationError([{ field: "logo", message: "must be an uploaded image file" }]);
    return new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    if (e instanceof PayloadTooLargeError)
      throw new PayloadTooLargeError(`logo: must be at most ${LOGO_MAX_BYTES / 1024} KB`);
    if (e instanceof TypeError)
      throw new ValidationError([{ field: "logo", message: "must be sent as a multipart form" }]);
    throw e;
  }
}

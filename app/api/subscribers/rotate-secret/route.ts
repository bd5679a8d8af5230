import { getDb } from "@/server/database";
import { clientAddressOf } from "@/app/_server/client-address";
import { toHttpResponse, UnauthorizedError } from "@/lib/errors";
import { rotateOwnSecret } from "@/lib/subscribers/rotate-secret";

/**
 * A webhook subscriber rotates its signing secret: `Authorization: Bearer bsm_…` (the management
 * token shown once at subscribe time). Answers the new secret once; the old one keeps signing for
 * 24 hours. A bearer header, not a cookie, so a cross-site form cannot trigger it.
 */
export async function POST(req: Request) {
  try {
    const auth = req.headers.get("authorization") ?? "";
    if (!/^bearer\s+/i.test(auth))
      throw new UnauthorizedError(
        "Send the management token in the Authorization header: Bearer bsm_…",
      );
    const out = await rotateOwnSecret(await getDb(), {
      input: { token: auth.replace(/^bearer\s+/i, "") },
      clientAddress: clientAddressOf(req.headers),
    });
    return Response.json(out, { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return toHttpResponse(e);
  }
}

import { getDb } from "@/server/database";
import { clientAddressOf } from "@/app/_server/client-address";
import { channelSettingsFromEnv } from "@/lib/channels/settings";
import { toHttpResponse, UnauthorizedError } from "@/lib/errors";
import { verifyOwnWebhook } from "@/lib/subscribers/verify";

/**
 * A webhook subscriber asks Beacon to challenge its URL again: `Authorization: Bearer bsm_…` (the
 * management token shown once at subscribe time). 200 `{ verified: true, … }` once the URL echoed
 * the challenge; 422 naming `url` and why when it did not (timed out, wrong answer, HTTP status,
 * destination not allowed). A bearer header, not a cookie, so a cross-site form cannot trigger it.
 */
export async function POST(req: Request) {
  try {
    const auth = req.headers.get("authorization") ?? "";
    if (!/^bearer\s+/i.test(auth))
      throw new UnauthorizedError(
        "Send the management token in the Authorization header: Bearer bsm_…",
      );
    const out = await verifyOwnWebhook(
      await getDb(),
      {
        input: { token: auth.replace(/^bearer\s+/i, "") },
        clientAddress: clientAddressOf(req.headers),
      },
      { settings: channelSettingsFromEnv() },
    );
    return Response.json(out, { headers: { "cache-control": "no-store" } });
  } catch (e) {
    return toHttpResponse(e);
  }
}

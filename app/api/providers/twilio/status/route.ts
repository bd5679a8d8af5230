import { getDb } from "@/server/database";
import { channelSettingsFromEnv } from "@/lib/channels/settings";
import { toHttpResponse } from "@/lib/errors";
import { readCallbackBody } from "@/lib/providers/body";
import { handleTwilioStatus } from "@/lib/providers/callbacks";

/**
 * Twilio's message status callbacks. No session: X-Twilio-Signature is the authentication, checked
 * against the callback URL built from APP_URL, never from this request's Host.
 */
export async function POST(req: Request) {
  try {
    const settings = channelSettingsFromEnv();
    const body = await readCallbackBody(req);
    const result = await handleTwilioStatus(
      await getDb(),
      {
        body,
        contentType: req.headers.get("content-type"),
        signature: req.headers.get("x-twilio-signature"),
      },
      { twilio: settings.twilio, appUrl: settings.appUrl },
    );
    return Response.json(result);
  } catch (e) {
    return toHttpResponse(e);
  }
}

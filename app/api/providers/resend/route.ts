import { getDb } from "@/server/database";
import { channelSettingsFromEnv } from "@/lib/channels/settings";
import { toHttpResponse } from "@/lib/errors";
import { readCallbackBody } from "@/lib/providers/body";
import { handleResendWebhook } from "@/lib/providers/callbacks";

/** Resend's delivery webhooks (bounces, complaints, ...). No session: the Svix signature is the authentication. */
export async function POST(req: Request) {
  try {
    const body = await readCallbackBody(req);
    const result = await handleResendWebhook(
      await getDb(),
      { body, headers: req.headers },
      { secret: channelSettingsFromEnv().email.webhookSecret },
    );
    return Response.json(result);
  } catch (e) {
    return toHttpResponse(e);
  }
}

import { z } from "zod";
import { storeInDevMailbox } from "./dev-mailbox";
import { DeliveryError, httpFailure } from "./errors";
import { statusCallbackFor } from "@/lib/providers/twilio";
import { composeSms } from "./sms-text";
import { defineAdapter, providerKey } from "./types";

async function readJson(
  res: Response,
): Promise<{ text: string; json: Record<string, unknown> | null }> {
  const text = await res.text().catch(() => "");
  try {
    return { text, json: JSON.parse(text) as Record<string, unknown> };
  } catch {
    return { text, json: null };
  }
}

async function call(provider: string, url: string, init: RequestInit) {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    throw new DeliveryError(`${provider} unreachable: ${(e as Error).message}`);
  }
}

export const smsAdapter = defineAdapter({
  type: "sms",
  configSchema: z.object({
    to: z.string().regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 phone number"),
  }),
  async send({ db, delivery, config, message, settings }) {
    const body = composeSms(message);
    const category = message.items[0]!.payload.category;
    if (settings.twilio) {
      const t = settings.twilio;
      const form = new URLSearchParams({ To: config.to, Body: body });
      // Twilio reports delivered / undelivered / failed there (app/api/providers/twilio/status).
      const callback = statusCallbackFor(settings.appUrl);
      if (callback) form.set("StatusCallback", callback);
      form.set(t.from.startsWith("MG") ? "MessagingServiceSid" : "From", t.from);
      const res = await call(
        "Twilio",
        `${t.baseUrl.replace(/\/$/, "")}/2010-04-01/Accounts/${t.accountSid}/Messages.json`,
        {
          method: "POST",
          headers: {
            authorization: `Basic ${Buffer.from(`${t.accountSid}:${t.authToken}`).toString("base64")}`,
            "content-type": "application/x-www-form-urlencoded",
            // Twilio de-duplicates retried requests carrying the same key.
            "I-Twilio-Idempotency-Token": providerKey(delivery, 64),
          },
          body: form.toString(),
        },
      );
      const { text, json } = await readJson(res);
      if (!res.ok)
        throw httpFailure(
          "Twilio",
          res.status,
          json?.message ? String(json.message) : text,
          res.headers.get("retry-after"),
        );
      return { providerId: json?.sid ? String(json.sid) : null, responseCode: res.status };
    }
    if (settings.smsGateway) {
      const g = settings.smsGateway;
      const templateId = g.dltTemplateIds[category];
      const res = await call("SMS gateway", g.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "idempotency-key": providerKey(delivery),
          ...(g.token ? { authorization: `Bearer ${g.token}` } : {}),
        },
        body: JSON.stringify({
          to: config.to,
          message: body,
          sender: g.senderId ?? null,
          dlt_entity_id: g.dltEntityId ?? null,
          dlt_template_id: templateId ?? null,
          reference: delivery.id,
        }),
      });
      const { text, json } = await readJson(res);
      if (!res.ok)
        throw httpFailure("SMS gateway", res.status, text, res.headers.get("retry-after"));
      const id = json?.id ?? json?.message_id ?? json?.messageId;
      return { providerId: id ? String(id) : null, responseCode: res.status };
    }
    if (!settings.devMailbox) {
      throw new DeliveryError("SMS is not configured: set TWILIO_* or SMS_GATEWAY_URL", {
        permanent: true,
      });
    }
    const id = await storeInDevMailbox(db, {
      orgId: delivery.orgId,
      channel: "sms",
      to: config.to,
      from: settings.smsGateway ? "gateway" : "SMS",
      subject: `SMS (${body.length} chars)`,
      text: body,
      idempotencyKey: delivery.idempotencyKey,
    });
    return { providerId: `devmail:${id}`, responseCode: null };
  },
});

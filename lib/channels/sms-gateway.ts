import type { AlertCategory } from "@/db/schema";
import { callProvider, httpFailure, readJson } from "./errors";
import type { ChannelSettings } from "./settings";

/**
 * A generic HTTP SMS gateway (SMS_GATEWAY_URL), e.g. an Indian aggregator that needs the DLT
 * entity and template ids with every message. It posts no delivery callbacks.
 */
export async function sendWithSmsGateway(
  g: NonNullable<ChannelSettings["smsGateway"]>,
  sms: { to: string; body: string; category: AlertCategory; reference: string },
  idempotencyKey: string,
): Promise<{ providerId: string | null; responseCode: number }> {
  const templateId = g.dltTemplateIds[sms.category];
  const res = await callProvider("SMS gateway", g.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "idempotency-key": idempotencyKey,
      ...(g.token ? { authorization: `Bearer ${g.token}` } : {}),
    },
    body: JSON.stringify({
      to: sms.to,
      message: sms.body,
      sender: g.senderId ?? null,
      dlt_entity_id: g.dltEntityId ?? null,
      dlt_template_id: templateId ?? null,
      reference: sms.reference,
    }),
  });
  const { text, json } = await readJson(res);
  if (!res.ok) throw httpFailure("SMS gateway", res.status, text, res.headers.get("retry-after"));
  const id = json?.id ?? json?.message_id ?? json?.messageId;
  return { providerId: id ? String(id) : null, responseCode: res.status };
}

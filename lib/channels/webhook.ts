import { Webhook } from "standardwebhooks";
import { z } from "zod";
import { itemUrl, type AlertItem } from "@/lib/alerts/render";
import { postToDestination } from "./net";
import { defineAdapter } from "./types";

/** Bumped only for breaking changes to the event body; documented in docs/webhooks.md. */
export const WEBHOOK_EVENT_VERSION = "2026-11-01";

export function webhookEvent(item: AlertItem, appUrl: string, now: Date) {
  const p = item.payload;
  return {
    type: item.kind,
    version: WEBHOOK_EVENT_VERSION,
    timestamp: now.toISOString(),
    data: {
      title: p.title,
      category: p.category,
      impact: p.impact,
      status: p.status ?? null,
      message: p.message ?? null,
      url: itemUrl(item, appUrl),
      incident_id: p.incidentId ?? null,
      update_id: p.updateId ?? null,
      maintenance_id: p.maintenanceId ?? null,
      component_ids: p.componentIds,
      region_ids: p.regionIds,
      topic: p.topic ?? null,
      test: item.kind === "alert.test",
      occurred_at: item.createdAt.toISOString(),
    },
  };
}

/**
 * Standard Webhooks signature header. During a secret rotation both secrets sign, space-separated,
 * so a receiver holding either one verifies the message.
 */
export function signatureHeader(secrets: string[], msgId: string, at: Date, body: string): string {
  return secrets.map((s) => new Webhook(s).sign(msgId, at, body)).join(" ");
}

export const webhookAdapter = defineAdapter({
  type: "webhook",
  configSchema: z.object({
    url: z.url(),
    secrets: z.array(z.string().startsWith("whsec_")).min(1),
  }),
  async send({ delivery, config, message, settings, now }) {
    const body = JSON.stringify(webhookEvent(message.items[0]!, settings.appUrl, now));
    // The delivery id is the message id on every attempt, so receivers can de-duplicate retries.
    const msgId = `msg_${delivery.id.replace(/-/g, "")}`;
    const res = await postToDestination(
      "Webhook endpoint",
      config.url,
      {
        body,
        headers: {
          "content-type": "application/json",
          "user-agent": "Beacon-Webhooks/1",
          "webhook-id": msgId,
          "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
          "webhook-signature": signatureHeader(config.secrets, msgId, now, body),
        },
      },
      settings,
    );
    return { providerId: msgId, responseCode: res.status };
  },
});

import { createHmac } from "node:crypto";
import { z } from "zod";
import { itemUrl, type AlertItem, type AlertMessage } from "./message";
import { WEBHOOK_SECRET_PREFIX } from "@/lib/crypto/webhook-secrets";
import { postToDestination } from "./net";
import { defineAdapter } from "./types";

/** Bumped only for breaking changes to the event body; documented in docs/webhooks.md. */
export const WEBHOOK_EVENT_VERSION = "2026-11-01";

/**
 * The event body. `timestamp` is when the event occurred, as Standard Webhooks defines it (the
 * attempt's time is the `webhook-timestamp` header), so every delivery and retry of one event
 * carries the same body.
 */
export function webhookEvent(item: AlertItem, appUrl: string) {
  const p = item.payload;
  return {
    type: item.kind,
    version: WEBHOOK_EVENT_VERSION,
    timestamp: item.createdAt.toISOString(),
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
 * One Standard Webhooks signature: `v1,` and the base64 HMAC-SHA256, keyed by the secret's
 * base64-decoded bytes, of `{msg id}.{unix seconds}.{body}`. Computed with Node's native HMAC: the
 * standardwebhooks package hashes in JavaScript, five times slower per message, which a
 * 10,000-subscriber fan-out felt. Tests verify every signature with that package.
 */
export function sign(secret: string, msgId: string, at: Date, body: string): string {
  const key = Buffer.from(
    secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret,
    "base64",
  );
  if (key.length === 0) throw new Error("Webhook secret is empty");
  const signed = `${msgId}.${Math.floor(at.getTime() / 1000)}.${body}`;
  return `v1,${createHmac("sha256", key).update(signed).digest("base64")}`;
}

/**
 * Standard Webhooks signature header. During a secret rotation both secrets sign, space-separated,
 * so a receiver holding either one verifies the message.
 */
export function signatureHeader(secrets: string[], msgId: string, at: Date, body: string): string {
  return secrets.map((s) => sign(s, msgId, at, body)).join(" ");
}

/** The headers of one attempt: content type, sender, and the Standard Webhooks id, time and signature. */
export function webhookHeaders(
  secrets: string[],
  msgId: string,
  at: Date,
  body: string,
): Record<string, string> {
  return {
    "content-type": "application/json",
    "user-agent": "Beacon-Webhooks/1",
    "webhook-id": msgId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signatureHeader(secrets, msgId, at, body),
  };
}

/** A message's body, built once for all the endpoints a fan-out sends it to. */
const bodies = new WeakMap<AlertMessage, { appUrl: string; body: string }>();

export function webhookBody(message: AlertMessage, appUrl: string): string {
  const known = bodies.get(message);
  if (known?.appUrl === appUrl) return known.body;
  const body = JSON.stringify(webhookEvent(message.items[0]!, appUrl));
  bodies.set(message, { appUrl, body });
  return body;
}

export const webhookAdapter = defineAdapter({
  type: "webhook",
  configSchema: z.object({
    url: z.url(),
    secrets: z.array(z.string().startsWith(WEBHOOK_SECRET_PREFIX)).min(1),
  }),
  async send({ delivery, config, message, settings, now }) {
    const body = webhookBody(message, settings.appUrl);
    // The delivery id is the message id on every attempt, so receivers can de-duplicate retries.
    const msgId = `msg_${delivery.id.replace(/-/g, "")}`;
    const res = await postToDestination(
      "Webhook endpoint",
      config.url,
      {
        body,
        headers: webhookHeaders(config.secrets, msgId, now, body),
      },
      settings,
    );
    return { providerId: msgId, responseCode: res.status };
  },
});

import { createHash } from "node:crypto";
import { z } from "zod";
import { escapeHtml, itemHeadline, itemUrl } from "./message";
import { storeInDevMailbox } from "./dev-mailbox";
import { DeliveryError } from "./errors";
import { sendBatchWithResend, sendWithResend } from "./resend";
import { defineAdapter, providerKey, type SendContext } from "./types";
import { DEV_MAILBOX_PROVIDER_PREFIX } from "@/lib/labels";

const TENANT_FOOTER =
  "You receive this because of your organisation's Alerts &amp; Notifications settings in Beacon.";

const TENANT_FOOTER_TEXT =
  "You receive this because of your organisation's Alerts & Notifications settings in Beacon.";

const USER_WARNING_REASON =
  "You receive this because you opted in to email for user-level warnings.";

interface FooterConfig {
  unsubscribeUrl: string;
  preferencesUrl?: string;
  publicSubscriber?: boolean;
  userWarning?: boolean;
}

function footer(config: FooterConfig): string {
  if (config.publicSubscriber)
    return `You receive this because you subscribed to status updates. ${
      config.preferencesUrl
        ? `<a href="${escapeHtml(config.preferencesUrl)}">Change what you receive</a> · `
        : ""
    }<a href="${escapeHtml(config.unsubscribeUrl)}">Unsubscribe</a>`;
  if (config.userWarning)
    return `${USER_WARNING_REASON} <a href="${escapeHtml(config.unsubscribeUrl)}">Change this in My notifications</a>`;
  return TENANT_FOOTER;
}

function textBody(message: SendContext<unknown>["message"], config: FooterConfig): string {
  if (message.custom?.channel === "email") return `${message.custom.text}\n\n${TENANT_FOOTER_TEXT}`;
  if (config.publicSubscriber)
    return `${message.text}\n\nYou receive this because you subscribed to status updates.\n${
      config.preferencesUrl ? `Change what you receive: ${config.preferencesUrl}\n` : ""
    }Unsubscribe: ${config.unsubscribeUrl}`;
  if (config.userWarning)
    return `${message.text}\n\n${USER_WARNING_REASON}\nChange this in My notifications: ${config.unsubscribeUrl}`;
  return message.text;
}

function html(
  message: SendContext<unknown>["message"],
  appUrl: string,
  config: FooterConfig,
): string {
  if (message.custom?.channel === "email" && message.custom.html !== undefined) {
    // The tenant's body, sanitized when rendered; Beacon's footer stays.
    return `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#111"><div style="white-space:pre-wrap">${message.custom.html}</div><p style="color:#666;font-size:12px">${TENANT_FOOTER}</p></body></html>`;
  }
  const rows = message.items
    .map((item) => {
      const p = item.payload;
      return `<div style="margin:0 0 16px"><p style="margin:0;font-weight:600">${escapeHtml(itemHeadline(item))}</p>${
        p.status ? `<p style="margin:4px 0">Status: ${escapeHtml(p.status)}</p>` : ""
      }${p.message ? `<p style="margin:4px 0;white-space:pre-wrap">${escapeHtml(p.message)}</p>` : ""}<p style="margin:4px 0"><a href="${escapeHtml(
        itemUrl(item, appUrl),
      )}">${p.ackUrl ? "Acknowledge" : "View details"}</a></p></div>`;
    })
    .join("");
  return `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#111">${rows}<p style="color:#666;font-size:12px">${footer(config)}</p></body></html>`;
}

function subjectOf(message: SendContext<unknown>["message"]): string {
  return (message.custom?.channel === "email" && message.custom.subject) || message.subject;
}

export const emailAdapter = defineAdapter({
  type: "email",
  configSchema: z.object({
    to: z.email(),
    /** One-click unsubscribe URL (RFC 8058) for addresses that are not members, else the settings page. */
    unsubscribeUrl: z.url(),
    /** A public subscriber's page for changing components, regions and maintenance only. */
    preferencesUrl: z.url().optional(),
    oneClick: z.boolean(),
    /** A visitor subscribed on the status page (the footer says so), not a tenant's recipient. */
    publicSubscriber: z.boolean().optional(),
    /** A user-level warning the member opted in to by email (the footer says where to change that). */
    userWarning: z.boolean().optional(),
  }),
  async send({ db, delivery, config, message, settings }) {
    const headers: Record<string, string> = { "List-Unsubscribe": `<${config.unsubscribeUrl}>` };
    if (config.oneClick) headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
    const body = {
      subject: subjectOf(message),
      text: textBody(message, config),
      html: html(message, settings.appUrl, config),
    };
    if (!settings.email.apiKey) {
      if (!settings.devMailbox)
        throw new DeliveryError("Email is not configured: set RESEND_API_KEY", { permanent: true });
      const id = await storeInDevMailbox(db, {
        orgId: delivery.orgId,
        channel: "email",
        to: config.to,
        from: settings.email.from,
        ...body,
        headers,
        idempotencyKey: delivery.idempotencyKey,
      });
      return { providerId: `${DEV_MAILBOX_PROVIDER_PREFIX}${id}`, responseCode: null };
    }
    return sendWithResend(
      settings.email,
      { from: settings.email.from, to: config.to, ...body, headers },
      // The same key on every attempt: Resend sends it at most once even if we retry after a timeout.
      providerKey(delivery, 256),
    );
  },
  batchable: (settings) => Boolean(settings.email.apiKey),
  async sendBatch(ctxs) {
    const settings = ctxs[0]!.settings;
    const payload = ctxs.map(({ config, message }) => {
      const headers: Record<string, string> = { "List-Unsubscribe": `<${config.unsubscribeUrl}>` };
      if (config.oneClick) headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
      return {
        from: settings.email.from,
        to: config.to,
        subject: subjectOf(message),
        text: textBody(message, config),
        html: html(message, settings.appUrl, config),
        headers,
      };
    });
    // The key names exactly these deliveries at these attempts, so a retried request is not sent twice.
    const key = createHash("sha256")
      .update(ctxs.map((c) => `${c.delivery.idempotencyKey}#${c.delivery.attempts}`).join("\n"))
      .digest("hex");
    return sendBatchWithResend(settings.email, payload, `batch-${key}`);
  },
});

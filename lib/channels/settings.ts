import { env } from "@/lib/env";
import type { AlertCategory } from "@/db/schema";
import type { Resolver } from "./net";

/**
 * Everything adapters need from configuration, built once from lib/env.ts. Tests build their own
 * (pointing providers at local fake servers) instead of touching the environment.
 */
export interface ChannelSettings {
  appUrl: string;
  /** Private/loopback/metadata webhook targets allowed (development and tests only). */
  allowPrivate: boolean;
  /** Without a provider, email/SMS land in the dev mailbox (never in production). */
  devMailbox: boolean;
  webhookTimeoutMs: number;
  /** How destination host names are resolved; tests inject one (default: the system resolver). */
  resolver?: Resolver;
  /** webhookSecret verifies Resend's delivery callbacks (lib/channels/resend.ts). */
  email: { apiKey?: string; baseUrl?: string; from: string; webhookSecret?: string };
  twilio?: { accountSid: string; authToken: string; from: string; baseUrl: string };
  smsGateway?: {
    url: string;
    token?: string;
    senderId?: string;
    dltEntityId?: string;
    dltTemplateIds: Partial<Record<AlertCategory, string>>;
  };
}

function parseTemplates(raw: string | undefined): Partial<Record<AlertCategory, string>> {
  if (!raw) return {};
  return Object.fromEntries(
    raw.split(",").map((pair) => pair.split("=") as [AlertCategory, string]),
  );
}

let cached: ChannelSettings | undefined;

export function channelSettingsFromEnv(): ChannelSettings {
  cached ??= {
    appUrl: env.APP_URL.replace(/\/$/, ""),
    allowPrivate: env.ALLOW_PRIVATE_WEBHOOKS,
    devMailbox: env.devMailbox,
    webhookTimeoutMs: 15_000,
    email: {
      apiKey: env.RESEND_API_KEY,
      baseUrl: env.RESEND_BASE_URL,
      from: env.EMAIL_FROM,
      webhookSecret: env.RESEND_WEBHOOK_SECRET,
    },
    twilio:
      env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN && env.TWILIO_FROM
        ? {
            accountSid: env.TWILIO_ACCOUNT_SID,
            authToken: env.TWILIO_AUTH_TOKEN,
            from: env.TWILIO_FROM,
            baseUrl: env.TWILIO_BASE_URL,
          }
        : undefined,
    smsGateway: env.SMS_GATEWAY_URL
      ? {
          url: env.SMS_GATEWAY_URL,
          token: env.SMS_GATEWAY_TOKEN,
          senderId: env.SMS_SENDER_ID,
          dltEntityId: env.SMS_DLT_ENTITY_ID,
          dltTemplateIds: parseTemplates(env.SMS_DLT_TEMPLATE_IDS),
        }
      : undefined,
  };
  return cached;
}

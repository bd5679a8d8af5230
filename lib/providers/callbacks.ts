import type { Db } from "@/db";
import { readResendWebhook } from "@/lib/channels/resend";
import { readTwilioStatus } from "@/lib/channels/twilio";
import { applyProviderReport, ProviderNotConfiguredError, type ReportOutcome } from "./report";

/**
 * What the providers' callback routes do: refuse a callback that cannot be verified because the
 * provider is not configured, let the provider's own file (lib/channels/resend.ts, twilio.ts)
 * verify and read it, and apply what it reports to the delivery it names.
 */

export type ResendWebhookResult = ReportOutcome | { outcome: "ignored"; type: string };

/**
 * A Resend webhook: applies the email events that say what became of a message (delivered,
 * bounced, complained, delayed, failed, suppressed) to the delivery with that email id; other
 * events are acknowledged and ignored.
 */
export async function handleResendWebhook(
  db: Db,
  request: { body: string; headers: Headers },
  deps: { secret: string | undefined; now?: Date },
): Promise<ResendWebhookResult> {
  if (!deps.secret)
    throw new ProviderNotConfiguredError(
      "Resend webhooks are not configured: set RESEND_WEBHOOK_SECRET to the webhook's signing secret",
    );
  const report = readResendWebhook(deps.secret, request);
  if ("outcome" in report) return report;
  return applyProviderReport(db, report, deps.now);
}

export type TwilioStatusResult = ReportOutcome | { outcome: "ignored"; status: string };

/**
 * A Twilio message status callback: applies delivered / undelivered / failed to the delivery with
 * that message sid; intermediate statuses are acknowledged and ignored.
 */
export async function handleTwilioStatus(
  db: Db,
  request: { body: string; contentType: string | null; signature: string | null },
  deps: {
    twilio: { accountSid: string; authToken: string } | undefined;
    appUrl: string;
    now?: Date;
  },
): Promise<TwilioStatusResult> {
  if (!deps.twilio)
    throw new ProviderNotConfiguredError(
      "Twilio is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM",
    );
  const report = readTwilioStatus(deps.twilio, deps.appUrl, request);
  if ("outcome" in report) return report;
  return applyProviderReport(db, report, deps.now);
}

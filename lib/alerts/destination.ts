import { and, eq } from "drizzle-orm";
import type { Db } from "@/db";
import { alertEndpoints, publicSubscribers } from "@/db/schema";
import { decryptSecretForSending } from "@/lib/crypto/secrets";
import { signingSecrets } from "@/lib/crypto/webhook-secrets";
import { DeliveryError } from "@/lib/channels/errors";
import type { ChannelSettings } from "@/lib/channels/settings";
import {
  preferencesUrl as subscriberPreferencesUrl,
  unsubscribeUrl as subscriberUnsubscribeUrl,
} from "@/lib/subscribers/tokens";
import type { AlertItem } from "@/lib/channels/message";
import {
  ENDPOINT_FOR_SEND,
  type ClaimedDelivery,
  type EndpointForSend,
  type PrepCache,
} from "./claim";
import { unsubscribeToken } from "./unsubscribe";

/**
 * Where a claimed delivery goes, as its channel adapter's config: the address with its way out
 * (email), the number (SMS), the member (in-app), or the URL and signing secrets (endpoints and
 * webhook subscribers), re-read at send time so a deleted, disabled or unsubscribed receiver is
 * not sent to. Throws a permanent DeliveryError when there is nowhere to send.
 */
export async function resolveConfig(
  db: Db,
  d: ClaimedDelivery,
  items: AlertItem[],
  settings: ChannelSettings,
  now: Date,
  cache?: PrepCache,
): Promise<unknown> {
  if (d.recipientType === "subscriber") return resolveSubscriber(db, d, settings, now);
  switch (d.channel) {
    case "email":
      if (d.recipientType === "recipient" && d.recipientId)
        return {
          to: d.destination,
          unsubscribeUrl: `${settings.appUrl}/api/alerts/unsubscribe?token=${unsubscribeToken(d.recipientId)}`,
          oneClick: true,
        };
      // The member chose this email themselves; the way out is their own page, not the org's settings.
      if (items.every((i) => i.kind === "user.warning"))
        return {
          to: d.destination,
          unsubscribeUrl: `${settings.appUrl}/portal/profile`,
          oneClick: false,
          userWarning: true,
        };
      return {
        to: d.destination,
        unsubscribeUrl: `${settings.appUrl}/portal/alerts`,
        oneClick: false,
      };
    case "sms":
      return { to: d.destination };
    case "in_app":
      return { userId: d.recipientId };
    default: {
      const fromCache = d.recipientId ? cache?.endpoints.get(d.recipientId) : undefined;
      const [e]: (EndpointForSend | undefined)[] =
        fromCache && fromCache.orgId === d.orgId
          ? [fromCache]
          : await db
              .select(ENDPOINT_FOR_SEND)
              .from(alertEndpoints)
              .where(
                and(
                  eq(alertEndpoints.id, d.recipientId ?? "00000000-0000-0000-0000-000000000000"),
                  eq(alertEndpoints.orgId, d.orgId),
                ),
              );
      if (!e) throw new DeliveryError("The endpoint was deleted", { permanent: true });
      if (!e.enabled)
        throw new DeliveryError(
          `The endpoint is disabled${e.disabledReason ? `: ${e.disabledReason}` : ""}`,
          { permanent: true },
        );
      return { url: decryptSecretForSending(e.urlEncrypted), secrets: signingSecrets(e, now) };
    }
  }
}

/**
 * A public subscriber: re-read so an unsubscribe after planning stops the send. A webhook signs
 * with both secrets while a rotated-out one is still within its overlap, as endpoints do.
 */
async function resolveSubscriber(
  db: Db,
  d: ClaimedDelivery,
  settings: ChannelSettings,
  now: Date,
): Promise<unknown> {
  const [s] = await db
    .select()
    .from(publicSubscribers)
    .where(eq(publicSubscribers.id, d.recipientId ?? "00000000-0000-0000-0000-000000000000"));
  if (!s || !s.confirmedAt)
    throw new DeliveryError("The subscriber has unsubscribed", { permanent: true });
  if (d.channel === "email")
    return {
      to: s.email,
      unsubscribeUrl: subscriberUnsubscribeUrl(settings.appUrl, s.id),
      preferencesUrl: subscriberPreferencesUrl(settings.appUrl, s.id),
      oneClick: true,
      publicSubscriber: true,
    };
  if (!s.urlEncrypted || !s.secretEncrypted)
    throw new DeliveryError("The subscriber has no webhook URL", { permanent: true });
  return { url: decryptSecretForSending(s.urlEncrypted), secrets: signingSecrets(s, now) };
}

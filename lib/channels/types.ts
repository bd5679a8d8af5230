import { createHash } from "node:crypto";
import type { z } from "zod";
import type { Db } from "@/db";
import type { Channel, Delivery, Provider } from "@/db/schema";
import type { AlertMessage } from "./message";
import type { ChannelSettings } from "./settings";

export interface SendContext<Config> {
  db: Db;
  delivery: Pick<Delivery, "id" | "orgId" | "idempotencyKey" | "attempts" | "maxAttempts">;
  config: Config;
  message: AlertMessage;
  settings: ChannelSettings;
  now: Date;
}

export interface SendResult {
  providerId?: string | null;
  responseCode?: number | null;
}

/**
 * One per channel. `configSchema` describes the resolved destination; `send` throws a
 * DeliveryError (lib/channels/errors.ts) on failure and never reports success it did not get.
 */
export interface ChannelAdapter<S extends z.ZodType = z.ZodType> {
  type: Channel;
  configSchema: S;
  send(ctx: SendContext<z.output<S>>): Promise<SendResult>;
  /** Optional: many deliveries in one provider request; results in the same order. */
  sendBatch?(ctxs: SendContext<z.output<S>>[]): Promise<SendResult[]>;
  /** Whether sendBatch applies with these settings (e.g. a provider key is configured). */
  batchable?(settings: ChannelSettings): boolean;
}

/** Types `send`'s config from the adapter's own schema. */
export function defineAdapter<S extends z.ZodType>(adapter: ChannelAdapter<S>): ChannelAdapter<S> {
  return adapter;
}

/**
 * The idempotency key a provider sees for one send of a delivery: the same on every retry, so a
 * provider never sends a retried request twice; new when an admin resends (resending raises
 * maxAttempts, and only resending does), so a provider that remembers keys for a day sends the
 * resent message instead of answering with the first one. A key longer than the provider allows
 * is hashed, never cut: delivery keys share long prefixes (job and organization ids).
 */
export function providerKey(
  d: Pick<Delivery, "idempotencyKey" | "maxAttempts">,
  maxLength = 256,
): string {
  const key = `${d.idempotencyKey}#${d.maxAttempts}`;
  return key.length <= maxLength
    ? key
    : createHash("sha256").update(key).digest("base64url").slice(0, maxLength);
}

/**
 * One thing a provider told us about a message it had accepted, already verified and parsed:
 *
 * delivered   it reached the recipient's mail server or handset (the delivery stays delivered)
 * failed      it never will (a bounce, a carrier failure): the delivery becomes failed
 * delayed     a temporary problem; the provider keeps trying (the trace says so)
 * complained  it arrived, and the recipient marked it as spam
 *
 * `permanent` means the address itself is the problem (a hard bounce, a complaint, an unknown or
 * opted-out number): a public subscriber is unsubscribed, a tenant's extra recipient is marked.
 */
export interface ProviderReport {
  provider: Provider;
  channel: "email" | "sms";
  /** De-duplicates: the same key twice changes nothing the second time. */
  eventKey: string;
  /** The id the provider returned when it accepted the message (deliveries.provider_id). */
  providerId: string;
  kind: "delivered" | "failed" | "delayed" | "complained";
  permanent: boolean;
  /** The provider's name for the event, e.g. "email.bounced" or "undelivered". */
  type: string;
  /** What happened, in words an admin can act on; becomes the delivery's error when it failed. */
  detail: string;
  occurredAt: Date | null;
}

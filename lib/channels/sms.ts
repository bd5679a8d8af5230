import { z } from "zod";
import { storeInDevMailbox } from "./dev-mailbox";
import { DeliveryError } from "./errors";
import { sendWithSmsGateway } from "./sms-gateway";
import { composeSms } from "./sms-text";
import { sendWithTwilio } from "./twilio";
import { defineAdapter, providerKey } from "./types";
import { DEV_MAILBOX_PROVIDER_PREFIX } from "@/lib/labels";

export const smsAdapter = defineAdapter({
  type: "sms",
  configSchema: z.object({
    to: z.string().regex(/^\+[1-9]\d{6,14}$/, "must be an E.164 phone number"),
  }),
  async send({ db, delivery, config, message, settings }) {
    const body = composeSms(message);
    const category = message.items[0]!.payload.category;
    if (settings.twilio)
      return sendWithTwilio(
        settings.twilio,
        { to: config.to, body, appUrl: settings.appUrl },
        providerKey(delivery, 64),
      );
    if (settings.smsGateway)
      return sendWithSmsGateway(
        settings.smsGateway,
        { to: config.to, body, category, reference: delivery.id },
        providerKey(delivery),
      );
    if (!settings.devMailbox) {
      throw new DeliveryError("SMS is not configured: set TWILIO_* or SMS_GATEWAY_URL", {
        permanent: true,
      });
    }
    const id = await storeInDevMailbox(db, {
      orgId: delivery.orgId,
      channel: "sms",
      to: config.to,
      from: "SMS",
      subject: `SMS (${body.length} chars)`,
      text: body,
      idempotencyKey: delivery.idempotencyKey,
    });
    return { providerId: `${DEV_MAILBOX_PROVIDER_PREFIX}${id}`, responseCode: null };
  },
});

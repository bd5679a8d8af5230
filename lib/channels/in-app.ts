import { z } from "zod";
import { inboxItems } from "@/db/schema";
import { itemHeadline } from "./message";
import { defineAdapter } from "./types";

export const inAppAdapter = defineAdapter({
  type: "in_app",
  configSchema: z.object({ userId: z.uuid() }),
  async send({ db, delivery, config, message }) {
    const item = message.items[0]!;
    const [row] = await db
      .insert(inboxItems)
      .values({
        orgId: delivery.orgId,
        userId: config.userId,
        deliveryId: delivery.id,
        title: message.digest ? message.subject : itemHeadline(item),
        body: [
          item.payload.status ? `Status: ${item.payload.status}` : null,
          item.payload.message ?? null,
        ]
          .filter(Boolean)
          .join("\n"),
        url: message.url,
      })
      .onConflictDoNothing()
      .returning({ id: inboxItems.id });
    return { providerId: row ? `inbox:${row.id}` : null, responseCode: null };
  },
});

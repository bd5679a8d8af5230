import { eq } from "drizzle-orm";
import { publicSubscribers, type SubscriberKind } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { withTransaction, type Ctx } from "@/lib/context";
import { NotFoundError, parseInput } from "@/lib/errors";
import { maskEmail, requireSubscriberAdmin } from "./access";
import { SubscriberIdInput } from "./schemas";

/**
 * Platform staff remove a public subscriber (a request by mail, an address that bounces, abuse).
 * Deliveries already planned for it then fail as unsubscribed instead of being sent. The audit
 * row keeps a masked address, so removing someone on request does not keep their address.
 */
export async function removeSubscriber({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<{ channel: SubscriberKind; address: string }> {
  requireSubscriberAdmin(ctx);
  const { id } = parseInput(SubscriberIdInput, input);
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .delete(publicSubscribers)
      .where(eq(publicSubscribers.id, id))
      .returning();
    if (!row) throw new NotFoundError("Subscriber");
    const address = row.kind === "email" ? (row.email ?? "") : (row.urlHint ?? "");
    await recordAudit(tx, ctx, {
      action: "subscriber.remove",
      targetType: "public_subscriber",
      targetId: row.id,
      data: {
        channel: row.kind,
        address: row.kind === "email" ? maskEmail(address) : address,
        confirmed: Boolean(row.confirmedAt),
      },
    });
    return { channel: row.kind, address };
  });
}

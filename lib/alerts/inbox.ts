import { and, count, desc, eq, isNull } from "drizzle-orm";
import { devMailbox, inboxItems } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { requirePermission } from "@/lib/context";
import type { Permission } from "@/lib/auth/roles";
import { NotFoundError, UnauthorizedError } from "@/lib/errors";

function userId(ctx: Ctx): string {
  if (ctx.actor.type !== "user")
    throw new UnauthorizedError("The inbox belongs to a signed-in user");
  return ctx.actor.id;
}

export async function listInbox({ ctx, limit = 50 }: { ctx: Ctx; limit?: number }) {
  const uid = userId(ctx);
  return ctx.db
    .select()
    .from(inboxItems)
    .where(and(eq(inboxItems.userId, uid), eq(inboxItems.orgId, ctx.org.id)))
    .orderBy(desc(inboxItems.createdAt))
    .limit(limit);
}

export async function unreadCount({ ctx }: { ctx: Ctx }): Promise<number> {
  const uid = userId(ctx);
  const [row] = await ctx.db
    .select({ n: count() })
    .from(inboxItems)
    .where(
      and(eq(inboxItems.userId, uid), eq(inboxItems.orgId, ctx.org.id), isNull(inboxItems.readAt)),
    );
  return Number(row?.n ?? 0);
}

export async function markInboxRead({ ctx, id }: { ctx: Ctx; id?: string }): Promise<void> {
  const uid = userId(ctx);
  const mine = and(
    eq(inboxItems.userId, uid),
    eq(inboxItems.orgId, ctx.org.id),
    isNull(inboxItems.readAt),
  );
  if (id) {
    const res = await ctx.db
      .update(inboxItems)
      .set({ readAt: new Date() })
      .where(and(mine, eq(inboxItems.id, id)))
      .returning({ id: inboxItems.id });
    if (res.length === 0) {
      const [exists] = await ctx.db
        .select({ id: inboxItems.id })
        .from(inboxItems)
        .where(and(eq(inboxItems.id, id), eq(inboxItems.userId, uid)));
      if (!exists) throw new NotFoundError("Inbox item");
    }
    return;
  }
  await ctx.db.update(inboxItems).set({ readAt: new Date() }).where(mine);
}

/**
 * Who may read an organization's dev mailbox: tenants' alert readers; on the platform org, staff
 * who read deliveries (its mailbox holds what went to public subscribers).
 */
export function devMailboxPermission(ctx: Ctx): Permission {
  return ctx.org.kind === "platform" ? "deliveries:read" : "alerts:read";
}

/** The development mailbox, limited to this organization's messages. */
export async function listDevMailbox({ ctx, limit = 100 }: { ctx: Ctx; limit?: number }) {
  requirePermission(ctx, devMailboxPermission(ctx));
  return ctx.db
    .select()
    .from(devMailbox)
    .where(eq(devMailbox.orgId, ctx.org.id))
    .orderBy(desc(devMailbox.createdAt))
    .limit(limit);
}

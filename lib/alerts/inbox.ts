import { and, count, desc, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import { devMailbox, inboxItems } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { requirePermission } from "@/lib/context";
import type { Permission } from "@/lib/auth/roles";
import { NotFoundError, parseInput, UnauthorizedError } from "@/lib/errors";
import { idOf, parseTargetInput } from "@/lib/ids";

function userId(ctx: Ctx): string {
  if (ctx.actor.type !== "user")
    throw new UnauthorizedError("The inbox belongs to a signed-in user");
  return ctx.actor.id;
}

const limit = (max: number, fallback: number) =>
  z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(max, `must be at most ${max}`)
    .default(fallback);
const ListInboxInput = z.object({ limit: limit(200, 50) });

/** The signed-in user's inbox in this organization, newest first. */
export async function listInbox({ ctx, input = {} }: { ctx: Ctx; input?: unknown }) {
  const uid = userId(ctx);
  const { limit } = parseInput(ListInboxInput, input);
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

/** One inbox item when `id` is given (a malformed id is not found), else all. */
const MarkInboxReadInput = z.object({ id: idOf("inbox item").optional() });

export async function markInboxRead({
  ctx,
  input = {},
}: {
  ctx: Ctx;
  input?: unknown;
}): Promise<void> {
  const uid = userId(ctx);
  const { id } = parseTargetInput(MarkInboxReadInput, input, {
    field: "id",
    notFound: "Inbox item",
  });
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
const ListDevMailboxInput = z.object({ limit: limit(500, 100) });

export async function listDevMailbox({ ctx, input = {} }: { ctx: Ctx; input?: unknown }) {
  requirePermission(ctx, devMailboxPermission(ctx));
  const { limit } = parseInput(ListDevMailboxInput, input);
  return ctx.db
    .select()
    .from(devMailbox)
    .where(eq(devMailbox.orgId, ctx.org.id))
    .orderBy(desc(devMailbox.createdAt))
    .limit(limit);
}

/**
 * The member's inbox as the portal shows it live (plain JSON): the unread count, the newest item
 * (for the indicator's toast) and the newest items (for the inbox page).
 */
export async function inboxView({ ctx }: { ctx: Ctx }) {
  const [unread, items] = await Promise.all([unreadCount({ ctx }), listInbox({ ctx })]);
  const latest = items[0];
  return {
    unread,
    latest: latest ? { id: latest.id, title: latest.title, url: latest.url } : null,
    items: items.map((i) => ({
      id: i.id,
      title: i.title,
      body: i.body,
      url: i.url,
      createdAt: i.createdAt.toISOString(),
      readAt: i.readAt?.toISOString() ?? null,
    })),
  };
}

import { and, eq } from "drizzle-orm";
import { memberships, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { ForbiddenError, NotFoundError, parseInput } from "@/lib/errors";
import { MyNotificationsInput } from "./schemas";

/**
 * "My notifications": a member's own choices for user-level warnings in the organization they are
 * acting for, and their phone number. Whose settings these are comes only from the session
 * (ctx.actor), never from input, so nobody can read or change another member's.
 */

export interface MyNotifications {
  email: string;
  phone: string | null;
  warningEmail: boolean;
  warningSms: boolean;
  /** Other organizations this person belongs to: the phone number is shared with them. */
  otherOrgs: number;
}

function me(ctx: Ctx): string {
  if (ctx.actor.type !== "user")
    throw new ForbiddenError("Notification preferences belong to a signed-in member");
  return ctx.actor.id;
}

export async function getMyNotifications({ ctx }: { ctx: Ctx }): Promise<MyNotifications> {
  requirePermission(ctx, "org:read");
  const userId = me(ctx);
  const rows = await ctx.db
    .select({
      orgId: memberships.orgId,
      email: users.email,
      phone: users.phone,
      warningEmail: memberships.warningEmail,
      warningSms: memberships.warningSms,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.userId, userId));
  const here = rows.find((r) => r.orgId === ctx.org.id);
  if (!here) throw new NotFoundError("Membership");
  return {
    email: here.email,
    phone: here.phone,
    warningEmail: here.warningEmail,
    warningSms: here.warningSms,
    otherOrgs: rows.length - 1,
  };
}

export async function updateMyNotifications({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<MyNotifications> {
  requirePermission(ctx, "org:read");
  const userId = me(ctx);
  const values = parseInput(MyNotificationsInput, input);
  await withTransaction(ctx, async (tx) => {
    const [m] = await tx
      .select({ m: memberships, phone: users.phone })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.userId, userId), eq(memberships.orgId, ctx.org.id)))
      .for("update");
    if (!m) throw new NotFoundError("Membership");
    await tx
      .update(memberships)
      .set({ warningEmail: values.warningEmail, warningSms: values.warningSms })
      .where(and(eq(memberships.id, m.m.id), eq(memberships.userId, userId)));
    if (values.phone !== m.phone)
      await tx.update(users).set({ phone: values.phone }).where(eq(users.id, userId));
    await recordAudit(tx, ctx, {
      action: "member.notifications_changed",
      targetType: "membership",
      targetId: m.m.id,
      data: {
        warningEmail: values.warningEmail,
        warningSms: values.warningSms,
        // The number itself stays out of the audit log.
        phone:
          values.phone === m.phone ? "unchanged" : values.phone === null ? "removed" : "changed",
      },
    });
  });
  return getMyNotifications({ ctx });
}

import { eq, sql } from "drizzle-orm";
import { users } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { hashPassword, verifyPassword } from "@/lib/auth/password";
import { clear, hit } from "@/lib/auth/rate-limit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import {
  ForbiddenError,
  NotFoundError,
  parseInput,
  RateLimitedError,
  ValidationError,
} from "@/lib/errors";
import { useUpResetLinks } from "./password-reset";
import { ChangePasswordInput } from "./schemas";

/** Wrong current passwords allowed per account before it has to wait. */
export const PASSWORD_CHANGE_LIMIT = { max: 5, windowMs: 15 * 60 * 1000 };

/** Whether the signed-in person has a password (one who signs in only by email link has none). */
export async function hasPassword({ ctx }: { ctx: Ctx }): Promise<boolean> {
  requirePermission(ctx, "org:read");
  if (ctx.actor.type !== "user") return false;
  const [u] = await ctx.db
    .select({ hash: users.passwordHash })
    .from(users)
    .where(eq(users.id, ctx.actor.id));
  return Boolean(u?.hash);
}

/**
 * Changes (or first sets) the signed-in person's own password. The current one is checked when
 * there is one, with failures limited per account. Every session issued before ends (the
 * session epoch moves on): whoever else knew the old password is signed out. The caller signs
 * the person in again with the new password.
 */
export async function changeMyPassword({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "org:read");
  if (ctx.actor.type !== "user")
    throw new ForbiddenError("A password belongs to a signed-in member");
  const userId = ctx.actor.id;
  const { currentPassword, newPassword } = parseInput(ChangePasswordInput, input);
  const [user] = await ctx.db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new NotFoundError("User");
  if (user.passwordHash) {
    const limit = { key: `password-change:${userId}`, ...PASSWORD_CHANGE_LIMIT };
    if ((await hit(ctx.db, limit)) > limit.max) {
      throw new RateLimitedError(
        "Too many wrong current passwords. Try again in 15 minutes.",
        limit.windowMs / 1000,
      );
    }
    if (!currentPassword || !(await verifyPassword(user.passwordHash, currentPassword))) {
      throw new ValidationError([
        { field: "currentPassword", message: "is not your current password" },
      ]);
    }
    await clear(ctx.db, limit.key);
  }
  const passwordHash = await hashPassword(newPassword);
  await withTransaction(ctx, async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash, sessionEpoch: sql`${users.sessionEpoch} + 1` })
      .where(eq(users.id, userId));
    // A reset link asked for earlier would otherwise undo this change.
    await useUpResetLinks(tx, userId, new Date());
    await recordAudit(tx, ctx, {
      action: user.passwordHash ? "user.password_changed" : "user.password_set",
      targetType: "user",
      targetId: userId,
    });
  });
  return { email: user.email };
}

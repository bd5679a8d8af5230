import { eq } from "drizzle-orm";
import { z } from "zod";
import { users } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { ForbiddenError, NotFoundError, parseInput } from "@/lib/errors";
import { MAX_NAME, storable } from "@/lib/validation";

const ChangeNameInput = z.object({
  name: storable(
    z
      .string({ message: "is required" })
      .trim()
      .min(1, "is required")
      .max(MAX_NAME, `must be at most ${MAX_NAME} characters`),
  ),
});

/**
 * Changes the signed-in person's own name (shown to the other members and in the audit log). The
 * name belongs to the person, not the membership, so every organization they belong to sees it;
 * the audit row is written in the organization they changed it from.
 */
export async function changeMyName({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "org:read");
  if (ctx.actor.type !== "user") throw new ForbiddenError("A name belongs to a signed-in member");
  const userId = ctx.actor.id;
  const { name } = parseInput(ChangeNameInput, input);
  return withTransaction(ctx, async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId)).for("update");
    if (!user) throw new NotFoundError("User");
    if (user.name === name) return { name };
    await tx.update(users).set({ name }).where(eq(users.id, userId));
    await recordAudit(tx, ctx, {
      action: "user.renamed",
      targetType: "user",
      targetId: userId,
      data: { from: user.name, to: name },
    });
    return { name };
  });
}

import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { alertRecipients } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { requirePermission, withTransaction, type Ctx } from "@/lib/context";
import { parseInput, ValidationError } from "@/lib/errors";
import { idOf } from "@/lib/ids";
import { MAX_RECIPIENTS, RecipientInput } from "./schemas";
import { assertTenant, toRecipientView, type RecipientView } from "./settings";

/**
 * Adding and removing one extra recipient. Each reads the tenant's list and writes its change in
 * the same transaction, so two admins changing the list at once both keep their change (saving a
 * whole list read earlier would drop the other's).
 */

const RemoveRecipientInput = z.object({ id: idOf("recipient") });

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Lists an email address or phone number for a role group. Listing one already there changes
 * nothing. An address a provider reported unreachable under another role group starts out marked
 * too: the mark is about the address.
 */
export async function addRecipient({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<RecipientView> {
  requirePermission(ctx, "alerts:manage");
  assertTenant(ctx);
  const r = parseInput(RecipientInput, input);
  const orgId = ctx.org.id;
  const address = r.channel === "email" ? r.address.toLowerCase() : r.address;
  return withTransaction(ctx, async (tx) => {
    const listed = await tx.select().from(alertRecipients).where(eq(alertRecipients.orgId, orgId));
    const ofAddress = listed.filter(
      (x) => x.channel === r.channel && sameAddress(x.address, address),
    );
    const same = ofAddress.find((x) => x.roleGroup === r.roleGroup);
    if (same) return toRecipientView(same);
    if (listed.length >= MAX_RECIPIENTS) {
      throw new ValidationError([
        {
          field: "recipients",
          message: `has the most addresses a tenant may list (${MAX_RECIPIENTS}); remove one first`,
        },
      ]);
    }
    const mark = ofAddress.find((x) => x.undeliverableAt);
    const [row] = await tx
      .insert(alertRecipients)
      .values({
        orgId,
        channel: r.channel,
        address,
        roleGroup: r.roleGroup,
        undeliverableAt: mark?.undeliverableAt ?? null,
        undeliverableReason: mark?.undeliverableReason ?? null,
      })
      // Another admin listed the same one a moment ago: theirs stands.
      .onConflictDoNothing()
      .returning();
    if (!row) {
      const [theirs] = await tx
        .select()
        .from(alertRecipients)
        .where(
          and(
            eq(alertRecipients.orgId, orgId),
            eq(alertRecipients.channel, r.channel),
            eq(alertRecipients.address, address),
            eq(alertRecipients.roleGroup, r.roleGroup),
          ),
        );
      return toRecipientView(theirs!);
    }
    await recordAudit(tx, ctx, {
      action: "recipient.added",
      targetType: "alert_recipient",
      targetId: row.id,
      data: { channel: row.channel, address: row.address, roleGroup: row.roleGroup },
    });
    return toRecipientView(row);
  });
}

/**
 * Takes one recipient off the list (its mark goes with it). One already gone, removed by another
 * admin meanwhile, is not an error: the list is as asked.
 */
export async function removeRecipient({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<{ removed: boolean }> {
  requirePermission(ctx, "alerts:manage");
  assertTenant(ctx);
  const { id } = parseInput(RemoveRecipientInput, input);
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .delete(alertRecipients)
      .where(and(eq(alertRecipients.id, id), eq(alertRecipients.orgId, ctx.org.id)))
      .returning();
    if (!row) return { removed: false };
    await recordAudit(tx, ctx, {
      action: "recipient.removed",
      targetType: "alert_recipient",
      targetId: row.id,
      data: { channel: row.channel, address: row.address, roleGroup: row.roleGroup },
    });
    return { removed: true };
  });
}

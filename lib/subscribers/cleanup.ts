import { and, isNull, lte } from "drizzle-orm";
import type { Db } from "@/db";
import { publicSubscribers } from "@/db/schema";
import { CONFIRM_TTL_MS } from "./subscribe";

/**
 * Deletes subscribers who never confirmed and whose confirmation link has expired, in one
 * statement. Such a row can never be confirmed (confirmSubscription refuses links older than
 * CONFIRM_TTL_MS) and would otherwise keep an address nobody vouched for. Both job drivers call
 * this from their periodic sweep; running it twice, or from two processes, is harmless.
 */
export async function deleteExpiredUnconfirmed(
  db: Db,
  opts: { now?: Date } = {},
): Promise<{ deleted: number }> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - CONFIRM_TTL_MS);
  const rows = await db
    .delete(publicSubscribers)
    .where(and(isNull(publicSubscribers.confirmedAt), lte(publicSubscribers.createdAt, cutoff)))
    .returning({ id: publicSubscribers.id });
  return { deleted: rows.length };
}

import { inArray, lte, lt, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { passwordResetTokens, rateLimits, verificationTokens } from "@/db/schema";

/** Rows deleted per statement, and statements per table per sweep (the rest waits for the next). */
export const PRUNE_BATCH = 1000;
export const PRUNE_MAX_BATCHES = 20;

export interface PruneResult {
  verificationTokens: number;
  rateLimits: number;
  passwordResetTokens: number;
}

/**
 * Deletes what can never be used again: magic-link tokens past their expiry (Auth.js refuses a
 * token whose `expires` is before now), rate-limit counters whose window has ended (`hit`
 * starts a new window over such a row anyway) and password reset links past their expiry, used
 * or not (lib/members/password-reset.ts refuses a link whose `expiresAt` is not after now). Deletes in bounded batches so a large backlog
 * does not hold locks for long; stops after `maxBatches` per table and leaves the rest for the
 * next sweep. Both job drivers call this from their periodic sweep; running it twice, or from
 * two processes, is harmless.
 */
export async function pruneExpired(
  db: Db,
  opts: { now?: Date; batch?: number; maxBatches?: number } = {},
): Promise<PruneResult> {
  const now = opts.now ?? new Date();
  const batch = opts.batch ?? PRUNE_BATCH;
  const maxBatches = opts.maxBatches ?? PRUNE_MAX_BATCHES;
  const nowTs = sql`${now.toISOString()}::timestamptz`;

  const tokens = await loop(maxBatches, batch, async () => {
    const expired = db
      .select({ identifier: verificationTokens.identifier, token: verificationTokens.token })
      .from(verificationTokens)
      .where(lt(verificationTokens.expires, nowTs))
      .limit(batch);
    const rows = await db
      .delete(verificationTokens)
      .where(sql`(${verificationTokens.identifier}, ${verificationTokens.token}) in (${expired})`)
      .returning({ token: verificationTokens.token });
    return rows.length;
  });

  const limits = await loop(maxBatches, batch, async () => {
    const ended = db
      .select({ key: rateLimits.key })
      .from(rateLimits)
      .where(lte(rateLimits.resetAt, nowTs))
      .limit(batch);
    const rows = await db
      .delete(rateLimits)
      .where(inArray(rateLimits.key, ended))
      .returning({ key: rateLimits.key });
    return rows.length;
  });

  const resetLinks = await loop(maxBatches, batch, async () => {
    const expired = db
      .select({ id: passwordResetTokens.id })
      .from(passwordResetTokens)
      .where(lte(passwordResetTokens.expiresAt, nowTs))
      .limit(batch);
    const rows = await db
      .delete(passwordResetTokens)
      .where(inArray(passwordResetTokens.id, expired))
      .returning({ id: passwordResetTokens.id });
    return rows.length;
  });

  return { verificationTokens: tokens, rateLimits: limits, passwordResetTokens: resetLinks };
}

async function loop(maxBatches: number, batch: number, once: () => Promise<number>) {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await once();
    total += n;
    if (n < batch) break;
  }
  return total;
}

import { and, eq, isNull, lte, or, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import { rateLimits } from "@/db/schema";

/** The helpers run on the database or inside a verb's transaction (a refused event rolls back). */
type Queryable = Db | Tx;

export interface Limit {
  key: string;
  max: number;
  windowMs: number;
}

/** Seconds until the window resets if the key is over its limit, else 0. */
export async function limitedFor(db: Queryable, limit: Limit, now = new Date()): Promise<number> {
  const [row] = await db.select().from(rateLimits).where(eq(rateLimits.key, limit.key));
  if (!row || row.resetAt <= now || row.count < limit.max) return 0;
  return Math.max(1, Math.ceil((row.resetAt.getTime() - now.getTime()) / 1000));
}

/** Counts one event in a fixed window (a single upsert, safe under concurrency). */
export async function hit(db: Queryable, limit: Limit, now = new Date()): Promise<number> {
  const resetAt = new Date(now.getTime() + limit.windowMs);
  const nowTs = sql`${now.toISOString()}::timestamptz`;
  const resetTs = sql`${resetAt.toISOString()}::timestamptz`;
  const [row] = await db
    .insert(rateLimits)
    .values({ key: limit.key, count: 1, resetAt })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.resetAt} <= ${nowTs} then 1 else ${rateLimits.count} + 1 end`,
        resetAt: sql`case when ${rateLimits.resetAt} <= ${nowTs} then ${resetTs} else ${rateLimits.resetAt} end`,
      },
    })
    .returning({ count: rateLimits.count });
  return row!.count;
}

export async function clear(db: Queryable, key: string): Promise<void> {
  await db.delete(rateLimits).where(eq(rateLimits.key, key));
}

/** Takes one event back (a success that was counted up front). */
export async function undo(db: Queryable, key: string): Promise<void> {
  await db
    .update(rateLimits)
    .set({ count: sql`greatest(${rateLimits.count} - 1, 0)` })
    .where(eq(rateLimits.key, key));
}

/**
 * Exponential backoff for one key: `free` failures go through, then each one blocks the key for
 * `firstBlockMs`, doubling with every further failure up to `maxBlockMs`. Failures are forgotten
 * `memoryMs` after the last one (at least `maxBlockMs`, so a block never outlives its row).
 */
export interface Backoff {
  key: string;
  free: number;
  firstBlockMs: number;
  maxBlockMs: number;
  memoryMs: number;
}

/** Doublings past this are over any sensible maximum (and keep power() from overflowing). */
const MAX_DOUBLINGS = 30;

/**
 * Counts one attempt under a backoff before it is checked, so parallel guesses cannot slip past
 * a block: answers 0 when the attempt may go ahead (it is counted as a failure until `clear`
 * says otherwise), or the seconds until the key's block ends (nothing counted). The attempt that
 * reaches `free` failures, and each after it, sets the next block when it is counted; a success
 * clears the key and with it the block. One conditional UPDATE, so it is atomic on both engines.
 */
export async function reserveAttempt(db: Queryable, b: Backoff, now = new Date()): Promise<number> {
  const nowTs = sql`${now.toISOString()}::timestamptz`;
  await db
    .insert(rateLimits)
    .values({ key: b.key, count: 0, resetAt: new Date(now.getTime() + b.memoryMs) })
    .onConflictDoNothing({ target: rateLimits.key });
  const next = sql`(case when ${rateLimits.resetAt} <= ${nowTs} then 1 else ${rateLimits.count} + 1 end)`;
  const blockMs = sql`least(${b.firstBlockMs}::float8 * power(2::float8, least(${next} - ${b.free}, ${MAX_DOUBLINGS})), ${b.maxBlockMs}::float8)`;
  const [row] = await db
    .update(rateLimits)
    .set({
      count: next,
      resetAt: sql`${nowTs} + make_interval(secs => ${b.memoryMs / 1000}::float8)`,
      blockedUntil: sql`case when ${next} >= ${b.free} then ${nowTs} + make_interval(secs => ${blockMs} / 1000) end`,
    })
    .where(
      and(
        eq(rateLimits.key, b.key),
        or(isNull(rateLimits.blockedUntil), lte(rateLimits.blockedUntil, nowTs)),
      ),
    )
    .returning({ count: rateLimits.count });
  if (row) return 0;
  const [blocked] = await db
    .select({ until: rateLimits.blockedUntil })
    .from(rateLimits)
    .where(eq(rateLimits.key, b.key));
  const ms = (blocked?.until?.getTime() ?? 0) - now.getTime();
  return Math.max(1, Math.ceil(ms / 1000));
}

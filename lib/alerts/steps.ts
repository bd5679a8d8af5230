import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";
import { dueBefore } from "./due";

/**
 * Read-only look-ups the Inngest driver uses to (re)dispatch work that has no event in flight:
 * jobs still pending, and deliveries due now. Duplicate events are harmless (every step claims).
 */
/** Due by `now`, or due for longer than `olderThanMs`. */
const cutoffOf = (opts: { now?: Date; olderThanMs?: number }) =>
  dueBefore(new Date((opts.now ?? new Date()).getTime() - (opts.olderThanMs ?? 0)));

export async function pendingJobIds(
  db: Db,
  opts: { now?: Date; olderThanMs?: number; limit?: number } = {},
): Promise<string[]> {
  const cutoff = cutoffOf(opts);
  const res = await db.execute(sql`
    select id from notification_jobs where status = 'pending' and run_at < ${cutoff}::timestamptz
    order by run_at limit ${opts.limit ?? 500}`);
  return rowsOf<{ id: string }>(res).map((r) => r.id);
}

export async function dueDeliveries(
  db: Db,
  opts: { now?: Date; olderThanMs?: number; limit?: number } = {},
): Promise<{ id: string; attempts: number; destination: string }[]> {
  const cutoff = cutoffOf(opts);
  const res = await db.execute(sql`
    select id, attempts, destination from deliveries where status = 'pending' and run_at < ${cutoff}::timestamptz
    order by run_at limit ${opts.limit ?? 1000}`);
  return rowsOf<{ id: string; attempts: number; destination: string }>(res).map((r) => ({
    ...r,
    attempts: Number(r.attempts),
  }));
}

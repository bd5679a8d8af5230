import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";

/** Recovers work a crashed process left claimed: stale "sending" deliveries and "planning" jobs. */
export async function sweepStuck(
  db: Db,
  opts: { now?: Date } = {},
): Promise<{ deliveries: number; jobs: number }> {
  const now = (opts.now ?? new Date()).toISOString();
  const d = await db.execute(sql`
    update deliveries set status = case when attempts >= max_attempts then 'failed'::delivery_status else 'pending'::delivery_status end,
      locked_until = null, error = coalesce(error, 'interrupted while sending; retried')
    where status = 'sending' and locked_until < ${now}::timestamptz
    returning id`);
  const j = await db.execute(sql`
    update notification_jobs set status = 'pending'
    where status = 'planning' and run_at < ${now}::timestamptz
    returning id`);
  return { deliveries: rowsOf(d).length, jobs: rowsOf(j).length };
}

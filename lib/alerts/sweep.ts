import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";
import { LEASE_MS, LOCK_MS } from "./claim";

/** What the delivery log says of an attempt that was in flight when its process died. */
export const OUTCOME_UNKNOWN = "outcome unknown (process stopped)";

const lease = sql`${LEASE_MS}::int * interval '1 millisecond'`;

/**
 * Recovers work whose holder is gone, so nothing claimed is lost:
 *
 * - deliveries and jobs claimed by an embedded driver instance (see leases.ts) whose heartbeat is
 *   older than LEASE_MS, or that is known to be gone (`gone`: a previous incarnation of a process
 *   on this host), or that stopped;
 * - deliveries claimed without an instance (the Inngest driver) past their lock, and jobs left
 *   "planning" past their run_at.
 *
 * A delivery whose request had started (its instance recorded the start, or it was claimed
 * without an instance) gets that attempt logged as "outcome unknown (process stopped)" and is
 * due again with the same idempotency key (and so the same webhook-id): the receiver may have
 * had it. One that had not started is claimable again as if it had never been claimed (its
 * attempt number is given back). `self` is the calling instance, whose claims are its own to
 * keep. Cheap enough to run every few seconds: an index holds the claims by holder.
 */
export async function sweepStuck(
  db: Db,
  opts: { now?: Date; self?: string; gone?: string[] } = {},
): Promise<{ deliveries: number; jobs: number; unknown: number }> {
  const now = (opts.now ?? new Date()).toISOString();
  const self = opts.self ?? null;
  const gone = `{${(opts.gone ?? []).join(",")}}`;
  await db.execute(sql`
    update job_instances set stopped_at = now()
    where stopped_at is null and id is distinct from ${self}::uuid
      and (heartbeat_at < now() - ${lease} or id = any(${gone}::uuid[]))`);
  const alive = sql`(select id from job_instances where stopped_at is null)`;
  const d = await db.execute(sql`
    with taken as (
      select d.id, d.attempts, d.max_attempts, d.locked_by, d.locked_until,
        (select min(s.started_at) from delivery_starts s
          where s.instance_id = d.locked_by and d.id = any(s.delivery_ids)) as started_at
      from deliveries d
      where d.status = 'sending' and (
        (d.locked_by is null and d.locked_until < ${now}::timestamptz)
        or (d.locked_by is not null and d.locked_by is distinct from ${self}::uuid
          and d.locked_by not in ${alive}))
      for update of d skip locked
    ),
    t as (
      select id, attempts, max_attempts,
        case when locked_by is null
          then coalesce(locked_until - ${LOCK_MS}::int * interval '1 millisecond', now())
          else started_at end as started_at
      from taken
    ),
    attempt as (
      insert into delivery_attempts (delivery_id, attempt, started_at, duration_ms, error)
      select id, attempts, started_at, 0, ${OUTCOME_UNKNOWN} from t
      where started_at is not null and attempts > 0
      on conflict do nothing
    )
    update deliveries d set
      status = case when t.started_at is not null and t.attempts >= t.max_attempts
        then 'failed'::delivery_status else 'pending'::delivery_status end,
      attempts = case when t.started_at is null then greatest(t.attempts - 1, 0) else t.attempts end,
      error = case when t.started_at is null then d.error else ${OUTCOME_UNKNOWN} end,
      locked_by = null,
      locked_until = null
    from t
    where d.id = t.id
    returning d.id, t.started_at is not null as unknown`);
  const j = await db.execute(sql`
    update notification_jobs set status = 'pending', locked_by = null,
      run_at = least(run_at, ${now}::timestamptz)
    where status = 'planning' and (
      (locked_by is null and run_at < ${now}::timestamptz)
      or (locked_by is not null and locked_by is distinct from ${self}::uuid
        and locked_by not in ${alive}))
    returning id`);
  // What a stopped instance recorded of its starts is no longer needed once its claims are back.
  await db.execute(sql`
    delete from delivery_starts s using job_instances i
    where i.id = s.instance_id and i.stopped_at is not null
      and not exists (select 1 from deliveries d where d.status = 'sending' and d.locked_by = i.id)`);
  const rows = rowsOf<{ id: string; unknown: boolean }>(d);
  return {
    deliveries: rows.length,
    jobs: rowsOf(j).length,
    unknown: rows.filter((r) => r.unknown).length,
  };
}

/** Forgets instances stopped a day ago that hold nothing. */
export async function pruneInstances(db: Db): Promise<void> {
  await db.execute(sql`
    delete from job_instances i
    where i.stopped_at < now() - interval '1 day'
      and not exists (select 1 from deliveries d where d.status = 'sending' and d.locked_by = i.id)
      and not exists (select 1 from notification_jobs j where j.status = 'planning' and j.locked_by = i.id)`);
}

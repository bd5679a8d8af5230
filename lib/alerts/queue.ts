import { inArray, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";
import { alertEndpoints, notificationJobs } from "@/db/schema";
import { alertItemOf } from "@/lib/channels/message";
import {
  CLAIMED_COLUMNS,
  ENDPOINT_FOR_SEND,
  LEASE_MS,
  LOCK_MS,
  emptyPrepCache,
  toDelivery,
  type ClaimedDelivery,
  type PrepCache,
} from "./claim";
import { dueBefore } from "./due";

/**
 * The delivery queue: due deliveries claimed by whichever sender asks first (the embedded driver's
 * sender for retries and resends, the Inngest driver for each event). Planning's own claims, made
 * as it writes a fan-out, are in plan/index.ts.
 */

/**
 * Claims due deliveries (pending → sending, attempts + 1) with FOR UPDATE SKIP LOCKED, so any
 * number of workers or processes share the queue without sending anything twice. With
 * `instanceId` (an embedded driver) the claim is that instance's lease, renewed by its heartbeat;
 * without, it lasts LOCK_MS.
 */
export async function claimDeliveries(
  db: Db,
  opts: { now?: Date; limit?: number; ids?: string[]; instanceId?: string } = {},
): Promise<ClaimedDelivery[]> {
  const now = opts.now ?? new Date();
  const idFilter = opts.ids ? sql`and id = any(${`{${opts.ids.join(",")}}`}::uuid[])` : sql``;
  // The lease runs from the real time of the claim, whatever clock `now` decides what is due by.
  const lockedUntil = new Date(Date.now() + (opts.instanceId ? LEASE_MS : LOCK_MS));
  const res = await db.execute(sql`
    update deliveries set status = 'sending', attempts = attempts + 1,
      locked_by = ${opts.instanceId ?? null}::uuid,
      locked_until = ${lockedUntil.toISOString()}::timestamptz
    where id in (
      select id from deliveries
      where status = 'pending' and run_at < ${dueBefore(now)}::timestamptz ${idFilter}
      order by run_at limit ${opts.limit ?? 100}
      for update skip locked)
    returning ${CLAIMED_COLUMNS}`);
  return rowsOf<Record<string, unknown>>(res).map(toDelivery);
}

/** Reads the jobs and endpoints of a claimed batch at once, for every delivery of it to share. */
export async function loadPrepCache(db: Db, ds: ClaimedDelivery[]): Promise<PrepCache> {
  const jobIds = [...new Set(ds.map((d) => d.jobId).filter((x): x is string => Boolean(x)))];
  const endpointIds = [
    ...new Set(
      ds.filter((d) => d.recipientType === "endpoint" && d.recipientId).map((d) => d.recipientId!),
    ),
  ];
  const [jobs, endpoints] = await Promise.all([
    jobIds.length
      ? db.select().from(notificationJobs).where(inArray(notificationJobs.id, jobIds))
      : [],
    endpointIds.length
      ? db
          .select(ENDPOINT_FOR_SEND)
          .from(alertEndpoints)
          .where(inArray(alertEndpoints.id, endpointIds))
      : [],
  ]);
  const cache = emptyPrepCache();
  for (const j of jobs) cache.jobs.set(j.id, alertItemOf(j));
  for (const e of endpoints) cache.endpoints.set(e.id, e);
  return cache;
}

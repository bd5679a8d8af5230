import { and, eq, lte } from "drizzle-orm";
import type { Db } from "@/db";
import { scheduledRuns } from "@/db/schema";
import { pruneRetention, type PruneRetentionOptions, type RetentionResult } from "./prune";

export const RETENTION_TASK = "retention";
/** A run that finished everything is followed by the next an hour later. */
export const RETENTION_EVERY_MS = 60 * 60_000;
/** A run that stopped at its budget is followed by the next a minute later. */
export const RETENTION_AGAIN_MS = 60_000;
/** A new install (or one upgraded to this version) first prunes this long after it started. */
export const RETENTION_FIRST_DELAY_MS = 5 * 60_000;
/** A claimed run that never reported (its process died) is taken up again after this. */
export const RETENTION_LEASE_MS = 15 * 60_000;

const inFlight = new WeakMap<Db, Promise<void>>();

/**
 * Claims this period's retention run for this process: one conditional update moves the task's
 * `next_run_at` past now, so of N instances polling at once exactly one gets it. The row is
 * created on first sight, due RETENTION_FIRST_DELAY_MS later.
 */
export async function claimRetentionRun(db: Db, now: Date): Promise<boolean> {
  const claimed = await db
    .update(scheduledRuns)
    .set({ nextRunAt: new Date(now.getTime() + RETENTION_LEASE_MS), lastStartedAt: now })
    .where(and(eq(scheduledRuns.name, RETENTION_TASK), lte(scheduledRuns.nextRunAt, now)))
    .returning({ name: scheduledRuns.name });
  if (claimed.length > 0) return true;
  // Not due, or no row yet: create it (a no-op when it exists).
  await db
    .insert(scheduledRuns)
    .values({ name: RETENTION_TASK, nextRunAt: new Date(now.getTime() + RETENTION_FIRST_DELAY_MS) })
    .onConflictDoNothing();
  return false;
}

async function finishRun(db: Db, now: Date, result: RetentionResult | { error: string }) {
  const more = "more" in result ? result.more : true;
  await db
    .update(scheduledRuns)
    .set({
      nextRunAt: new Date(now.getTime() + (more ? RETENTION_AGAIN_MS : RETENTION_EVERY_MS)),
      lastFinishedAt: new Date(),
      lastResult: { ...result },
    })
    .where(eq(scheduledRuns.name, RETENTION_TASK));
}

/**
 * The embedded job driver's retention schedule, called from its periodic sweep: when the run is
 * due and this process claims it, prunes in the background (the sweep, and alert planning after
 * it, do not wait for it) and records when the next run is due. At most one run per process at a
 * time; an error is reported to `onError` and retried a minute later.
 */
export async function runRetentionIfDue(
  db: Db,
  opts: Omit<PruneRetentionOptions, "now"> & {
    now?: Date;
    onError?: (e: unknown) => void;
  } = {},
): Promise<void> {
  if (inFlight.has(db)) return;
  const {
    now = new Date(),
    onError = (e) => console.error("[beacon] retention:", e),
    ...rest
  } = opts;
  if (!(await claimRetentionRun(db, now))) return;
  const run = (async () => {
    try {
      await finishRun(db, now, await pruneRetention(db, { ...rest, now }));
    } catch (e) {
      onError(e);
      await finishRun(db, now, { error: String(e) }).catch(() => {});
    } finally {
      inFlight.delete(db);
    }
  })();
  inFlight.set(db, run);
}

/** Resolves when this process's retention run on `db`, if any, has finished (tests, shutdown). */
export function retentionIdle(db: Db): Promise<void> {
  return inFlight.get(db) ?? Promise.resolve();
}

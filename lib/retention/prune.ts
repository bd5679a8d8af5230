import { sql, type SQL } from "drizzle-orm";
import { rowsOf, type Db } from "@/db";
import { env, type Env } from "@/lib/env";

/**
 * Retention: records that only grow (deliveries with their attempts, notification jobs, metric
 * samples, call records, inbox items, dev mailbox messages, invitations never accepted) are deleted once they are
 * older than their configured number of days (README, Configuration: RETENTION_*). Expired
 * sign-in tokens and ended rate-limit windows are deleted as soon as they expire, by the job
 * drivers' sweep (lib/auth/prune.ts).
 *
 * What is never touched: incidents, their updates and cells, maintenances, the public cell status
 * history (`cell_status_intervals`, which is all the 90-day uptime is computed from, see
 * lib/status/uptime.ts), components, regions, subscribers and the audit log. And whatever their
 * age, Beacon keeps:
 * - deliveries still under way (pending, sending, held for a digest), and those of an incident that
 *   is not resolved or a maintenance that is not completed (the console shows their fan-out);
 * - a digested delivery while the digest that carries it exists (sending the digest reads it);
 * - an in-app delivery while its inbox item is kept (deleting a delivery deletes its inbox item);
 * - a notification job while any of its deliveries exists (the delivery log shows its title), or
 *   while its incident or maintenance is open (the explainer reads it), and any job not yet planned;
 * - a tenant's latest delivered test alert, and the latest one to each of its endpoints that
 *   still exists (the activation checklist reads them: lib/activation/checklist.ts);
 * - the latest sample of each metric (a threshold rule on the latest sample compares it).
 *
 * Rows go in batches of `batch`, each one short statement of its own (no long transaction, no long
 * lock: rows a sender has locked are skipped); a run takes one batch per table in turn and stops
 * after `maxRounds` rounds or `budgetMs`, leaving the rest (`more`) for the next run. Attempts and
 * provider reports go with their delivery (foreign keys ON DELETE CASCADE). Every query has an
 * index on its age column (migration retention_indexes). Running it twice, or from two processes
 * at once, is harmless.
 */

export interface RetentionSettings {
  /** Days kept; 0 keeps forever. */
  deliveriesDays: number;
  notificationJobsDays: number;
  metricSamplesDays: number;
  /** Call records (ASR, ACD, PDD windows). */
  callRecordsDays: number;
  inboxDays: number;
  devMailboxDays: number;
  /** Days an invitation that was never accepted is kept after it expired. */
  invitationsDays: number;
}

export function retentionSettings(e: Env = env): RetentionSettings {
  return {
    deliveriesDays: e.RETENTION_DELIVERIES_DAYS,
    notificationJobsDays: e.RETENTION_NOTIFICATION_JOBS_DAYS,
    metricSamplesDays: e.RETENTION_METRIC_SAMPLES_DAYS,
    callRecordsDays: e.RETENTION_CALL_RECORDS_DAYS,
    inboxDays: e.RETENTION_INBOX_DAYS,
    devMailboxDays: e.RETENTION_DEV_MAILBOX_DAYS,
    invitationsDays: e.RETENTION_INVITATIONS_DAYS,
  };
}

export const RETENTION_BATCH = 1000;
export const RETENTION_MAX_ROUNDS = 20;
export const RETENTION_BUDGET_MS = 5000;

export const RETENTION_TABLES = [
  "deliveries",
  "notificationJobs",
  "metricSamples",
  "callRecords",
  "inboxItems",
  "devMailbox",
  "invitations",
] as const;
export type RetentionTable = (typeof RETENTION_TABLES)[number];

export interface RetentionResult {
  deleted: Record<RetentionTable, number>;
  /** Some table still had rows to delete when the run stopped. */
  more: boolean;
}

export interface PruneRetentionOptions {
  now?: Date;
  settings?: RetentionSettings;
  /** Rows deleted per statement. */
  batch?: number;
  /** Batches per table per run. */
  maxRounds?: number;
  /** Wall-clock time after which no new batch starts. */
  budgetMs?: number;
}

const DAY_MS = 86_400_000;
const FINISHED_DELIVERY = sql.raw(`('delivered', 'failed', 'suppressed', 'skipped', 'digested')`);
const FINISHED_JOB = sql.raw(`('planned', 'failed')`);

/** A timestamp parameter; days = 0 (keep forever) gives -infinity, before every row. */
function cutoffOf(now: Date, days: number): SQL {
  if (days === 0) return sql`'-infinity'::timestamptz`;
  return sql`${new Date(now.getTime() - days * DAY_MS).toISOString()}::timestamptz`;
}

/** One batch for each table: returns how many rows it deleted. */
function batches(
  now: Date,
  s: RetentionSettings,
  batch: number,
): Record<RetentionTable, SQL | null> {
  const cut = (days: number) => (days === 0 ? null : cutoffOf(now, days));
  const deliveries = cut(s.deliveriesDays);
  const jobs = cut(s.notificationJobsDays);
  const samples = cut(s.metricSamplesDays);
  const calls = cut(s.callRecordsDays);
  const inbox = cut(s.inboxDays);
  const mailbox = cut(s.devMailboxDays);
  const invitations = cut(s.invitationsDays);
  return {
    deliveries:
      deliveries &&
      sql`
      delete from deliveries where id = any(array(
        select d.id from deliveries d
        where d.created_at < ${deliveries}
          and d.status in ${FINISHED_DELIVERY}
          and not exists (
            select 1 from incidents i where i.id = d.incident_id and i.status <> 'resolved')
          and not exists (
            select 1 from notification_jobs j
            join maintenances m on m.id = (j.payload ->> 'maintenanceId')::uuid
            where j.id = d.job_id and m.status <> 'completed')
          and not exists (select 1 from deliveries g where g.id = d.digest_id)
          and not exists (
            select 1 from inbox_items b
            where b.delivery_id = d.id and b.created_at >= ${cutoffOf(now, s.inboxDays)})
          and not (
            -- the activation checklist (lib/activation) reads the tenant's latest delivered test
            -- alert, and the latest one to each of its endpoints that still exists
            d.status = 'delivered'
            and exists (
              select 1 from notification_jobs j where j.id = d.job_id and j.kind = 'alert.test')
            and (d.recipient_type <> 'endpoint'
              or exists (select 1 from alert_endpoints e where e.id = d.recipient_id))
            and not exists (
              select 1 from notification_jobs nj
              join deliveries n on n.job_id = nj.id
              where nj.org_id = d.org_id and nj.kind = 'alert.test'
                and n.status = 'delivered' and n.created_at > d.created_at
                and (d.recipient_type <> 'endpoint' or n.recipient_id = d.recipient_id)))
        limit ${batch}
        for update of d skip locked
      )) and status in ${FINISHED_DELIVERY}
      returning id`,
    notificationJobs:
      jobs &&
      sql`
      delete from notification_jobs where id = any(array(
        select j.id from notification_jobs j
        where j.created_at < ${jobs}
          and j.status in ${FINISHED_JOB}
          and not exists (select 1 from deliveries d where d.job_id = j.id)
          and not exists (
            select 1 from incidents i
            where i.id = (j.payload ->> 'incidentId')::uuid and i.status <> 'resolved')
          and not exists (
            select 1 from maintenances m
            where m.id = (j.payload ->> 'maintenanceId')::uuid and m.status <> 'completed')
        limit ${batch}
        for update of j skip locked
      )) and status in ${FINISHED_JOB}
      returning id`,
    metricSamples:
      samples &&
      sql`
      delete from metric_samples where id = any(array(
        select s.id from metric_samples s
        where s.at < ${samples}
          and exists (
            select 1 from metric_samples n
            where n.org_id = s.org_id and n.metric = s.metric and n.at > s.at)
        limit ${batch}
      ))
      returning id`,
    callRecords:
      calls &&
      sql`
      delete from call_records where id = any(array(
        select id from call_records where at < ${calls} limit ${batch}
      ))
      returning id`,
    inboxItems:
      inbox &&
      sql`
      delete from inbox_items where id = any(array(
        select b.id from inbox_items b
        where b.created_at < ${inbox}
          and not exists (
            select 1 from deliveries d join incidents i on i.id = d.incident_id
            where d.id = b.delivery_id and i.status <> 'resolved')
        limit ${batch}
      ))
      returning id`,
    devMailbox:
      mailbox &&
      sql`
      delete from dev_mailbox where id = any(array(
        select id from dev_mailbox where created_at < ${mailbox} limit ${batch}
      ))
      returning id`,
    invitations:
      invitations &&
      sql`
      delete from invitations where id = any(array(
        select id from invitations
        where accepted_at is null and expires_at < ${invitations}
        limit ${batch}
      )) and accepted_at is null
      returning id`,
  };
}

/** Deletes what is past its retention period, in bounded batches (see the top of this file). */
export async function pruneRetention(
  db: Db,
  opts: PruneRetentionOptions = {},
): Promise<RetentionResult> {
  const now = opts.now ?? new Date();
  const batch = opts.batch ?? RETENTION_BATCH;
  const maxRounds = opts.maxRounds ?? RETENTION_MAX_ROUNDS;
  const budgetMs = opts.budgetMs ?? RETENTION_BUDGET_MS;
  const started = performance.now();
  const statements = batches(now, opts.settings ?? retentionSettings(), batch);
  const deleted = Object.fromEntries(RETENTION_TABLES.map((t) => [t, 0])) as Record<
    RetentionTable,
    number
  >;
  // Tables in this order, so a job whose last delivery went in a round can go in the same round.
  const active = new Set(RETENTION_TABLES.filter((t) => statements[t] !== null));
  for (let round = 0; round < maxRounds && active.size > 0; round++) {
    for (const table of [...active]) {
      if (performance.now() - started >= budgetMs) return { deleted, more: true };
      const n = rowsOf(await db.execute(statements[table]!)).length;
      deleted[table] += n;
      if (n < batch) active.delete(table);
    }
  }
  return { deleted, more: active.size > 0 };
}

import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";
import { deliveries, notificationJobs, type NotificationJob } from "@/db/schema";
import { ensureDefaultAlertSettings } from "../defaults";
import { alertItemOf } from "@/lib/channels/message";
import {
  ENDPOINT_COLUMNS,
  LEASE_MS,
  LOCK_MS,
  planClaimedColumns,
  plannedClaim,
  emptyPrepCache,
  toEndpoint,
  toClaimed,
  type ClaimedDelivery,
  type PrepCache,
} from "../claim";
import { matrixEstimate, matrixFanoutSql } from "./matrix";
import { PART_ROWS, partCount, WHOLE } from "./parts";
import {
  clocksAt,
  inScope,
  orgClocks,
  orgSettings,
  type OneRecipient,
  type OrgScope,
} from "./scope";
import { reachesPublicSubscribers, subscriberFanoutSql } from "./subscribers";
import { warningFanoutSql } from "./warnings";
import { pageFanoutSql } from "./pages";
import { dueBefore } from "../due";

export type { PlanPart } from "./parts";
export type { OneRecipient } from "./scope";
export { matrixGates, type MatrixGates } from "./matrix";
export { memberSource } from "./members";
export { endpointSource } from "./endpoints";
export { recipientSource } from "./recipients";

/**
 * Planning: one outbox job → one `deliveries` row per (recipient, channel), with the routing trace.
 * The fan-out is an INSERT … SELECT per part of the job: a small job is one part, a large one is
 * split (parts.ts) into parts of about PART_ROWS rows, each committed on its own so sending
 * starts while the rest is planned. Only the per-tenant clock arithmetic (quiet hours, digest time
 * in each tenant's zone; scope.ts) is done in TypeScript, once per tenant, and passed in.
 * Running it twice, or again after a crash halfway, is harmless: a planned job is not planned
 * again, and every delivery has a unique idempotency key, so a re-run adds only what is missing.
 *
 * The fan-outs, each a SELECT that planning INSERTs from and the explainer (../explain.ts) runs
 * for one recipient without writing: the routing matrix (matrix.ts, with its candidate branches
 * members.ts, recipients.ts and endpoints.ts), user-level warnings (warnings.ts) and public
 * subscribers (subscribers.ts). The decisions and trace steps they share are in trace.ts.
 */

export interface PlannedDelivery {
  id: string;
  destination: string;
  status: string;
  runAt: Date;
}

export interface PlanResult {
  jobId: string;
  /** False when the job had already been planned (a re-run); the deliveries are then the existing ones. */
  planned: boolean;
  /** True when shouldStop ended planning between parts; the job is left unplanned. */
  stopped?: boolean;
  counts: Record<string, number>;
  /** Deliveries a driver should schedule: pending (due now or after quiet hours). */
  due: PlannedDelivery[];
}

/** How long a driver's claim on a job lasts before the sweeper hands it to another process. */
const JOB_LEASE_MS = 2 * 60 * 1000;

/** The columns every fan-out select yields, in this order. */
const PLANNED_COLUMNS = sql.raw(
  "job_id, org_id, channel, recipient_type, recipient_id, destination, idempotency_key, status, run_at, trace, incident_id",
);

/**
 * Writes a fan-out select's rows as deliveries. A re-run writes only what is missing (unique
 * idempotency key). With `claim`, every row due now is written already claimed ("sending",
 * attempt 1, locked like a claim from the queue) and returned with what sending needs, its
 * endpoint's columns included, so the driver sends it without another write or read.
 */
function insertPlanned(
  select: SQL,
  claim: { now: Date; lockedUntil: Date; lockedBy: string | null } | null,
) {
  if (!claim)
    return sql`
insert into deliveries (${PLANNED_COLUMNS})
select * from (${select}) planned
on conflict (idempotency_key) do nothing`;
  const lockedUntil = claim.lockedUntil.toISOString();
  return sql`
with planned as (
  select *, status = 'pending' and run_at < ${dueBefore(claim.now)}::timestamptz as claim from (${select}) s
),
ins as (
  insert into deliveries (${PLANNED_COLUMNS}, attempts, locked_until, locked_by)
  select job_id, org_id, channel, recipient_type, recipient_id, destination, idempotency_key,
    case when claim then 'sending'::delivery_status else status end, run_at, trace, incident_id,
    case when claim then 1 else 0 end, case when claim then ${lockedUntil}::timestamptz end,
    case when claim then ${claim.lockedBy}::uuid end
  from planned
  on conflict (idempotency_key) do nothing
  returning ${planClaimedColumns("deliveries")}, status = 'sending' as claimed
)
select ${planClaimedColumns("ins")}, ${ENDPOINT_COLUMNS} from ins
left join alert_endpoints e on ins.recipient_type = 'endpoint' and e.id = ins.recipient_id and e.org_id = ins.org_id
where ins.claimed`;
}

/**
 * Deliveries planning claimed, with the look-ups they need (shared by every part of one job). The
 * next part is planned when the returned promise resolves (back-pressure from the sender).
 */
export type OnClaimed = (deliveries: ClaimedDelivery[], cache: PrepCache) => void | Promise<void>;

export interface PlanOptions {
  now?: Date;
  /** Called (and awaited) after each part commits, so a driver can start sending what has landed. */
  onPart?: () => void | Promise<void>;
  /** Return the due deliveries (the Inngest driver dispatches them); otherwise only counts. */
  listDue?: boolean;
  /**
   * Rows per part (default PART_ROWS); Infinity plans in one statement, which suits PGlite, where
   * planning and sending share one thread and overlapping them gains nothing.
   */
  partRows?: number;
  /**
   * Claim what is due as it is written and hand it over (the embedded driver): each delivery is
   * then written once before its outcome instead of written, then claimed.
   */
  onClaimed?: OnClaimed;
  /**
   * With onClaimed, asked before each part: false writes the part unclaimed (pending), for any
   * driver instance to claim from the queue, so several instances share one large fan-out.
   */
  claimPart?: () => boolean;
  /** The embedded driver instance whose claims (leases) the claimed rows become. */
  instanceId?: string;
  /** Checked before each part: a stopping driver plans no further (the job is left unplanned). */
  shouldStop?: () => boolean;
}

class PlanningStopped extends Error {}

/** Plans one job. Safe to call from either driver, any number of times, even concurrently. */
export async function planJob(db: Db, jobId: string, opts: PlanOptions = {}): Promise<PlanResult> {
  const now = opts.now ?? new Date();
  const [job] = await db.select().from(notificationJobs).where(eq(notificationJobs.id, jobId));
  if (!job) throw new Error(`notification job ${jobId} not found`);
  let planned = false;
  if (job.status !== "planned") {
    try {
      await planParts(db, job, now, opts);
    } catch (e) {
      if (!(e instanceof PlanningStopped)) throw e;
      // Stopped between parts: the job stays unplanned; what was written is kept (a re-run adds
      // only what is missing). The caller releases the job (releaseJob).
      return { jobId, planned: false, stopped: true, counts: {}, due: [] };
    }
    const marked = await db
      .update(notificationJobs)
      .set({
        status: "planned",
        plannedAt: now,
        attempts: sql`${notificationJobs.attempts} + 1`,
        lastError: null,
        lockedBy: null,
      })
      .where(and(eq(notificationJobs.id, jobId), sql`${notificationJobs.status} <> 'planned'`))
      .returning({ id: notificationJobs.id });
    planned = marked.length > 0;
  }
  if (opts.listDue === false) {
    const res = await db.execute(sql`
      select status, count(*)::int as n from deliveries where job_id = ${jobId}::uuid group by status`);
    const counts = Object.fromEntries(
      rowsOf<{ status: string; n: number }>(res).map((r) => [r.status, Number(r.n)]),
    );
    return { jobId, planned, counts, due: [] };
  }
  const rows = await db
    .select({
      id: deliveries.id,
      destination: deliveries.destination,
      status: deliveries.status,
      runAt: deliveries.runAt,
    })
    .from(deliveries)
    .where(eq(deliveries.jobId, jobId));
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return {
    jobId,
    planned,
    counts,
    due: rows.filter((r) => r.status === "pending"),
  };
}

/** Writes a job's deliveries, one committed statement per part. */
async function planParts(db: Db, job: NotificationJob, now: Date, opts: PlanOptions) {
  const partRows = opts.partRows ?? PART_ROWS;
  // The job and its rendered message are shared by every part; endpoints are per part, so a
  // large fan-out does not keep every endpoint it sent to until the job is done.
  const shared = emptyPrepCache();
  shared.jobs.set(job.id, alertItemOf(job));
  let parts = 0;
  const write = async (select: SQL) => {
    if (opts.shouldStop?.()) throw new PlanningStopped();
    if (parts++ > 0) {
      // A long fan-out outlives the job's claim: extend it, or the sweeper hands the job to
      // another process to plan again (harmless, but wasted).
      await db
        .update(notificationJobs)
        .set({ runAt: new Date(Date.now() + JOB_LEASE_MS) })
        .where(and(eq(notificationJobs.id, job.id), eq(notificationJobs.status, "planning")));
    }
    // The lock runs from when the part is written (planning may have waited for the sender).
    const claim =
      opts.onClaimed && (opts.claimPart?.() ?? true)
        ? {
            now,
            lockedUntil: new Date(Date.now() + (opts.instanceId ? LEASE_MS : LOCK_MS)),
            lockedBy: opts.instanceId ?? null,
          }
        : null;
    const res = await db.execute(insertPlanned(select, claim));
    if (opts.onClaimed && claim) {
      const cache: PrepCache = { ...shared, endpoints: new Map() };
      const rows = rowsOf<Record<string, unknown>>(res);
      for (const r of rows) {
        const e = toEndpoint(r);
        if (e) cache.endpoints.set(e.id, e);
      }
      const known = plannedClaim(job.id, claim.lockedUntil, claim.lockedBy);
      if (rows.length)
        await opts.onClaimed(
          rows.map((r) => toClaimed(r, known)),
          cache,
        );
    }
    await opts.onPart?.();
  };
  const audience = job.payload.audience;
  const scope: OrgScope = audience.type === "public" ? "all-tenants" : [audience.orgId];
  if (job.kind === "user.warning") {
    // Addressed to members, not routed by the matrix: no defaults to create. An organization
    // without alert settings (the platform's) simply has no quiet hours or digest.
    await write(warningFanoutSql(job, await orgClocks(db, scope, now), now));
    return;
  }
  if (job.kind === "oncall.page") {
    // Addressed to one escalation tier's members and endpoints (lib/oncall/), now.
    await write(pageFanoutSql(job, now));
    return;
  }
  // Tenants created before alerting existed (or by code that forgot) get the seed's defaults.
  await ensureDefaultAlertSettings(db, inScope(sql`o.id`, scope));
  if (!job.payload.test) {
    const clocks = await orgClocks(db, scope, now);
    if (clocks.length > 0) {
      const of = partCount(await matrixEstimate(db, scope), partRows);
      for (let index = 0; index < of; index++)
        await write(matrixFanoutSql(job, clocks, now, { index, of }));
    }
  }
  // Only public jobs: a tenant-only incident never reaches public subscribers.
  if (reachesPublicSubscribers(job)) {
    const res = await db.execute(
      sql`select count(*)::int as n from public_subscribers where confirmed_at is not null`,
    );
    const of = partCount(Number(rowsOf<{ n: number }>(res)[0]?.n ?? 0), partRows);
    for (let index = 0; index < of; index++)
      await write(subscriberFanoutSql(job, now, { index, of }));
  }
}

/** A row a fan-out SELECT yields (what planning writes as a delivery), as the driver returns it. */
export interface DryRunRow {
  jobId: string;
  orgId: string;
  channel: string;
  recipientType: string;
  recipientId: string | null;
  destination: string;
  idempotencyKey: string;
  status: string;
  runAt: Date;
  trace: { step: string; outcome: string; detail: string }[];
}

/**
 * Planning's fan-out for one recipient of organization `org`, without writing: for each job, the
 * SELECT planParts inserts from (the same statement, restricted to `who`), with the clocks at the
 * job's planning time (now for a job not planned yet). One statement for all the jobs. A test job
 * (sent to one destination, not routed) and public subscribers are not covered; nor are default
 * settings created, so an organization without alert settings is routed nothing.
 */
export async function dryRunPlan(
  db: Db,
  jobs: NotificationJob[],
  org: { id: string; kind: string },
  who: NonNullable<OneRecipient>,
): Promise<DryRunRow[]> {
  // The job's audience, as planParts scopes it: its tenant, or every tenant for a public job.
  const reaches = (job: NotificationJob) =>
    job.payload.audience.type === "public"
      ? org.kind === "tenant"
      : job.payload.audience.orgId === org.id;
  // On-call pages are addressed, not routed: the escalation timeline says who was paged.
  const routed = jobs.filter((j) => !j.payload.test && j.kind !== "oncall.page" && reaches(j));
  if (routed.length === 0) return [];
  const settings = await orgSettings(db, [org.id]);
  const selects = routed.map((job) => {
    const now = job.plannedAt ?? new Date();
    const clocks = clocksAt(settings, now);
    const select =
      job.kind === "user.warning"
        ? warningFanoutSql(job, clocks, now, who)
        : matrixFanoutSql(job, clocks, now, WHOLE, who);
    return sql`select * from (${select}) d`;
  });
  const res = await db.execute(sql.join(selects, sql` union all `));
  return rowsOf<Record<string, unknown>>(res).map((r) => ({
    jobId: r.job_id as string,
    orgId: r.org_id as string,
    channel: r.channel as string,
    recipientType: r.recipient_type as string,
    recipientId: (r.recipient_id as string) ?? null,
    destination: r.destination as string,
    idempotencyKey: r.idempotency_key as string,
    status: r.status as string,
    runAt: new Date(r.run_at as string),
    trace: (typeof r.trace === "string" ? JSON.parse(r.trace) : r.trace) as DryRunRow["trace"],
  }));
}

/**
 * Claims due outbox jobs for the embedded driver (pending → planning) so two processes never plan
 * the same job at once. With `instanceId` the claim is that instance's lease (renewed by its
 * heartbeat); a job left in "planning" by a dead instance is handed back by the sweeper within
 * seconds, and planning it again adds only what is missing.
 */
export async function claimDueJobs(
  db: Db,
  opts: { now?: Date; limit?: number; instanceId?: string } = {},
): Promise<string[]> {
  const now = opts.now ?? new Date();
  const res = await db.execute(sql`
    update notification_jobs set status = 'planning', locked_by = ${opts.instanceId ?? null}::uuid,
      run_at = ${now.toISOString()}::timestamptz + ${JOB_LEASE_MS}::int * interval '1 millisecond'
    where id in (
      select id from notification_jobs
      where status = 'pending' and run_at < ${dueBefore(now)}::timestamptz
      order by run_at limit ${opts.limit ?? 20}
      for update skip locked)
    returning id`);
  return rowsOf<{ id: string }>(res).map((r) => r.id);
}

/** Hands a claimed job back to the queue unplanned (a driver that stops before planning it). */
export async function releaseJob(db: Db, jobId: string, now = new Date()) {
  await db
    .update(notificationJobs)
    .set({ status: "pending", runAt: now, lockedBy: null })
    .where(and(eq(notificationJobs.id, jobId), eq(notificationJobs.status, "planning")));
}

/** Marks a job failed after planning threw, keeping the error; it is retried by the sweeper. */
export async function markJobError(db: Db, jobId: string, error: unknown, now = new Date()) {
  const message = error instanceof Error ? error.message : String(error);
  await db
    .update(notificationJobs)
    .set({
      status: sql`case when ${notificationJobs.attempts} >= 9 then 'failed'::job_status else 'pending'::job_status end`,
      attempts: sql`${notificationJobs.attempts} + 1`,
      lastError: message,
      runAt: new Date(now.getTime() + 30_000),
      lockedBy: null,
    })
    .where(
      and(
        eq(notificationJobs.id, jobId),
        inArray(notificationJobs.status, ["pending", "planning"]),
      ),
    );
}

import { and, asc, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import {
  deliveries,
  deliveryAttempts,
  incidents,
  notificationJobs,
  organizations,
  type Channel,
} from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { requirePermission } from "@/lib/context";
import { ForbiddenError, NotFoundError, parseInput } from "@/lib/errors";
import { idOf } from "@/lib/ids";
import { DEV_MAILBOX_PROVIDER_PREFIX } from "@/lib/labels";

/**
 * What became of a delivery, as the incident page counts it: its status, except that a pending
 * delivery already tried is "retrying", a new or claimed one "sending", and a message that only
 * reached the development mailbox "dev_mailbox" (never counted as delivered).
 */
export const OUTCOMES = [
  "delivered",
  "dev_mailbox",
  "digested",
  "held",
  "sending",
  "retrying",
  "failed",
  "suppressed",
  "skipped",
] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type OutcomeCounts = Record<Outcome, number>;

const outcomeSql = sql<Outcome>`case
  when ${deliveries.status} = 'pending' and ${deliveries.attempts} > 0 then 'retrying'
  when ${deliveries.status} in ('pending', 'sending') then 'sending'
  when ${deliveries.status} = 'delivered' and ${deliveries.providerId} like ${DEV_MAILBOX_PROVIDER_PREFIX + "%"} then 'dev_mailbox'
  else ${deliveries.status}::text end`;

const zero = (): OutcomeCounts => Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as OutcomeCounts;

const IncidentInput = z.object({ incidentId: idOf("incident") });

export interface FanoutUpdate {
  jobId: string;
  kind: string;
  /** The incident status the update announced ("investigating", "resolved"…), when it said one. */
  status: string | null;
  createdAt: string;
  /** False while the job is still being expanded into deliveries. */
  planned: boolean;
  /** Every delivery planned, the suppressed and skipped ones included. */
  total: number;
  counts: OutcomeCounts;
  /** The earliest next try of a delivery being retried, if any. */
  nextRetryAt: string | null;
}

export interface FanoutProgress {
  /** One entry per notification of the incident (opened, each update), oldest first. */
  updates: FanoutUpdate[];
  /** True while anything is still being planned, sent or retried. */
  inFlight: boolean;
}

/**
 * Fan-out progress of an incident's notifications, one entry per notification (the opening and
 * each update): delivered / held / sending / retrying / failed of its total, with the next try
 * of what is being retried. The notifications are this organization's own (the platform's, for
 * its incidents): the counts span every tenant they reached, never a tenant's message.
 */
export async function getFanoutProgress({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<FanoutProgress> {
  requirePermission(ctx, "incidents:read");
  const { incidentId } = parseInput(IncidentInput, input);
  const rows = await ctx.db
    .select({
      jobId: notificationJobs.id,
      kind: notificationJobs.kind,
      jobStatus: notificationJobs.status,
      status: sql<string | null>`${notificationJobs.payload} ->> 'status'`,
      createdAt: notificationJobs.createdAt,
      outcome: sql<Outcome | null>`case when ${deliveries.id} is null then null else ${outcomeSql} end`,
      n: sql<number>`count(${deliveries.id})::int`,
      nextRetryAt: sql<
        string | null
      >`min(${deliveries.runAt}) filter (where ${deliveries.status} = 'pending' and ${deliveries.attempts} > 0)`,
    })
    .from(notificationJobs)
    .leftJoin(deliveries, eq(deliveries.jobId, notificationJobs.id))
    .where(
      and(
        eq(notificationJobs.orgId, ctx.org.id),
        sql`${notificationJobs.payload} ->> 'incidentId' = ${incidentId}`,
      ),
    )
    .groupBy(notificationJobs.id, sql`6`)
    .orderBy(asc(notificationJobs.createdAt), asc(notificationJobs.id));
  const byJob = new Map<string, FanoutUpdate>();
  for (const r of rows) {
    let u = byJob.get(r.jobId);
    if (!u) {
      u = {
        jobId: r.jobId,
        kind: r.kind,
        status: r.status,
        createdAt: new Date(r.createdAt).toISOString(),
        planned: r.jobStatus === "planned" || r.jobStatus === "failed",
        total: 0,
        counts: zero(),
        nextRetryAt: null,
      };
      byJob.set(r.jobId, u);
    }
    if (r.outcome) {
      u.counts[r.outcome] += Number(r.n);
      u.total += Number(r.n);
    }
    if (r.nextRetryAt) {
      const at = new Date(r.nextRetryAt).toISOString();
      if (!u.nextRetryAt || at < u.nextRetryAt) u.nextRetryAt = at;
    }
  }
  const updates = [...byJob.values()];
  return {
    updates,
    inFlight: updates.some(
      (u) => !u.planned || u.counts.sending > 0 || u.counts.retrying > 0 || u.counts.held > 0,
    ),
  };
}

/**
 * An address only as much as support needs to tell recipients apart: an email's first letter and
 * domain, a phone number's last four digits. Endpoint and webhook destinations are
 * already a name and a host hint, and are kept.
 */
export function maskDestination(channel: Channel | string, destination: string): string {
  const email = /^([^@\s])[^@\s]*@([^@\s]+)$/.exec(destination);
  if (email) return `${email[1]}•••@${email[2]}`;
  if (channel === "sms") {
    const digits = destination.replace(/[^\d+]/g, "");
    if (digits.length <= 4) return "•••";
    return `${digits.startsWith("+") ? "+" : ""}•••${digits.slice(-4)}`;
  }
  return destination;
}

export interface BreakdownRow {
  /** The organization the deliveries belong to: a tenant, or the platform for public subscribers. */
  orgId: string;
  orgName: string;
  publicSubscribers: boolean;
  channel: Channel;
  outcome: Outcome;
  n: number;
}

export interface DeliveryProblem {
  id: string;
  orgName: string;
  channel: Channel;
  outcome: "failed" | "retrying";
  destination: string;
  error: string | null;
  attempts: number;
  /** When it last was tried (or planned, if never tried). */
  at: string;
  nextTryAt: string | null;
}

export interface IncidentDeliveryBreakdown {
  rows: BreakdownRow[];
  byTenant: { orgId: string; orgName: string; total: number; counts: OutcomeCounts }[];
  byChannel: { channel: Channel; total: number; counts: OutcomeCounts }[];
  totals: { total: number; counts: OutcomeCounts };
  /** Failed and retrying deliveries, newest first (at most 100; problemCount counts them all). */
  problems: DeliveryProblem[];
  problemCount: number;
}

/** Who may see which tenants an incident's alerts reached: platform staff who read deliveries. */
function requirePlatformDeliveries(ctx: Ctx) {
  requirePermission(ctx, "deliveries:read");
  if (ctx.org.kind !== "platform")
    throw new ForbiddenError("Only platform staff see the deliveries of every tenant");
}

/**
 * For platform staff: where an incident's alerts went, across the tenants that received them —
 * counts by tenant, channel and outcome, and the failed and retrying deliveries with their error,
 * tenant, channel and time. Never a message body; addresses masked (maskDestination).
 */
export async function getIncidentDeliveryBreakdown({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<IncidentDeliveryBreakdown> {
  requirePlatformDeliveries(ctx);
  const { incidentId } = parseInput(IncidentInput, input);
  const [incident] = await ctx.db
    .select({ id: incidents.id })
    .from(incidents)
    .where(and(eq(incidents.id, incidentId), eq(incidents.orgId, ctx.org.id)));
  if (!incident) throw new NotFoundError("Incident");
  // Deliveries of this organization's own notifications about the incident.
  const mine = and(
    eq(deliveries.incidentId, incident.id),
    eq(notificationJobs.orgId, ctx.org.id),
    sql`${notificationJobs.payload} ->> 'incidentId' = ${incident.id}`,
  );
  const grouped = await ctx.db
    .select({
      orgId: deliveries.orgId,
      orgName: organizations.name,
      orgKind: organizations.kind,
      channel: deliveries.channel,
      outcome: outcomeSql,
      n: sql<number>`count(*)::int`,
    })
    .from(deliveries)
    .innerJoin(notificationJobs, eq(notificationJobs.id, deliveries.jobId))
    .innerJoin(organizations, eq(organizations.id, deliveries.orgId))
    .where(mine)
    .groupBy(deliveries.orgId, organizations.name, organizations.kind, deliveries.channel, sql`5`)
    .orderBy(asc(organizations.name), asc(deliveries.channel));
  const orgLabel = (r: { orgName: string; orgKind: string }) =>
    r.orgKind === "platform" ? "Public subscribers" : r.orgName;
  const rows: BreakdownRow[] = grouped.map((r) => ({
    orgId: r.orgId,
    orgName: orgLabel(r),
    publicSubscribers: r.orgKind === "platform",
    channel: r.channel,
    outcome: r.outcome,
    n: Number(r.n),
  }));
  const tenants = new Map<string, IncidentDeliveryBreakdown["byTenant"][number]>();
  const channels = new Map<Channel, IncidentDeliveryBreakdown["byChannel"][number]>();
  const totals = { total: 0, counts: zero() };
  for (const r of rows) {
    const t = tenants.get(r.orgId) ?? {
      orgId: r.orgId,
      orgName: r.orgName,
      total: 0,
      counts: zero(),
    };
    const c = channels.get(r.channel) ?? { channel: r.channel, total: 0, counts: zero() };
    for (const agg of [t, c, totals]) {
      agg.total += r.n;
      agg.counts[r.outcome] += r.n;
    }
    tenants.set(r.orgId, t);
    channels.set(r.channel, c);
  }

  const problem = and(
    mine,
    sql`(${deliveries.status} = 'failed' or (${deliveries.status} = 'pending' and ${deliveries.attempts} > 0))`,
  );
  const lastTry = sql<
    string | null
  >`(select max(${deliveryAttempts.startedAt}) from ${deliveryAttempts} where ${deliveryAttempts.deliveryId} = ${deliveries.id})`;
  const [problemRows, [problemCount]] = await Promise.all([
    ctx.db
      .select({
        id: deliveries.id,
        orgName: organizations.name,
        orgKind: organizations.kind,
        channel: deliveries.channel,
        status: deliveries.status,
        destination: deliveries.destination,
        error: deliveries.error,
        attempts: deliveries.attempts,
        runAt: deliveries.runAt,
        createdAt: deliveries.createdAt,
        lastTry,
      })
      .from(deliveries)
      .innerJoin(notificationJobs, eq(notificationJobs.id, deliveries.jobId))
      .innerJoin(organizations, eq(organizations.id, deliveries.orgId))
      .where(problem)
      .orderBy(desc(sql`coalesce(${lastTry}, ${deliveries.createdAt})`), asc(deliveries.id))
      .limit(100),
    ctx.db
      .select({ n: sql<number>`count(*)::int` })
      .from(deliveries)
      .innerJoin(notificationJobs, eq(notificationJobs.id, deliveries.jobId))
      .where(problem),
  ]);
  return {
    rows,
    byTenant: [...tenants.values()],
    byChannel: [...channels.values()],
    totals,
    problems: problemRows.map((p) => ({
      id: p.id,
      orgName: orgLabel(p),
      channel: p.channel,
      outcome: p.status === "failed" ? "failed" : "retrying",
      destination: maskDestination(p.channel, p.destination),
      error: p.error,
      attempts: p.attempts,
      at: new Date(p.lastTry ?? p.createdAt).toISOString(),
      nextTryAt: p.status === "failed" ? null : new Date(p.runAt).toISOString(),
    })),
    problemCount: Number(problemCount?.n ?? 0),
  };
}

import { and, asc, count, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import { containsText } from "@/db/like";
import { z } from "zod";
import {
  alertEndpoints,
  alertRules,
  alertSettings,
  CHANNELS,
  deliveries,
  DELIVERY_STATUSES,
  deliveryAttempts,
  memberships,
  notificationJobs,
  users,
  type Delivery,
  type DeliveryAttempt,
} from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { requirePermission, withTransaction } from "@/lib/context";
import { wakeJobDriverOnCommit } from "@/lib/jobs/outbox";
import { recordAudit } from "@/lib/audit";
import { NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { idOf, parseTargetInput } from "@/lib/ids";
import { ROLE_GROUP_LABELS, type TenantRole } from "@/lib/auth/roles";

export const ListDeliveriesInput = z.object({
  incidentId: z.uuid({ message: "must be an incident id" }).optional(),
  jobId: z.uuid({ message: "must be a notification id" }).optional(),
  channel: z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(", ")}` }).optional(),
  status: z
    .enum(DELIVERY_STATUSES, { message: `must be one of ${DELIVERY_STATUSES.join(", ")}` })
    .optional(),
  recipient: z.string().trim().max(200).optional(),
  before: z.iso.datetime({ message: "must be an ISO timestamp" }).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface DeliveryRow extends Delivery {
  title: string | null;
  kind: string | null;
}

export async function listDeliveries({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<DeliveryRow[]> {
  requirePermission(ctx, "deliveries:read");
  const f = parseInput(ListDeliveriesInput, input ?? {});
  const where: SQL[] = [eq(deliveries.orgId, ctx.org.id)];
  if (f.incidentId) where.push(eq(deliveries.incidentId, f.incidentId));
  if (f.jobId) where.push(eq(deliveries.jobId, f.jobId));
  if (f.channel) where.push(eq(deliveries.channel, f.channel));
  if (f.status) where.push(eq(deliveries.status, f.status));
  if (f.recipient) where.push(containsText(deliveries.destination, f.recipient));
  if (f.before) where.push(lt(deliveries.createdAt, new Date(f.before)));
  const rows = await ctx.db
    .select({
      d: deliveries,
      title: sql<string | null>`${notificationJobs.payload} ->> 'title'`,
      kind: notificationJobs.kind,
    })
    .from(deliveries)
    .leftJoin(notificationJobs, eq(notificationJobs.id, deliveries.jobId))
    .where(and(...where))
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(f.limit);
  return rows.map((r) => ({
    ...r.d,
    title: r.title ?? (r.d.jobId ? null : "Digest"),
    kind: r.kind,
  }));
}

export interface DeliveryDetail extends DeliveryRow {
  attemptLog: DeliveryAttempt[];
  digestItems: { id: string; title: string | null }[];
}

/** A delivery of the caller's organization; a malformed id is not found, like an unknown one. */
const DeliveryIdInput = z.object({ id: idOf("delivery") });
const parseDeliveryId = (input: unknown) =>
  parseTargetInput(DeliveryIdInput, input, { field: "id", notFound: "Delivery" }).id;

async function loadOwn(ctx: Ctx, id: string, db: Pick<Ctx["db"], "select"> = ctx.db) {
  const [row] = await db
    .select({
      d: deliveries,
      title: sql<string | null>`${notificationJobs.payload} ->> 'title'`,
      kind: notificationJobs.kind,
    })
    .from(deliveries)
    .leftJoin(notificationJobs, eq(notificationJobs.id, deliveries.jobId))
    .where(and(eq(deliveries.id, id), eq(deliveries.orgId, ctx.org.id)));
  if (!row) throw new NotFoundError("Delivery");
  return { ...row.d, title: row.title ?? (row.d.jobId ? null : "Digest"), kind: row.kind };
}

export async function getDelivery({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<DeliveryDetail> {
  requirePermission(ctx, "deliveries:read");
  const d = await loadOwn(ctx, parseDeliveryId(input));
  const attempts = await ctx.db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, d.id))
    .orderBy(asc(deliveryAttempts.attempt));
  const digestItems = d.jobId
    ? []
    : await ctx.db
        .select({
          id: deliveries.id,
          title: sql<string | null>`${notificationJobs.payload} ->> 'title'`,
        })
        .from(deliveries)
        .leftJoin(notificationJobs, eq(notificationJobs.id, deliveries.jobId))
        .where(and(eq(deliveries.digestId, d.id), eq(deliveries.orgId, ctx.org.id)));
  return { ...d, attemptLog: attempts, digestItems };
}

/** Sends a failed (or delivered) delivery again, with a fresh set of attempts. */
export async function resendDelivery({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<Delivery> {
  requirePermission(ctx, "alerts:manage");
  const id = parseDeliveryId(input);
  return withTransaction(ctx, async (tx) => {
    const d = await loadOwn(ctx, id, tx);
    if (d.status !== "failed" && d.status !== "delivered") {
      throw new ValidationError([
        {
          field: "id",
          message: `a ${d.status} delivery cannot be resent; only failed or delivered ones`,
        },
      ]);
    }
    const [row] = await tx
      .update(deliveries)
      .set({
        status: "pending",
        runAt: new Date(),
        maxAttempts: sql`${deliveries.attempts} + 6`,
        error: null,
        lockedUntil: null,
      })
      .where(and(eq(deliveries.id, d.id), eq(deliveries.orgId, ctx.org.id)))
      .returning();
    await recordAudit(tx, ctx, {
      action: "delivery.resend",
      targetType: "delivery",
      targetId: d.id,
      data: { previousStatus: d.status },
    });
    wakeJobDriverOnCommit(tx);
    return row!;
  });
}

export const ExplainInput = z
  .object({
    incidentId: z.uuid({ message: "must be an incident id" }).optional(),
    jobId: z.uuid({ message: "must be a notification id" }).optional(),
    userId: z.uuid({ message: "must be a member id" }).optional(),
    endpointId: z.uuid({ message: "must be an endpoint id" }).optional(),
  })
  .superRefine((v, c) => {
    if (!v.incidentId && !v.jobId)
      c.addIssue({
        code: "custom",
        path: ["incidentId"],
        message: "pick an incident (or a notification)",
      });
    if (!v.userId === !v.endpointId)
      c.addIssue({
        code: "custom",
        path: ["userId"],
        message: "pick exactly one member or endpoint",
      });
  });

export interface Explanation {
  subject: string;
  notifications: {
    jobId: string;
    title: string;
    kind: string;
    category: string;
    createdAt: Date;
    decisions: {
      channel: string;
      status: string;
      deliveryId: string | null;
      steps: { step: string; outcome: string; detail: string }[];
    }[];
  }[];
}

/**
 * "Why did or didn't this person (or endpoint) get this alert?": for each notification of the
 * incident, every channel's decision in order — the stored trace when a delivery row exists, else
 * why routing never produced one (category off, channel not ticked for the role group, no phone).
 */
export async function explainRouting({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<Explanation> {
  requirePermission(ctx, "deliveries:read");
  const f = parseInput(ExplainInput, input);
  const org = ctx.org.id;
  let subject: string;
  let roleGroup: TenantRole | null = null;
  let phone: string | null = null;
  let endpointType: string | null = null;
  let endpointEnabled = true;
  if (f.userId) {
    const [m] = await ctx.db
      .select({ role: memberships.role, email: users.email, name: users.name, phone: users.phone })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.userId, f.userId), eq(memberships.orgId, org)));
    if (!m) throw new NotFoundError("Member");
    roleGroup = m.role as TenantRole;
    phone = m.phone;
    subject = `${m.name || m.email} (${ROLE_GROUP_LABELS[roleGroup] ?? m.role})`;
  } else {
    const [e] = await ctx.db
      .select()
      .from(alertEndpoints)
      .where(and(eq(alertEndpoints.id, f.endpointId!), eq(alertEndpoints.orgId, org)));
    if (!e) throw new NotFoundError("Endpoint");
    subject = `${e.name} (${e.type}, ${e.urlHint})`;
    endpointType = e.type;
    endpointEnabled = e.enabled;
    roleGroup = e.roleGroup;
  }
  // Notifications that reached this tenant's audience: tenant-specific ones for this org, and public ones.
  const jobs = await ctx.db
    .select()
    .from(notificationJobs)
    .where(
      and(
        f.jobId
          ? eq(notificationJobs.id, f.jobId)
          : sql`${notificationJobs.payload} ->> 'incidentId' = ${f.incidentId!}`,
        sql`(${notificationJobs.payload} -> 'audience' ->> 'type' = 'public' or ${notificationJobs.payload} -> 'audience' ->> 'orgId' = ${org})`,
      ),
    )
    .orderBy(asc(notificationJobs.createdAt));
  const [settings] = await ctx.db.select().from(alertSettings).where(eq(alertSettings.orgId, org));
  const rules = await ctx.db.select().from(alertRules).where(eq(alertRules.orgId, org));
  const recipientFilter = f.userId
    ? eq(deliveries.recipientId, f.userId)
    : eq(deliveries.recipientId, f.endpointId!);
  const notifications: Explanation["notifications"] = [];
  for (const job of jobs) {
    const rows = await ctx.db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.jobId, job.id), eq(deliveries.orgId, org), recipientFilter));
    const p = job.payload;
    const channels = f.userId
      ? (["email", "sms", "in_app"] as const)
      : ([endpointType!] as string[]);
    const decisions: Explanation["notifications"][number]["decisions"] = [];
    for (const ch of channels) {
      const row = rows.find((r) => r.channel === ch);
      if (row) {
        decisions.push({ channel: ch, status: row.status, deliveryId: row.id, steps: row.trace });
        continue;
      }
      const steps: { step: string; outcome: string; detail: string }[] = [];
      if (job.status !== "planned")
        steps.push({
          step: "planning",
          outcome: "info",
          detail: `not planned yet (${job.status})`,
        });
      else if (p.test)
        steps.push({
          step: "test",
          outcome: "info",
          detail: "a test alert goes only to the destination it was sent to",
        });
      else if (job.kind === "user.warning")
        steps.push({
          step: "rule",
          outcome: "suppressed",
          detail: f.userId
            ? "this user-level warning was addressed to other members"
            : "user-level warnings go to members, never to endpoints",
        });
      else if (!settings)
        steps.push({
          step: "settings",
          outcome: "suppressed",
          detail: "this tenant had no alert settings",
        });
      else {
        const cells = rules.filter(
          (r) =>
            r.category === p.category &&
            r.channel === ch &&
            (roleGroup === null || r.roleGroup === roleGroup),
        );
        const on = cells.filter((r) => r.enabled);
        const topical = on.filter((r) => r.topic === null || r.topic === p.topic);
        const who = roleGroup ? ROLE_GROUP_LABELS[roleGroup] : "any role group";
        if (on.length === 0)
          steps.push({
            step: "rule",
            outcome: "suppressed",
            detail: `${ch} is not ticked for ${who} in ${p.category}`,
          });
        else if (topical.length === 0)
          steps.push({
            step: "rule",
            outcome: "suppressed",
            detail: `${ch} for ${who} in ${p.category} is only for ${on.map((r) => r.topic).join(", ")} alerts`,
          });
        else if (ch === "sms" && !phone)
          steps.push({
            step: "recipient",
            outcome: "suppressed",
            detail: "no phone number on this member's profile",
          });
        else if (!endpointEnabled)
          steps.push({
            step: "endpoint",
            outcome: "suppressed",
            detail: "the endpoint was disabled",
          });
        else
          steps.push({
            step: "rule",
            outcome: "info",
            detail: "a matching rule exists; the same address was reached through another route",
          });
      }
      decisions.push({ channel: ch, status: "not sent", deliveryId: null, steps });
    }
    notifications.push({
      jobId: job.id,
      title: p.title,
      kind: job.kind,
      category: p.category,
      createdAt: job.createdAt,
      decisions,
    });
  }
  return { subject, notifications };
}

/** Fan-out progress of an incident's notifications (delivered / held / failed of total), for responders. */
const FanoutProgressInput = z.object({ incidentId: idOf("incident") });

export async function getFanoutProgress({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incidents:read");
  const { incidentId } = parseInput(FanoutProgressInput, input);
  const rows = await ctx.db
    .select({ status: deliveries.status, n: count() })
    .from(deliveries)
    .innerJoin(notificationJobs, eq(notificationJobs.id, deliveries.jobId))
    .where(and(eq(deliveries.incidentId, incidentId), eq(notificationJobs.orgId, ctx.org.id)))
    .groupBy(deliveries.status);
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Partial<
    Record<Delivery["status"], number>
  >;
  const total = rows.reduce((a, r) => a + Number(r.n), 0);
  return {
    total,
    delivered: (by.delivered ?? 0) + (by.digested ?? 0),
    held: by.held ?? 0,
    pending: (by.pending ?? 0) + (by.sending ?? 0),
    failed: by.failed ?? 0,
    suppressed: by.suppressed ?? 0,
  };
}

import { and, asc, count, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import { containsText } from "@/db/like";
import { z } from "zod";
import { DATE_RANGE_MESSAGE, inDateRange, storable } from "@/lib/validation";
import {
  CHANNELS,
  deliveries,
  DELIVERY_STATUSES,
  deliveryAttempts,
  notificationJobs,
  type Delivery,
  type DeliveryAttempt,
} from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { requirePermission, withTransaction } from "@/lib/context";
import { wakeJobDriverOnCommit } from "./outbox";
import { MAX_ATTEMPTS } from "./retry";
import { recordAudit } from "@/lib/audit";
import { NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { idOf, parseTargetInput } from "@/lib/ids";
import { deliveryReason } from "@/lib/labels";

export const ListDeliveriesInput = z.object({
  incidentId: z.uuid({ message: "must be an incident id" }).optional(),
  jobId: z.uuid({ message: "must be a notification id" }).optional(),
  channel: z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(", ")}` }).optional(),
  status: z
    .enum(DELIVERY_STATUSES, { message: `must be one of ${DELIVERY_STATUSES.join(", ")}` })
    .optional(),
  recipient: storable(z.string().trim().max(200)).optional(),
  before: z.iso
    .datetime({ message: "must be an ISO timestamp" })
    .refine((s) => inDateRange(new Date(s)), { message: DATE_RANGE_MESSAGE })
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface DeliveryRow extends Delivery {
  title: string | null;
  kind: string | null;
  /** Why it is where it is, in one line (see deliveryReason): "skipped: endpoint disabled on …". */
  reason: string | null;
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
    reason: deliveryReason(r.d),
  }));
}

/** What can be sent again by hand: what ended, or what a disabled endpoint missed. */
export const RESENDABLE: readonly Delivery["status"][] = ["failed", "delivered", "skipped"];

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
  return {
    ...row.d,
    title: row.title ?? (row.d.jobId ? null : "Digest"),
    kind: row.kind,
    reason: deliveryReason(row.d),
  };
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

/**
 * Sends a failed (or delivered) delivery again, with a fresh set of attempts; or a skipped one, what
 * a disabled endpoint missed, once it is enabled again.
 */
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
    if (!RESENDABLE.includes(d.status)) {
      throw new ValidationError([
        {
          field: "id",
          message: `a ${d.status} delivery cannot be resent; only failed, delivered or skipped ones`,
        },
      ]);
    }
    const [row] = await tx
      .update(deliveries)
      .set({
        status: "pending",
        runAt: new Date(),
        maxAttempts: sql`${deliveries.attempts} + ${MAX_ATTEMPTS}`,
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

/**
 * Fan-out progress of an incident's notifications (delivered / held / failed of total, and those
 * suppressed by routing or skipped because their endpoint is disabled), for responders.
 */
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
    skipped: by.skipped ?? 0,
  };
}

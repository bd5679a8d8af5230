import { and, asc, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import { containsText } from "@/db/like";
import { z } from "zod";
import { DATE_RANGE_MESSAGE, inDateRange, storable } from "@/lib/validation";
import {
  CHANNELS,
  deliveries,
  DELIVERY_STATUSES,
  deliveryAttempts,
  incidents,
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
import { deliveryReason, deliveryStateLabel, deliveryStatusText, inDevMailbox } from "@/lib/labels";

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
  /** The title of the incident the alert was about, if it was about one. */
  incidentTitle: string | null;
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
      incidentTitle: incidents.title,
    })
    .from(deliveries)
    .leftJoin(notificationJobs, eq(notificationJobs.id, deliveries.jobId))
    .leftJoin(incidents, eq(incidents.id, deliveries.incidentId))
    .where(and(...where))
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(f.limit);
  return rows.map((r) => ({
    ...r.d,
    title: r.title ?? (r.d.jobId ? null : "Digest"),
    kind: r.kind,
    reason: deliveryReason(r.d),
    incidentTitle: r.incidentTitle,
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
      incidentTitle: incidents.title,
    })
    .from(deliveries)
    .leftJoin(notificationJobs, eq(notificationJobs.id, deliveries.jobId))
    .leftJoin(incidents, eq(incidents.id, deliveries.incidentId))
    .where(and(eq(deliveries.id, id), eq(deliveries.orgId, ctx.org.id)));
  if (!row) throw new NotFoundError("Delivery");
  return {
    ...row.d,
    title: row.title ?? (row.d.jobId ? null : "Digest"),
    kind: row.kind,
    reason: deliveryReason(row.d),
    incidentTitle: row.incidentTitle,
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

/** A row of the delivery log as the portal shows it and polls it (plain JSON). */
export interface DeliveryLogRow {
  id: string;
  createdAt: string;
  title: string | null;
  kind: string | null;
  incidentId: string | null;
  incidentTitle: string | null;
  destination: string;
  channel: string;
  /** The state's key (for its colour) and its words ("retrying", "In dev mailbox (not sent)"). */
  state: string;
  stateText: string;
  attempts: number;
  response: string;
  reason: string | null;
  /** The explainer's question for this row ("who" and "explain"), when it can be asked. */
  explain: { who: string; about: string } | null;
}

/**
 * The explainer's question for a delivery: who (a member, an endpoint or an extra recipient) and
 * about what (its incident, else its notification). Digests and public subscribers are not routed
 * by the tenant's settings, so there is nothing to explain.
 */
function explainQuestion(d: Delivery): DeliveryLogRow["explain"] {
  const about = d.incidentId ?? (d.jobId ? `job:${d.jobId}` : null);
  if (!about) return null;
  if (d.recipientType === "member" && d.recipientId)
    return { who: `member:${d.recipientId}`, about };
  if (d.recipientType === "endpoint" && d.recipientId)
    return { who: `endpoint:${d.recipientId}`, about };
  if (d.recipientType === "recipient") return { who: `recipient:${d.destination}`, about };
  return null;
}

export function deliveryLogRow(d: DeliveryRow): DeliveryLogRow {
  return {
    id: d.id,
    createdAt: d.createdAt.toISOString(),
    title: d.title,
    kind: d.kind,
    incidentId: d.incidentId,
    incidentTitle: d.incidentTitle,
    destination: d.destination,
    channel: d.channel,
    state: inDevMailbox(d) ? "dev_mailbox" : deliveryStateLabel(d),
    stateText: deliveryStatusText(d),
    attempts: d.attempts,
    response: d.responseCode != null ? String(d.responseCode) : d.error ? "error" : "—",
    reason: d.reason,
    explain: explainQuestion(d),
  };
}

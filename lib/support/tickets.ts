import { and, asc, desc, eq, inArray, isNull, or } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db";
import {
  CHANNELS,
  deliveries,
  incidents,
  memberships,
  organizations,
  ticketEvents,
  tickets,
  TICKET_SEVERITIES,
  TICKET_STATUSES,
  users,
  type Ticket,
  type TicketEvent,
  type TicketStatus,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { can, requirePermission, withTransaction, type Ctx } from "@/lib/context";
import { ForbiddenError, NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { idOf, parseTargetInput } from "@/lib/ids";
import { isValidTimeZone } from "@/lib/alerts/schedule";
import { boundedDate, storable } from "@/lib/validation";
import { addBusinessHours } from "./business-hours";
import { getSupportMatrix, getSupportSettings } from "./desk";
import { membersWithRoles, platformOrgId, sendTicketNotice, supportDesk } from "./notify";

/**
 * Support tickets (seed 001): a tenant member raises a Tier 1 ticket; platform support works it
 * against SLA clocks counted in business hours; the tenant escalates it to Tier 2 when a target
 * is missed or the answer did not help, and a Tier 2 ticket to Tier 3 through the escalation form,
 * which takes only a valid Tier 2 ticket ID of the same tenant.
 *
 * Who sees what: a tenant sees its own organization's tickets and their non-internal timeline;
 * platform support (`tickets:work`) sees every ticket. Another tenant's ticket is "not found",
 * exactly like one that does not exist.
 */

const WORKERS = ["support_agent", "platform_admin"] as const;
const TARGET = { field: "id", notFound: "Ticket" };
const TicketIdInput = z.object({ id: idOf("ticket") });

// ---------- readable ids ----------

/** "T2-2026-000123": the tier, the year it was raised (UTC) and its number. */
export function ticketRef(t: Pick<Ticket, "tier" | "number" | "createdAt">): string {
  return `T${t.tier}-${t.createdAt.getUTCFullYear()}-${String(t.number).padStart(6, "0")}`;
}

export function parseTicketRef(s: string): { tier: number; year: number; number: number } | null {
  const m = /^T([123])-(\d{4})-(\d{1,9})$/i.exec(s.trim());
  return m ? { tier: Number(m[1]), year: Number(m[2]), number: Number(m[3]) } : null;
}

// ---------- clocks ----------

export type ClockState = "running" | "met" | "breached";
export interface Clock {
  dueAt: Date;
  state: ClockState;
  /** When it was met (acknowledged or resolved), if it was. */
  at: Date | null;
}

export function clocksOf(t: Ticket, now: Date): { acknowledge: Clock; resolve: Clock } {
  const clock = (dueAt: Date, at: Date | null): Clock => ({
    dueAt,
    at,
    state: at
      ? at.getTime() <= dueAt.getTime()
        ? "met"
        : "breached"
      : now.getTime() > dueAt.getTime()
        ? "breached"
        : "running",
  });
  return {
    acknowledge: clock(t.acknowledgeDueAt, t.acknowledgedAt),
    resolve: clock(t.resolveDueAt, t.resolvedAt ?? t.closedAt),
  };
}

const OPEN: readonly TicketStatus[] = ["new", "acknowledged", "waiting_on_customer"];
export const isOpen = (t: Pick<Ticket, "status">) => OPEN.includes(t.status);

/**
 * Whether the tenant may escalate this ticket to the next tier now, and if not, why not. Tier 1 → 2
 * when a target was missed or the answer was marked unsatisfactory; Tier 2 → 3 goes through the
 * Tier 3 form (escalateToTier3), which has its own rule.
 */
export function tier2Escalation(t: Ticket, now: Date): { allowed: boolean; reason: string } {
  if (t.tier !== 1) return { allowed: false, reason: "Only a Tier 1 ticket escalates to Tier 2" };
  if (t.escalatedToId) return { allowed: false, reason: "Already escalated to Tier 2" };
  if (t.status === "closed") return { allowed: false, reason: "The ticket is closed" };
  const c = clocksOf(t, now);
  if (c.acknowledge.state === "breached")
    return { allowed: true, reason: "The acknowledgement target was missed" };
  if (c.resolve.state === "breached")
    return { allowed: true, reason: "The resolution target was missed" };
  if (t.unsatisfactoryAt) return { allowed: true, reason: "You marked the answer unsatisfactory" };
  return {
    allowed: false,
    reason:
      "Tier 1 is within its targets: escalate once a target is missed, or mark their answer unsatisfactory",
  };
}

// ---------- loading ----------

async function loadTicket(db: Db | Tx, ctx: Ctx, id: string, lock = false): Promise<Ticket> {
  const where = worksTickets(ctx)
    ? eq(tickets.id, id)
    : and(eq(tickets.id, id), eq(tickets.orgId, ctx.org.id));
  const q = db.select().from(tickets).where(where);
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw new NotFoundError("Ticket");
  return row;
}

/** Platform support works every tenant's tickets; a tenant member only their own organization's. */
function worksTickets(ctx: Ctx): boolean {
  return ctx.org.kind === "platform" && can(ctx, "tickets:work");
}

/** After requirePermission(ctx, "tickets:raise"): the caller is a tenant, not the platform. */
function requireTenantSide(ctx: Ctx) {
  if (ctx.org.kind !== "tenant") throw new ForbiddenError("Tickets are raised by tenants");
}

function actorName(ctx: Ctx): string {
  if (ctx.actor.type === "user") return ctx.actor.name || ctx.actor.email;
  if (ctx.actor.type === "api_key") return `API key ${ctx.actor.name}`;
  return "Beacon";
}

const actorUserId = (ctx: Ctx) => (ctx.actor.type === "user" ? ctx.actor.id : null);

async function addEvent(
  tx: Tx,
  ctx: Ctx,
  ticketId: string,
  e: Pick<TicketEvent, "type"> & Partial<Pick<TicketEvent, "internal" | "body" | "data">>,
) {
  await tx.insert(ticketEvents).values({
    ticketId,
    type: e.type,
    internal: e.internal ?? false,
    side: ctx.org.kind === "platform" ? "support" : "tenant",
    actorId: actorUserId(ctx),
    actorName: actorName(ctx),
    body: e.body ?? null,
    data: e.data ?? {},
  });
}

/**
 * The tenant's audit log records what happens to its tickets, whoever did it:
 * `recordAudit(tx, ...tenantAudit(ctx, ticket, action, data))`.
 */
function tenantAudit(
  ctx: Ctx,
  t: Pick<Ticket, "id" | "orgId">,
  action: string,
  data: Record<string, unknown> = {},
) {
  return [
    { actor: ctx.actor, org: { id: t.orgId } },
    {
      action,
      targetType: "ticket",
      targetId: t.id,
      data: ctx.org.id === t.orgId ? data : { ...data, byOrganization: ctx.org.slug },
    },
  ] as const;
}

// ---------- raising ----------

const text = (max: number) =>
  storable(
    z
      .string({ message: "is required" })
      .trim()
      .min(1, "is required")
      .max(max, `must be at most ${max} characters`),
  );

export const RaiseTicketInput = z
  .object({
    subject: text(200),
    description: text(10_000),
    severity: z.enum(TICKET_SEVERITIES, {
      message: `must be one of ${TICKET_SEVERITIES.join(", ")}`,
    }),
    incidentId: idOf("incident").optional(),
    deliveryId: idOf("delivery").optional(),
    channels: z
      .array(z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(", ")}` }))
      .max(CHANNELS.length)
      .default([]),
    observedAt: boundedDate().optional(),
    observedTimeZone: z
      .string()
      .trim()
      .refine(isValidTimeZone, { message: "must be a time zone such as Asia/Kolkata" })
      .optional(),
  })
  .strict();

async function computeDues(db: Db | Tx, severity: Ticket["severity"], from: Date) {
  const { calendar, targets } = await getSupportSettings(db);
  const t = targets[severity];
  return {
    acknowledgeDueAt: addBusinessHours(from, t.acknowledgeHours, calendar),
    resolveDueAt: addBusinessHours(from, t.resolveHours, calendar),
  };
}

/** An incident the tenant can see: public, or addressed to this tenant. */
async function visibleIncident(tx: Tx, orgId: string, id: string) {
  const [row] = await tx
    .select({ id: incidents.id, title: incidents.title })
    .from(incidents)
    .where(
      and(
        eq(incidents.id, id),
        or(isNull(incidents.audienceOrgId), eq(incidents.audienceOrgId, orgId)),
      ),
    );
  return row;
}

export async function raiseTicket({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "tickets:raise");
  requireTenantSide(ctx);
  const v = parseInput(RaiseTicketInput, input);
  return withTransaction(ctx, async (tx) => {
    let incidentId = v.incidentId ?? null;
    const channels = new Set<string>(v.channels);
    let observedAt = v.observedAt ?? null;
    if (v.deliveryId) {
      const [d] = await tx
        .select()
        .from(deliveries)
        .where(and(eq(deliveries.id, v.deliveryId), eq(deliveries.orgId, ctx.org.id)));
      // Another organization's delivery is not found, exactly as an unknown one.
      if (!d) throw new NotFoundError("Delivery");
      incidentId ??= d.incidentId;
      channels.add(d.channel);
      observedAt ??= d.createdAt;
    }
    if (incidentId && !(await visibleIncident(tx, ctx.org.id, incidentId))) {
      throw new NotFoundError("Incident");
    }
    const dues = await computeDues(tx, v.severity, now);
    const [t] = await tx
      .insert(tickets)
      .values({
        orgId: ctx.org.id,
        tier: 1,
        subject: v.subject,
        description: v.description,
        severity: v.severity,
        incidentId,
        deliveryId: v.deliveryId ?? null,
        channels: [...channels],
        observedAt,
        observedTimeZone: v.observedTimeZone ?? null,
        createdBy: actorUserId(ctx),
        createdAt: now,
        updatedAt: now,
        ...dues,
      })
      .returning();
    await addEvent(tx, ctx, t!.id, { type: "created", body: v.description });
    await recordAudit(
      tx,
      ...tenantAudit(ctx, t!, "ticket.raised", {
        ref: ticketRef(t!),
        severity: v.severity,
      }),
    );
    const desk = await supportDesk(tx);
    await sendTicketNotice(tx, {
      ...desk,
      ticketId: t!.id,
      title: `New ticket ${ticketRef(t!)} from ${ctx.org.name}: ${v.subject}`,
      message: `Severity ${v.severity}. Acknowledge by ${dues.acknowledgeDueAt.toISOString()}.`,
      url: `/portal/support/tickets/${t!.id}`,
      why: "a tenant raised a ticket",
    });
    return { ...t!, ref: ticketRef(t!) };
  });
}

// ---------- reading ----------

export interface TicketSummary {
  id: string;
  ref: string;
  tier: number;
  orgId: string;
  orgName: string;
  subject: string;
  severity: Ticket["severity"];
  status: TicketStatus;
  createdAt: Date;
  assigneeName: string | null;
  acknowledge: Clock;
  resolve: Clock;
  /** Open with a target missed: the queue puts these first. */
  breached: boolean;
}

const ListTicketsInput = z.object({
  status: z
    .enum(["open", ...TICKET_STATUSES], {
      message: `must be one of open, ${TICKET_STATUSES.join(", ")}`,
    })
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});

/**
 * Tickets: for platform support the queue of every tenant's tickets, open ones with a missed
 * target first, then by the next target; for a tenant its own, newest first.
 */
export async function listTickets({
  ctx,
  input = {},
  now = new Date(),
}: {
  ctx: Ctx;
  input?: unknown;
  now?: Date;
}): Promise<TicketSummary[]> {
  const queue = worksTickets(ctx);
  if (!queue) {
    requirePermission(ctx, "support:read");
    if (ctx.org.kind !== "tenant")
      throw new ForbiddenError("This needs the tickets:work permission");
  }
  const f = parseInput(ListTicketsInput, input);
  const where = [];
  if (!queue) where.push(eq(tickets.orgId, ctx.org.id));
  if (f.status === "open") where.push(inArray(tickets.status, [...OPEN]));
  else if (f.status) where.push(eq(tickets.status, f.status));
  const rows = await ctx.db
    .select({ t: tickets, orgName: organizations.name, assigneeName: users.name })
    .from(tickets)
    .innerJoin(organizations, eq(organizations.id, tickets.orgId))
    .leftJoin(users, eq(users.id, tickets.assigneeId))
    .where(and(...where))
    .orderBy(desc(tickets.createdAt))
    .limit(f.limit);
  const out = rows.map(({ t, orgName, assigneeName }) => {
    const c = clocksOf(t, now);
    return {
      id: t.id,
      ref: ticketRef(t),
      tier: t.tier,
      orgId: t.orgId,
      orgName,
      subject: t.subject,
      severity: t.severity,
      status: t.status,
      createdAt: t.createdAt,
      assigneeName,
      ...c,
      breached: isOpen(t) && (c.acknowledge.state === "breached" || c.resolve.state === "breached"),
    };
  });
  if (queue) {
    const next = (s: TicketSummary) =>
      s.acknowledge.at ? s.resolve.dueAt.getTime() : s.acknowledge.dueAt.getTime();
    const rank = (s: TicketSummary) => (s.breached ? 0 : OPEN.includes(s.status) ? 1 : 2);
    out.sort((a, b) => rank(a) - rank(b) || next(a) - next(b));
  }
  return out;
}

export interface TicketDetail extends TicketSummary {
  description: string;
  incident: { id: string; title: string } | null;
  deliveryId: string | null;
  channels: string[];
  observedAt: Date | null;
  observedTimeZone: string | null;
  createdByName: string | null;
  assigneeId: string | null;
  unsatisfactoryAt: Date | null;
  unsatisfactoryReason: string | null;
  parent: { id: string; ref: string } | null;
  escalatedTo: { id: string; ref: string } | null;
  events: TicketEvent[];
  tier2: { allowed: boolean; reason: string };
}

export async function getTicket({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}): Promise<TicketDetail> {
  if (!worksTickets(ctx)) requirePermission(ctx, "support:read");
  const { id } = parseTargetInput(TicketIdInput, input, TARGET);
  const t = await loadTicket(ctx.db, ctx, id);
  const [org] = await ctx.db
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, t.orgId));
  const names = await ctx.db
    .select({ id: users.id, name: users.name })
    .from(users)
    .where(
      inArray(
        users.id,
        [t.createdBy, t.assigneeId].filter((x): x is string => !!x),
      ),
    );
  const nameOf = (uid: string | null) => names.find((n) => n.id === uid)?.name ?? null;
  const linked = await ctx.db
    .select()
    .from(tickets)
    .where(
      and(
        inArray(
          tickets.id,
          [t.parentId, t.escalatedToId].filter((x): x is string => !!x),
        ),
        eq(tickets.orgId, t.orgId),
      ),
    );
  const link = (lid: string | null) => {
    const l = linked.find((x) => x.id === lid);
    return l ? { id: l.id, ref: ticketRef(l) } : null;
  };
  const [incident] = t.incidentId
    ? await ctx.db
        .select({ id: incidents.id, title: incidents.title })
        .from(incidents)
        .where(eq(incidents.id, t.incidentId))
    : [];
  const events = await ctx.db
    .select()
    .from(ticketEvents)
    .where(
      and(
        eq(ticketEvents.ticketId, t.id),
        worksTickets(ctx) ? undefined : eq(ticketEvents.internal, false),
      ),
    )
    .orderBy(asc(ticketEvents.createdAt), asc(ticketEvents.id));
  const c = clocksOf(t, now);
  return {
    id: t.id,
    ref: ticketRef(t),
    tier: t.tier,
    orgId: t.orgId,
    orgName: org?.name ?? "",
    subject: t.subject,
    severity: t.severity,
    status: t.status,
    createdAt: t.createdAt,
    assigneeName: nameOf(t.assigneeId),
    assigneeId: t.assigneeId,
    ...c,
    breached: isOpen(t) && (c.acknowledge.state === "breached" || c.resolve.state === "breached"),
    description: t.description,
    incident: incident ?? null,
    deliveryId: t.deliveryId,
    channels: t.channels,
    observedAt: t.observedAt,
    observedTimeZone: t.observedTimeZone,
    createdByName: nameOf(t.createdBy),
    unsatisfactoryAt: t.unsatisfactoryAt,
    unsatisfactoryReason: t.unsatisfactoryReason,
    parent: link(t.parentId),
    escalatedTo: link(t.escalatedToId),
    events,
    tier2: tier2Escalation(t, now),
  };
}

/** Platform members who may be assigned tickets. */
export async function listTicketWorkers({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "tickets:work");
  if (ctx.org.kind !== "platform") return [];
  return ctx.db
    .select({ id: users.id, name: users.name, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, ctx.org.id), inArray(memberships.role, [...WORKERS])))
    .orderBy(asc(users.name));
}

// ---------- working a ticket ----------

export const ReplyInput = z.object({
  id: idOf("ticket"),
  body: text(10_000),
  internal: z.boolean({ message: "must be true or false" }).default(false),
});

/** Notifies the other side of a change: the tenant's raiser, or the assignee (else the desk). */
async function tellOtherSide(
  tx: Tx,
  ctx: Ctx,
  t: Ticket,
  title: string,
  message: string,
  why: string,
) {
  const ref = ticketRef(t);
  if (ctx.org.kind === "platform") {
    const to = t.createdBy ? [t.createdBy] : await membersWithRoles(tx, t.orgId, ["org_admin"]);
    await sendTicketNotice(tx, {
      orgId: t.orgId,
      userIds: to,
      ticketId: t.id,
      title: `${ref}: ${title}`,
      message,
      url: `/portal/support/tickets/${t.id}`,
      why,
    });
  } else {
    const desk = t.assigneeId
      ? { orgId: await platformOrgId(tx), userIds: [t.assigneeId] }
      : await supportDesk(tx);
    await sendTicketNotice(tx, {
      ...desk,
      ticketId: t.id,
      title: `${ref} (${ctx.org.name}): ${title}`,
      message,
      url: `/portal/support/tickets/${t.id}`,
      why,
    });
  }
}

/**
 * A reply on the ticket's timeline. Support's first reply acknowledges a new ticket; a tenant's
 * reply to a ticket waiting on them (or resolved) puts it back in support's hands.
 */
export async function replyToTicket({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  const support = worksTickets(ctx);
  requirePermission(ctx, support ? "tickets:work" : "tickets:raise");
  if (!support) requireTenantSide(ctx);
  // Another organization's ticket is not found before anything about the reply is judged.
  await loadTicket(ctx.db, ctx, parseTargetInput(TicketIdInput, input, TARGET).id);
  const v = parseTargetInput(ReplyInput, input, TARGET);
  if (v.internal && !support) {
    throw new ValidationError([
      { field: "internal", message: "only support writes internal notes" },
    ]);
  }
  return withTransaction(ctx, async (tx) => {
    const t = await loadTicket(tx, ctx, v.id, true);
    if (t.status === "closed") {
      throw new ValidationError([
        { field: "body", message: "cannot be added: the ticket is closed" },
      ]);
    }
    await addEvent(tx, ctx, t.id, {
      type: v.internal ? "note" : "reply",
      body: v.body,
      internal: v.internal,
    });
    const change: Partial<Ticket> = { updatedAt: now };
    if (support && !v.internal && t.status === "new") {
      change.status = "acknowledged";
      change.acknowledgedAt = now;
    }
    if (!support && (t.status === "waiting_on_customer" || t.status === "resolved")) {
      change.status = "acknowledged";
      change.resolvedAt = null;
    }
    await tx.update(tickets).set(change).where(eq(tickets.id, t.id));
    if (change.status) {
      await addEvent(tx, ctx, t.id, {
        type: "status",
        data: { from: t.status, to: change.status },
      });
    }
    if (!v.internal) {
      await tellOtherSide(
        tx,
        ctx,
        t,
        support ? "Support replied" : "New reply",
        v.body.slice(0, 500),
        "a reply on a ticket",
      );
    }
    await recordAudit(
      tx,
      ...tenantAudit(ctx, t, v.internal ? "ticket.noted" : "ticket.replied", {
        ref: ticketRef(t),
      }),
    );
    return { ok: true };
  });
}

export const UpdateTicketInput = z.object({
  id: idOf("ticket"),
  status: z
    .enum(TICKET_STATUSES, { message: `must be one of ${TICKET_STATUSES.join(", ")}` })
    .optional(),
  /** A platform support member's id, or null to unassign. */
  assigneeId: idOf("member").nullable().optional(),
});

/** Support moves a ticket through its statuses and assigns it. */
export async function updateTicket({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "tickets:work");
  if (!worksTickets(ctx)) throw new ForbiddenError("Tickets are worked by platform support");
  const v = parseTargetInput(UpdateTicketInput, input, TARGET);
  return withTransaction(ctx, async (tx) => {
    const t = await loadTicket(tx, ctx, v.id, true);
    const change: Partial<Ticket> = { updatedAt: now };
    if (v.assigneeId !== undefined && v.assigneeId !== t.assigneeId) {
      if (v.assigneeId) {
        const ok = await membersWithRoles(tx, ctx.org.id, [...WORKERS]);
        if (!ok.includes(v.assigneeId)) {
          throw new ValidationError([
            { field: "assigneeId", message: "must be a platform support member" },
          ]);
        }
      }
      change.assigneeId = v.assigneeId;
      await addEvent(tx, ctx, t.id, {
        type: "assigned",
        internal: true,
        data: { assigneeId: v.assigneeId },
      });
      if (v.assigneeId && v.assigneeId !== actorUserId(ctx)) {
        await sendTicketNotice(tx, {
          orgId: ctx.org.id,
          userIds: [v.assigneeId],
          ticketId: t.id,
          title: `${ticketRef(t)} assigned to you: ${t.subject}`,
          message: `Assigned by ${actorName(ctx)}.`,
          url: `/portal/support/tickets/${t.id}`,
          why: "a ticket was assigned to this member",
        });
      }
    }
    if (v.status && v.status !== t.status) {
      change.status = v.status;
      if (v.status !== "new" && !t.acknowledgedAt) change.acknowledgedAt = now;
      if (v.status === "resolved") change.resolvedAt = now;
      if (v.status === "closed") change.closedAt = now;
      if (OPEN.includes(v.status)) {
        change.resolvedAt = null;
        change.closedAt = null;
      }
      if (v.status === "new") change.acknowledgedAt = t.acknowledgedAt;
      await addEvent(tx, ctx, t.id, { type: "status", data: { from: t.status, to: v.status } });
      await tellOtherSide(
        tx,
        ctx,
        t,
        `Status: ${STATUS_LABELS[v.status]}`,
        `${actorName(ctx)} set the ticket to ${STATUS_LABELS[v.status]}.`,
        "the ticket's status changed",
      );
    }
    if (Object.keys(change).length > 1) {
      await tx.update(tickets).set(change).where(eq(tickets.id, t.id));
      await recordAudit(
        tx,
        ...tenantAudit(ctx, t, "ticket.updated", {
          ref: ticketRef(t),
          status: change.status,
          assigneeId: change.assigneeId,
        }),
      );
    }
    return { ok: true };
  });
}

export const STATUS_LABELS: Record<TicketStatus, string> = {
  new: "New",
  acknowledged: "Acknowledged",
  waiting_on_customer: "Waiting on customer",
  resolved: "Resolved",
  closed: "Closed",
};

// ---------- escalation ----------

const ReasonInput = z.object({ id: idOf("ticket"), reason: text(2_000) });

/**
 * The tenant says support's answer did not help. Needs an answer to judge: a reply from support,
 * or the ticket resolved. It makes a Tier 1 ticket escalable to Tier 2, and a Tier 2 ticket, once
 * resolved, still acceptable to the Tier 3 form.
 */
export async function markUnsatisfactory({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "tickets:raise");
  requireTenantSide(ctx);
  const v = parseTargetInput(ReasonInput, input, TARGET);
  return withTransaction(ctx, async (tx) => {
    const t = await loadTicket(tx, ctx, v.id, true);
    if (t.status === "closed") {
      throw new ValidationError([
        { field: "reason", message: "cannot be given: the ticket is closed" },
      ]);
    }
    const [answer] = await tx
      .select({ id: ticketEvents.id })
      .from(ticketEvents)
      .where(
        and(
          eq(ticketEvents.ticketId, t.id),
          eq(ticketEvents.side, "support"),
          eq(ticketEvents.type, "reply"),
        ),
      )
      .limit(1);
    if (!answer && t.status !== "resolved") {
      throw new ValidationError([
        { field: "reason", message: "cannot be given yet: support has not answered this ticket" },
      ]);
    }
    await tx
      .update(tickets)
      .set({ unsatisfactoryAt: now, unsatisfactoryReason: v.reason, updatedAt: now })
      .where(eq(tickets.id, t.id));
    await addEvent(tx, ctx, t.id, { type: "unsatisfactory", body: v.reason });
    await recordAudit(tx, ...tenantAudit(ctx, t, "ticket.unsatisfactory", { ref: ticketRef(t) }));
    await tellOtherSide(
      tx,
      ctx,
      t,
      "Answer marked unsatisfactory",
      v.reason,
      "the tenant was not satisfied",
    );
    return { ok: true };
  });
}

async function openEscalation(
  tx: Tx,
  ctx: Ctx,
  from: Ticket,
  tier: 2 | 3,
  reason: string,
  now: Date,
) {
  const dues = await computeDues(tx, tier === 3 ? "critical" : from.severity, now);
  const fromRef = ticketRef(from);
  const [t] = await tx
    .insert(tickets)
    .values({
      orgId: from.orgId,
      tier,
      parentId: from.id,
      subject: `${from.subject} (escalated from ${fromRef})`,
      description: reason,
      severity: tier === 3 ? "critical" : from.severity,
      incidentId: from.incidentId,
      deliveryId: from.deliveryId,
      channels: from.channels,
      observedAt: from.observedAt,
      observedTimeZone: from.observedTimeZone,
      createdBy: actorUserId(ctx),
      createdAt: now,
      updatedAt: now,
      ...dues,
    })
    .returning();
  const ref = ticketRef(t!);
  await tx
    .update(tickets)
    .set({ escalatedToId: t!.id, updatedAt: now })
    .where(eq(tickets.id, from.id));
  await addEvent(tx, ctx, from.id, { type: "escalated", body: reason, data: { to: ref, tier } });
  await addEvent(tx, ctx, t!.id, { type: "created", body: reason, data: { from: fromRef } });
  await recordAudit(
    tx,
    ...tenantAudit(ctx, t!, `ticket.escalated_tier${tier}`, { ref, from: fromRef }),
  );
  return { ticket: t!, ref };
}

/** Tier 1 → Tier 2, when tier2Escalation allows it. The Tier 2 ticket links to the original. */
export async function escalateToTier2({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "tickets:raise");
  requireTenantSide(ctx);
  const v = parseTargetInput(ReasonInput, input, TARGET);
  return withTransaction(ctx, async (tx) => {
    const t = await loadTicket(tx, ctx, v.id, true);
    const rule = tier2Escalation(t, now);
    if (!rule.allowed)
      throw new ValidationError([{ field: "reason", message: `cannot escalate: ${rule.reason}` }]);
    const { ticket, ref } = await openEscalation(tx, ctx, t, 2, `${rule.reason}. ${v.reason}`, now);
    const [, tier2] = await getSupportMatrix(tx);
    const desk = await supportDesk(tx);
    await sendTicketNotice(tx, {
      ...desk,
      contactEmail: tier2?.email,
      ticketId: ticket.id,
      impact: "major",
      title: `Tier 2 escalation ${ref} from ${ctx.org.name}: ${t.subject}`,
      message: `${rule.reason}. ${v.reason}`,
      url: `/portal/support/tickets/${ticket.id}`,
      why: "a ticket was escalated to Tier 2",
    });
    return { ...ticket, ref };
  });
}

const Tier3Input = z.object({
  tier2TicketId: storable(
    z.string({ message: "is required" }).trim().min(1, "is required").max(40, "is not a ticket ID"),
  ),
  reason: text(2_000),
});

const TIER3_FIELD = "tier2TicketId";

/**
 * The Tier 3 form: only a Tier 2 ticket of the caller's own organization that is still open, or was
 * resolved and marked unsatisfactory, can be escalated. Each refusal says why; another tenant's
 * ticket is refused exactly as an unknown ID, so the form cannot be used to find out it exists.
 */
export async function escalateToTier3({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "tickets:raise");
  requireTenantSide(ctx);
  const v = parseInput(Tier3Input, input);
  const refuse = (message: string) => new ValidationError([{ field: TIER3_FIELD, message }]);
  const parsed = parseTicketRef(v.tier2TicketId);
  if (!parsed) throw refuse("is not a ticket ID: Tier 2 ticket IDs look like T2-2026-000123");
  return withTransaction(ctx, async (tx) => {
    const [t] = await tx
      .select()
      .from(tickets)
      .where(and(eq(tickets.number, parsed.number), eq(tickets.orgId, ctx.org.id)))
      .for("update");
    const unknown =
      "is not a Tier 2 ticket of your organization: check the ID in your Tier 2 ticket's email";
    if (!t || t.createdAt.getUTCFullYear() !== parsed.year || t.tier !== parsed.tier)
      throw refuse(unknown);
    if (t.tier === 1)
      throw refuse("is a Tier 1 ticket: escalate it to Tier 2 first, then use the Tier 2 ID here");
    if (t.tier === 3) throw refuse("is already a Tier 3 escalation");
    if (t.escalatedToId) throw refuse("has already been escalated to Tier 3");
    if (t.status === "closed") throw refuse("is closed: a closed ticket cannot be escalated");
    if (t.status === "resolved" && !t.unsatisfactoryAt) {
      throw refuse(
        "was resolved: mark its answer unsatisfactory on the ticket first if it did not solve the problem",
      );
    }
    const { ticket, ref } = await openEscalation(tx, ctx, t, 3, v.reason, now);
    const platform = await platformOrgId(tx);
    await sendTicketNotice(tx, {
      orgId: platform,
      userIds: await membersWithRoles(tx, platform, ["platform_admin"]),
      channels: ["in_app", "email", "sms"],
      impact: "critical",
      ticketId: ticket.id,
      title: `Tier 3 escalation ${ref} from ${ctx.org.name}: ${t.subject}`,
      message: v.reason,
      url: `/portal/support/tickets/${ticket.id}`,
      why: "a Tier 3 escalation goes to the platform admins on every channel they have",
    });
    return { ...ticket, ref };
  });
}

/** The tenant closes its own ticket (support can close any). */
export async function closeTicket({
  ctx,
  input,
  now = new Date(),
}: {
  ctx: Ctx;
  input: unknown;
  now?: Date;
}) {
  requirePermission(ctx, "tickets:raise");
  requireTenantSide(ctx);
  const { id } = parseTargetInput(TicketIdInput, input, TARGET);
  return withTransaction(ctx, async (tx) => {
    const t = await loadTicket(tx, ctx, id, true);
    if (t.status === "closed") return { ok: true };
    await tx
      .update(tickets)
      .set({ status: "closed", closedAt: now, updatedAt: now })
      .where(eq(tickets.id, t.id));
    await addEvent(tx, ctx, t.id, { type: "status", data: { from: t.status, to: "closed" } });
    await recordAudit(tx, ...tenantAudit(ctx, t, "ticket.closed", { ref: ticketRef(t) }));
    await tellOtherSide(
      tx,
      ctx,
      t,
      "Closed by the customer",
      `${actorName(ctx)} closed the ticket.`,
      "the ticket was closed",
    );
    return { ok: true };
  });
}

/** For the raise form: the tenant's incidents (recent first) to pick from. */
export async function ticketIncidentChoices({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "tickets:raise");
  requireTenantSide(ctx);
  return ctx.db
    .select({ id: incidents.id, title: incidents.title, createdAt: incidents.createdAt })
    .from(incidents)
    .where(or(isNull(incidents.audienceOrgId), eq(incidents.audienceOrgId, ctx.org.id)))
    .orderBy(desc(incidents.createdAt))
    .limit(50);
}

import { and, eq, inArray } from "drizzle-orm";
import type { Tx } from "@/db";
import {
  deliveries,
  memberships,
  notificationJobs,
  organizations,
  PLATFORM_SLUG,
  users,
  type Impact,
  type Role,
  type TraceStep,
} from "@/db/schema";
import { wakeJobDriverOnCommit } from "@/lib/alerts/outbox";

/**
 * Ticket notices go through the alert pipeline: one outbox row (kind "ticket.notice") and one
 * delivery per member and channel, sent, retried and logged like any alert (each party's delivery
 * log shows them). They are addressed to people, not routed by the category matrix: in-app and
 * email by default; SMS too (when the member has a phone) for a Tier 3 escalation, the most urgent.
 */

export type NoticeChannel = "in_app" | "email" | "sms";

export interface TicketNotice {
  /** The organization the addressed members belong to (the tenant, or the platform). */
  orgId: string;
  userIds: string[];
  title: string;
  message: string;
  /** Relative to the app: where the ticket is. */
  url: string;
  ticketId: string;
  impact?: Impact;
  channels?: NoticeChannel[];
  /** A tier's contact point (its email address), told besides the members. */
  contactEmail?: string | null;
  why: string;
}

export async function platformOrgId(tx: Tx): Promise<string> {
  const [org] = await tx
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.slug, PLATFORM_SLUG));
  return org!.id;
}

/** Members of `orgId` holding one of `roles`. */
export async function membersWithRoles(tx: Tx, orgId: string, roles: Role[]): Promise<string[]> {
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), inArray(memberships.role, roles)));
  return rows.map((r) => r.userId);
}

/** Platform support: the support agents, or the platform admins where there are none. */
export async function supportDesk(tx: Tx): Promise<{ orgId: string; userIds: string[] }> {
  const orgId = await platformOrgId(tx);
  const agents = await membersWithRoles(tx, orgId, ["support_agent"]);
  return {
    orgId,
    userIds: agents.length ? agents : await membersWithRoles(tx, orgId, ["platform_admin"]),
  };
}

export async function sendTicketNotice(tx: Tx, n: TicketNotice): Promise<string[]> {
  const channels = n.channels ?? ["in_app", "email"];
  const ids = [...new Set(n.userIds)];
  const people = ids.length
    ? await tx
        .select({ id: users.id, email: users.email, phone: users.phone })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.orgId, n.orgId), inArray(memberships.userId, ids)))
    : [];
  if (people.length === 0 && !n.contactEmail) return [];
  const [job] = await tx
    .insert(notificationJobs)
    .values({
      orgId: n.orgId,
      kind: "ticket.notice",
      status: "planned",
      plannedAt: new Date(),
      payload: {
        title: n.title,
        category: "configurable",
        impact: n.impact ?? "minor",
        audience: { type: "tenant", orgId: n.orgId },
        componentIds: [],
        regionIds: [],
        message: n.message,
        url: n.url,
        data: { ticketId: n.ticketId },
      },
    })
    .returning({ id: notificationJobs.id });
  const trace = (detail: string): TraceStep[] => [
    { step: "rule", outcome: "matched", detail: `Support ticket notice: ${n.why}` },
    { step: "scope", outcome: "info", detail },
  ];
  const rows: (typeof deliveries.$inferInsert)[] = [];
  for (const p of people) {
    for (const channel of channels) {
      if (channel === "sms" && !p.phone) continue;
      rows.push({
        jobId: job!.id,
        orgId: n.orgId,
        channel,
        recipientType: "member",
        recipientId: p.id,
        destination: channel === "sms" ? p.phone! : p.email,
        idempotencyKey: `${job!.id}:${channel}:user:${p.id}`,
        status: "pending",
        trace: trace(
          "addressed to this member by the support desk; the category matrix, quiet hours and digests do not apply",
        ),
      });
    }
  }
  if (n.contactEmail) {
    rows.push({
      jobId: job!.id,
      orgId: n.orgId,
      channel: "email",
      recipientType: "recipient",
      recipientId: null,
      destination: n.contactEmail,
      idempotencyKey: `${job!.id}:email:contact`,
      status: "pending",
      trace: trace("sent to the tier's contact point from the escalation matrix"),
    });
  }
  const inserted = rows.length
    ? await tx.insert(deliveries).values(rows).returning({ id: deliveries.id })
    : [];
  wakeJobDriverOnCommit(tx);
  return inserted.map((r) => r.id);
}

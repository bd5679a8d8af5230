import { eq } from "drizzle-orm";
import { z } from "zod";
import { organizations, tickets } from "@/db/schema";
import { listDeliveries, type DeliveryRow } from "@/lib/alerts/deliveries";
import { explainRouting, type Explanation } from "@/lib/alerts/explain";
import { recordAudit } from "@/lib/audit";
import { permissionsFor } from "@/lib/auth/roles";
import { requirePermission, withTransaction, type Ctx } from "@/lib/context";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { idOf, parseTargetInput } from "@/lib/ids";
import { storable } from "@/lib/validation";
import { ticketRef } from "./tickets";

/**
 * While working a ticket, platform support may look at that tenant's delivery log for the ticket's
 * incident, and the routing explanation for one of its addresses: read-only (a ctx for the tenant
 * that holds nothing but `deliveries:read`, so no verb it reaches can change anything), and every
 * look is a row in the tenant's audit log saying who looked, through which ticket, at what.
 */

const ViewInput = z.object({
  id: idOf("ticket"),
  /** For an explanation, whom it is about: a member, an endpoint, or an extra recipient's address. */
  userId: idOf("member").optional(),
  endpointId: idOf("endpoint").optional(),
  address: storable(z.string().trim().max(200)).optional(),
});

export interface SupportView {
  ticket: { id: string; ref: string; orgId: string; orgName: string; incidentId: string | null };
  deliveries: DeliveryRow[];
  explanation: Explanation | null;
}

export async function viewTenantDeliveriesForTicket({
  ctx,
  input,
}: {
  ctx: Ctx;
  input: unknown;
}): Promise<SupportView> {
  requirePermission(ctx, "tickets:work");
  if (ctx.org.kind !== "platform") throw new ForbiddenError("Only platform support works tickets");
  const v = parseTargetInput(ViewInput, input, { field: "id", notFound: "Ticket" });
  const [row] = await ctx.db
    .select({ t: tickets, org: organizations })
    .from(tickets)
    .innerJoin(organizations, eq(organizations.id, tickets.orgId))
    .where(eq(tickets.id, v.id));
  if (!row) throw new NotFoundError("Ticket");
  const { t, org } = row;
  const ref = ticketRef(t);
  // The tenant as seen by support: read the delivery log and nothing else.
  const asTenant: Ctx = {
    db: ctx.db,
    actor: ctx.actor,
    org: { id: org.id, slug: org.slug, name: org.name, kind: org.kind },
    role: "support_manager",
    permissions: new Set(
      [...permissionsFor("support_manager")].filter((p) => p === "deliveries:read"),
    ),
  };
  const list = await listDeliveries({
    ctx: asTenant,
    input: t.incidentId ? { incidentId: t.incidentId, limit: 200 } : { limit: 50 },
  });
  const who = v.userId
    ? { userId: v.userId }
    : v.endpointId
      ? { endpointId: v.endpointId }
      : v.address
        ? { address: v.address }
        : null;
  const explanation =
    who && t.incidentId
      ? await explainRouting({ ctx: asTenant, input: { incidentId: t.incidentId, ...who } })
      : null;
  await withTransaction(ctx, (tx) =>
    recordAudit(
      tx,
      { actor: ctx.actor, org: { id: t.orgId } },
      {
        action: who ? "support.viewed_explanation" : "support.viewed_deliveries",
        targetType: "ticket",
        targetId: t.id,
        data: {
          ref,
          byOrganization: ctx.org.slug,
          incidentId: t.incidentId,
          ...(who ?? {}),
        },
      },
    ),
  );
  return {
    ticket: { id: t.id, ref, orgId: t.orgId, orgName: org.name, incidentId: t.incidentId },
    deliveries: list,
    explanation,
  };
}

import type { Metadata } from "next";
import { and, eq } from "drizzle-orm";
import { requirePageCtx } from "@/app/_server/ctx";
import { deliveries, notificationJobs } from "@/db/schema";
import { isUuid } from "@/lib/ids";
import { ticketIncidentChoices } from "@/lib/support/tickets";
import { Card, PageHeader } from "@/components/ui/card";
import { RaiseTicketForm, type RaiseDefaults } from "@/components/support/ticket-forms";
import { raiseTicketAction } from "../actions";

export const metadata: Metadata = { title: "Raise a ticket" };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

/**
 * The raise form, prefilled from where it was opened: `?incident=` (an incident page) or
 * `?delivery=` (a delivery-log row: its incident, channel, time and error).
 */
export default async function NewTicketPage({ searchParams }: { searchParams: Promise<Search> }) {
  const ctx = await requirePageCtx("tickets:raise", "/portal/support/new");
  const sp = await searchParams;
  const incidents = await ticketIncidentChoices({ ctx });
  const defaults: RaiseDefaults = {};
  const incident = one(sp.incident);
  if (incident && incidents.some((i) => i.id === incident)) defaults.incidentId = incident;
  const delivery = one(sp.delivery);
  if (delivery && isUuid(delivery)) {
    const [row] = await ctx.db
      .select({ d: deliveries, title: notificationJobs.payload })
      .from(deliveries)
      .leftJoin(notificationJobs, eq(notificationJobs.id, deliveries.jobId))
      .where(and(eq(deliveries.id, delivery), eq(deliveries.orgId, ctx.org.id)));
    if (row) {
      const d = row.d;
      defaults.deliveryId = d.id;
      defaults.channels = [d.channel];
      if (d.incidentId && incidents.some((i) => i.id === d.incidentId))
        defaults.incidentId = d.incidentId;
      defaults.subject = `${d.channel === "in_app" ? "In-app" : d.channel.toUpperCase()} alert ${d.status} for ${d.destination}`;
      defaults.description = [
        `Delivery ${d.id} to ${d.destination} (${d.channel}) is ${d.status}.`,
        row.title?.title ? `Alert: ${row.title.title}` : null,
        d.error ? `Error: ${d.error}` : null,
        `Created ${d.createdAt.toISOString()}.`,
      ]
        .filter(Boolean)
        .join("\n");
      defaults.observedAt = d.createdAt.toISOString();
    }
  }
  return (
    <div className="space-y-6">
      <PageHeader
        title="Raise a ticket"
        description="Tier 1 Customer Support answers within the SLA for the severity you choose (business hours)."
      />
      <Card>
        <RaiseTicketForm
          action={raiseTicketAction}
          incidents={incidents.map((i) => ({ id: i.id, title: i.title }))}
          defaults={defaults}
          tenantId={ctx.org.id}
        />
      </Card>
    </div>
  );
}

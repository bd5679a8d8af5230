import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { can } from "@/lib/context";
import { formatTimeOfDay } from "@/lib/support/business-hours";
import { getSupportMatrix, getSupportSettings } from "@/lib/support/desk";
import { listTickets, STATUS_LABELS, type TicketSummary } from "@/lib/support/tickets";
import { Card, PageHeader } from "@/components/ui/card";
import { ClockText } from "@/components/support/clocks";
import { EscalationMatrix } from "@/components/support/matrix";
import { SupportSettingsForm, Tier3Form, TierForm } from "@/components/support/ticket-forms";
import {
  escalateToTier3Action,
  updateSupportSettingsAction,
  updateSupportTierAction,
} from "./actions";

export const metadata: Metadata = { title: "Support" };

function TicketTable({ tickets, queue }: { tickets: TicketSummary[]; queue: boolean }) {
  if (tickets.length === 0) {
    return <p className="text-sm text-slate-600 dark:text-slate-400">No tickets yet.</p>;
  }
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <thead>
          <tr className="border-b border-slate-200 dark:border-slate-800">
            <th scope="col" className="py-2 pr-3">
              Ticket
            </th>
            {queue && (
              <th scope="col" className="py-2 pr-3">
                Tenant
              </th>
            )}
            <th scope="col" className="py-2 pr-3">
              Severity
            </th>
            <th scope="col" className="py-2 pr-3">
              Status
            </th>
            <th scope="col" className="py-2">
              SLA
            </th>
          </tr>
        </thead>
        <tbody>
          {tickets.map((t) => (
            <tr key={t.id} className="border-b border-slate-100 align-top dark:border-slate-800">
              <td className="py-2 pr-3">
                <Link className="font-medium underline" href={`/portal/support/tickets/${t.id}`}>
                  {t.ref}
                </Link>
                <p>{t.subject}</p>
              </td>
              {queue && <td className="py-2 pr-3">{t.orgName}</td>}
              <td className="py-2 pr-3 capitalize">{t.severity}</td>
              <td className="py-2 pr-3">
                {STATUS_LABELS[t.status]}
                {t.assigneeName && (
                  <p className="text-xs text-slate-600 dark:text-slate-400">{t.assigneeName}</p>
                )}
              </td>
              <td className="space-y-1 py-2 text-xs">
                <p>
                  <ClockText label="Acknowledge" clock={t.acknowledge} />
                </p>
                <p>
                  <ClockText label="Resolve" clock={t.resolve} />
                </p>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default async function SupportPage() {
  const ctx = await requirePageCtx("support:read", "/portal/support");
  const [tiers, tickets] = await Promise.all([
    getSupportMatrix(ctx.db),
    listTickets({ ctx, input: {} }),
  ]);
  if (ctx.org.kind === "platform") {
    const settings = await getSupportSettings(ctx.db);
    const cal = settings.calendar;
    return (
      <div className="space-y-6">
        <PageHeader
          title="Support queue"
          description="Every tenant's tickets: those past a target first, then by the next target. Clocks count business hours."
        />
        <Card title="Tickets">
          <TicketTable tickets={tickets} queue />
        </Card>
        {can(ctx, "support:manage") && (
          <>
            <Card title="Escalation matrix">
              <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
                Shown to tenants on their Support page and to everyone on the public{" "}
                <Link className="underline" href="/support">
                  support page
                </Link>
                . A Tier 2 escalation is also emailed to the Tier 2 address.
              </p>
              <div className="space-y-6">
                {tiers.map((t) => (
                  <TierForm key={t.tier} action={updateSupportTierAction} tier={t} />
                ))}
              </div>
            </Card>
            <Card title="Business hours and targets">
              <SupportSettingsForm
                action={updateSupportSettingsAction}
                settings={{
                  timeZone: cal.timeZone,
                  days: cal.days,
                  opens: formatTimeOfDay(cal.startMinute),
                  closes: formatTimeOfDay(cal.endMinute),
                  holidays: cal.holidays.join(" "),
                  targets: settings.targets,
                }}
              />
            </Card>
          </>
        )}
      </div>
    );
  }
  return (
    <div className="space-y-6">
      <PageHeader
        title="Support"
        description="How to reach us, your tickets, and how to escalate when an answer is late or did not help."
      />
      <Card title="Escalation matrix">
        <EscalationMatrix tiers={tiers} />
      </Card>
      <Card
        title="Your tickets"
        actions={
          can(ctx, "tickets:raise") ? (
            <Link
              href="/portal/support/new"
              className="rounded-md bg-sky-700 px-3 py-2 text-sm font-medium text-white hover:bg-sky-800"
            >
              Raise a ticket
            </Link>
          ) : null
        }
      >
        <TicketTable tickets={tickets} queue={false} />
      </Card>
      {can(ctx, "tickets:raise") && (
        <Card title="Tier 3 escalation form">
          <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
            For high-impact or unresolved issues that need senior management. It needs the ID of
            your Tier 2 ticket that is still open (or was resolved and you marked its answer
            unsatisfactory).
          </p>
          <Tier3Form action={escalateToTier3Action} />
        </Card>
      )}
    </div>
  );
}

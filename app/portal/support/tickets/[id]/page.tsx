import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { orNotFound } from "@/app/_server/not-found";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { can } from "@/lib/context";
import { getTicket, listTicketWorkers, STATUS_LABELS } from "@/lib/support/tickets";
import { Card, PageHeader } from "@/components/ui/card";
import { ClockText } from "@/components/support/clocks";
import { TextBoxForm, TicketStatusForm } from "@/components/support/ticket-forms";
import {
  closeTicketAction,
  escalateToTier2Action,
  markUnsatisfactoryAction,
  replyToTicketAction,
  updateTicketAction,
} from "../../actions";

export const metadata: Metadata = { title: "Ticket" };

const EVENT_WORDS: Record<string, string> = {
  created: "raised the ticket",
  reply: "replied",
  note: "added an internal note",
  status: "changed the status",
  assigned: "changed the assignee",
  unsatisfactory: "marked the answer unsatisfactory",
  escalated: "escalated",
};

export default async function TicketPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = await requirePageCtx(undefined, `/portal/support/tickets/${id}`);
  const ticket = await orNotFound(getTicket({ ctx, input: { id } }));
  const support = ctx.org.kind === "platform" && can(ctx, "tickets:work");
  const tenant = ctx.org.kind === "tenant" && can(ctx, "tickets:raise");
  const workers = support ? await listTicketWorkers({ ctx }) : [];
  const open = !["resolved", "closed"].includes(ticket.status);
  const answered = ticket.events.some((e) => e.side === "support" && e.type === "reply");
  return (
    <div className="space-y-6">
      <PageHeader
        title={`${ticket.ref}: ${ticket.subject}`}
        description={`Tier ${ticket.tier} · ${ticket.severity} · ${STATUS_LABELS[ticket.status]}${support ? ` · ${ticket.orgName}` : ""}`}
      />
      <Card title="Details">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-2">
          <div>
            <dt className="font-medium">Tenant ID</dt>
            <dd>
              <code>{ticket.orgId}</code>
            </dd>
          </div>
          <div>
            <dt className="font-medium">Incident</dt>
            <dd>
              {ticket.incident ? (
                <Link className="underline" href={`/incidents/${ticket.incident.id}`}>
                  {ticket.incident.title}
                </Link>
              ) : (
                "None"
              )}
            </dd>
          </div>
          <div>
            <dt className="font-medium">Channels affected</dt>
            <dd>{ticket.channels.length ? ticket.channels.join(", ") : "Not given"}</dd>
          </div>
          <div>
            <dt className="font-medium">Seen at</dt>
            <dd>
              {ticket.observedAt
                ? `${ticket.observedAt.toISOString().replace("T", " ").slice(0, 16)} UTC${ticket.observedTimeZone ? ` (reported from ${ticket.observedTimeZone})` : ""}`
                : "Not given"}
            </dd>
          </div>
          <div>
            <dt className="font-medium">SLA</dt>
            <dd className="space-y-1">
              <p>
                <ClockText label="Acknowledge" clock={ticket.acknowledge} />
              </p>
              <p>
                <ClockText label="Resolve" clock={ticket.resolve} />
              </p>
            </dd>
          </div>
          <div>
            <dt className="font-medium">Escalation</dt>
            <dd>
              {ticket.parent && (
                <p>
                  Escalated from{" "}
                  <Link className="underline" href={`/portal/support/tickets/${ticket.parent.id}`}>
                    {ticket.parent.ref}
                  </Link>
                </p>
              )}
              {ticket.escalatedTo ? (
                <p>
                  Escalated to{" "}
                  <Link
                    className="underline"
                    href={`/portal/support/tickets/${ticket.escalatedTo.id}`}
                  >
                    {ticket.escalatedTo.ref}
                  </Link>
                </p>
              ) : (
                !ticket.parent && <p>Not escalated</p>
              )}
            </dd>
          </div>
        </dl>
        {support && (
          <p className="mt-4 text-sm">
            <Link className="underline" href={`/portal/support/tickets/${ticket.id}/deliveries`}>
              Open {ticket.orgName}&apos;s delivery log for this ticket (read-only, recorded in
              their audit log)
            </Link>
          </p>
        )}
      </Card>
      <Card title="Timeline">
        <ol className="space-y-4">
          {ticket.events.map((e) => (
            <li
              key={e.id}
              className={`rounded-md border p-3 text-sm ${e.internal ? "border-amber-300 bg-amber-50 dark:border-amber-800 dark:bg-amber-950" : "border-slate-200 dark:border-slate-800"}`}
            >
              <p className="text-xs text-slate-600 dark:text-slate-400">
                {e.createdAt.toISOString().replace("T", " ").slice(0, 16)} UTC ·{" "}
                <span className="font-medium">{e.actorName}</span>{" "}
                {e.side === "support" ? "(support)" : ""} {EVENT_WORDS[e.type] ?? e.type}
                {e.type === "status" && e.data.to
                  ? ` to ${STATUS_LABELS[e.data.to as keyof typeof STATUS_LABELS] ?? String(e.data.to)}`
                  : ""}
                {e.type === "escalated" && e.data.to ? ` as ${String(e.data.to)}` : ""}
                {e.internal ? " · internal" : ""}
              </p>
              {e.body && <p className="mt-1 whitespace-pre-wrap">{e.body}</p>}
            </li>
          ))}
        </ol>
      </Card>
      {support && (
        <Card title="Work this ticket">
          <div className="space-y-6">
            <TicketStatusForm
              action={updateTicketAction}
              id={ticket.id}
              status={ticket.status}
              assigneeId={ticket.assigneeId}
              workers={workers}
            />
            {ticket.status !== "closed" && (
              <TextBoxForm
                action={replyToTicketAction}
                hidden={{ id: ticket.id }}
                name="body"
                label="Reply or internal note"
                button="Send"
                extra={
                  <label className="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="internal" /> Internal note (the tenant does not see
                    it)
                  </label>
                }
              />
            )}
          </div>
        </Card>
      )}
      {tenant && ticket.status !== "closed" && (
        <Card title="Reply">
          <TextBoxForm
            action={replyToTicketAction}
            hidden={{ id: ticket.id }}
            name="body"
            label="Your reply"
            button="Send reply"
          />
        </Card>
      )}
      {tenant &&
        ticket.status !== "closed" &&
        (answered || ticket.status === "resolved") &&
        !ticket.unsatisfactoryAt && (
          <Card title="Did the answer help?">
            <TextBoxForm
              action={markUnsatisfactoryAction}
              hidden={{ id: ticket.id }}
              name="reason"
              label="What is still wrong"
              button="Mark answer unsatisfactory"
              variant="secondary"
            />
          </Card>
        )}
      {tenant && ticket.tier === 1 && !ticket.escalatedTo && (
        <Card title="Escalate to Tier 2">
          <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
            {ticket.tier2.allowed
              ? `You can escalate: ${ticket.tier2.reason.toLowerCase()}.`
              : `${ticket.tier2.reason}.`}
          </p>
          {ticket.tier2.allowed && (
            <TextBoxForm
              action={escalateToTier2Action}
              hidden={{ id: ticket.id }}
              name="reason"
              label="What you need from the escalation team"
              button="Escalate to Tier 2"
              variant="danger"
            />
          )}
        </Card>
      )}
      {tenant && open && (
        <Card title="Close">
          <ActionForm action={closeTicketAction} label="Close ticket">
            <input type="hidden" name="id" value={ticket.id} />
            <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
              Close it when you need nothing more; a closed ticket cannot be escalated.
            </p>
            <SubmitButton variant="secondary">Close ticket</SubmitButton>
          </ActionForm>
        </Card>
      )}
    </div>
  );
}

import { Card } from "@/components/ui/card";
import type { Escalation, EscalationEvent } from "@/db/schema";
import { AcknowledgeButton } from "./policy-form";
import type { ActionResult } from "@/lib/errors";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<unknown>>;

const STATUS_WORDS: Record<Escalation["status"], string> = {
  active: "Paging",
  acknowledged: "Acknowledged",
  unacknowledged: "Unacknowledged",
  stopped: "Stopped",
};

const time = (d: Date) => d.toISOString().slice(0, 19).replace("T", " ") + " UTC";

/** The incident's internal on-call timeline: who was paged, escalated to, and who acknowledged. */
export function OnCallCard({
  incidentId,
  escalations,
  events,
  acknowledge,
}: {
  incidentId: string;
  escalations: Escalation[];
  events: EscalationEvent[];
  /** The Acknowledge button's action, for those who may acknowledge. */
  acknowledge?: Action;
}) {
  if (escalations.length === 0) return null;
  const active = escalations.some((e) => e.status === "active");
  return (
    <Card
      title="On-call (internal)"
      actions={
        active && acknowledge ? (
          <AcknowledgeButton action={acknowledge} incidentId={incidentId} />
        ) : undefined
      }
    >
      <ul className="mb-3 space-y-1 text-sm">
        {escalations.map((e) => (
          <li key={e.id}>
            <span className="font-medium">{e.policyName}</span>:{" "}
            <span data-testid="escalation-status">{STATUS_WORDS[e.status]}</span>
            {e.status === "acknowledged" && e.acknowledgedBy && ` by ${e.acknowledgedBy}`}
            {e.status === "active" && e.tier > 0 && ` (tier ${e.tier} paged)`}
          </li>
        ))}
      </ul>
      <ol
        aria-label="On-call timeline"
        className="space-y-1 border-l border-slate-200 pl-4 text-sm dark:border-slate-800"
      >
        {events.map((ev) => (
          <li key={ev.id}>
            <span className="text-xs text-slate-500">{time(ev.createdAt)}</span> {ev.detail}
          </li>
        ))}
      </ol>
      <p className="mt-2 text-xs text-slate-500">
        Not shown on the public status page. The pages themselves are in the delivery log.
      </p>
    </Card>
  );
}

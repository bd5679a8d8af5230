import type { Metadata } from "next";
import Link from "next/link";
import { requirePageCtx } from "@/app/_server/ctx";
import { CHANNELS, DELIVERY_STATUSES } from "@/db/schema";
import { listMembers } from "@/lib/members/list";
import { listEndpoints } from "@/lib/alerts/endpoints";
import { can } from "@/lib/context";
import {
  deliveryLogRow,
  getDelivery,
  listDeliveries,
  RESENDABLE,
  type DeliveryRow,
} from "@/lib/alerts/deliveries";
import { listIncidentsFor } from "@/lib/incidents/list";
import { explainRouting, listRecipientAddresses, type Explanation } from "@/lib/alerts/explain";
import { ValidationError, NotFoundError } from "@/lib/errors";
import { deliveryStateLabel, deliveryStatusText, inDevMailbox, logTime } from "@/lib/labels";
import { Card, PageHeader } from "@/components/ui/card";
import { SettingsForm } from "@/components/alerts/forms";
import { DeliveryLog } from "@/components/alerts/delivery-log";
import { liveKeys } from "@/components/live";
import { resendDeliveryAction } from "./actions";

export const metadata: Metadata = { title: "Delivery log" };

type Search = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

const STATUS_STYLE: Record<string, string> = {
  delivered: "text-emerald-700 dark:text-emerald-400",
  failed: "text-red-700 dark:text-red-400",
  suppressed: "text-slate-500 dark:text-slate-400",
  skipped: "text-amber-700 dark:text-amber-400",
  held: "text-amber-700",
  pending: "text-sky-700",
  retrying: "text-amber-700 dark:text-amber-400",
  sending: "text-sky-700",
  digested: "text-emerald-700",
  dev_mailbox: "text-amber-700 dark:text-amber-400",
};

/** The style of a delivery's state: a message only in the dev mailbox is not shown as delivered. */
const statusStyle = (d: Parameters<typeof deliveryStatusText>[0]) =>
  STATUS_STYLE[inDevMailbox(d) ? "dev_mailbox" : deliveryStateLabel(d)];

// buttonClass lives in a client module; server pages keep their own copy of the secondary style.
const secondaryButton =
  "inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-900 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800";
const inputClass =
  "max-w-full rounded-md border border-slate-300 px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";

function Trace({ steps }: { steps: { step: string; outcome: string; detail: string }[] }) {
  return (
    <ol className="list-decimal space-y-1 pl-5 text-sm">
      {steps.map((s, i) => (
        <li key={i}>
          <span className="font-medium">{s.step.replace("_", " ")}</span> —{" "}
          <span className={STATUS_STYLE[s.outcome] ?? ""}>{s.outcome}</span>: {s.detail}
        </li>
      ))}
    </ol>
  );
}

export default async function DeliveriesPage({ searchParams }: { searchParams: Promise<Search> }) {
  const ctx = await requirePageCtx("deliveries:read", "/portal/deliveries");
  const sp = await searchParams;
  const filters = {
    incidentId: one(sp.incident),
    channel: one(sp.channel),
    status: one(sp.status),
    recipient: one(sp.recipient),
  };
  let error: string | null = null;
  let rows: DeliveryRow[] = [];
  try {
    rows = await listDeliveries({ ctx, input: filters });
  } catch (e) {
    if (e instanceof ValidationError) error = e.message;
    else throw e;
  }
  const selectedId = one(sp.id);
  let selected: Awaited<ReturnType<typeof getDelivery>> | null = null;
  if (selectedId) {
    try {
      selected = await getDelivery({ ctx, input: { id: selectedId } });
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
  }
  const manage = can(ctx, "alerts:manage");
  // Incidents to pick from (the filter and the explainer), newest first: never a pasted id.
  const incidentChoices = (await listIncidentsFor({ ctx, input: { limit: 100 } })).map((i) => ({
    id: i.id,
    label: `${i.title} (${logTime(new Date(i.startedAt))})`,
  }));
  const incidentOptions = (selectedId: string | undefined) => {
    const options = [...incidentChoices];
    // An incident from a link that is no longer among the newest still shows by its title.
    const fromRow = rows.find((r) => r.incidentId === selectedId);
    if (selectedId && !options.some((o) => o.id === selectedId))
      options.push({ id: selectedId, label: fromRow?.incidentTitle ?? "The incident linked" });
    return options;
  };

  // The explainer: members, endpoints and extra recipients of this organization only.
  const members = (await listMembers({ ctx })).members.map((m) => ({
    id: m.userId,
    email: m.email,
  }));
  const endpoints = ctx.org.kind === "tenant" ? await listEndpoints({ ctx }) : [];
  const addresses = ctx.org.kind === "tenant" ? await listRecipientAddresses({ ctx }) : [];
  const who = one(sp.who);
  const explainFor = one(sp.explain);
  let explanation: Explanation | null = null;
  let explainError: string | null = null;
  if (who && explainFor) {
    const kind = who.slice(0, who.indexOf(":"));
    const id = who.slice(who.indexOf(":") + 1);
    try {
      explanation = await explainRouting({
        ctx,
        input: {
          ...(explainFor.startsWith("job:")
            ? { jobId: explainFor.slice(4) }
            : { incidentId: explainFor }),
          ...(kind === "endpoint"
            ? { endpointId: id }
            : kind === "recipient"
              ? { address: id }
              : { userId: id }),
        },
      });
    } catch (e) {
      if (e instanceof ValidationError || e instanceof NotFoundError) explainError = e.message;
      else throw e;
    }
  }
  const qs = (extra: Record<string, string>) =>
    "?" +
    new URLSearchParams({
      ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v) as [string, string][]),
      ...extra,
    }).toString();

  return (
    <div className="space-y-6">
      <PageHeader
        title="Delivery log"
        description="Every alert sent to your organization: who, on which channel, when, why, and with what result."
      />
      <Card title="Filter">
        <form
          key={JSON.stringify(filters)}
          className="flex flex-wrap items-end gap-3"
          aria-label="Filter deliveries"
        >
          <label className="flex max-w-full min-w-0 flex-col text-sm">
            Incident
            <select
              name="incident"
              defaultValue={filters.incidentId ?? ""}
              className={`${inputClass} block max-w-xs`}
            >
              <option value="">Any</option>
              {incidentOptions(filters.incidentId).map((i) => (
                <option key={i.id} value={i.id}>
                  {i.label}
                </option>
              ))}
            </select>
          </label>
          <label className="flex max-w-full min-w-0 flex-col text-sm">
            Channel
            <select
              name="channel"
              defaultValue={filters.channel ?? ""}
              className={`${inputClass} block`}
            >
              <option value="">Any</option>
              {CHANNELS.map((c) => (
                <option key={c}>{c}</option>
              ))}
            </select>
          </label>
          <label className="flex max-w-full min-w-0 flex-col text-sm">
            Status
            <select
              name="status"
              defaultValue={filters.status ?? ""}
              className={`${inputClass} block`}
            >
              <option value="">Any</option>
              {DELIVERY_STATUSES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
          <label className="flex max-w-full min-w-0 flex-col text-sm">
            Recipient
            <input
              name="recipient"
              defaultValue={filters.recipient}
              className={`${inputClass} block`}
            />
          </label>
          <button type="submit" className={secondaryButton}>
            Apply
          </button>
        </form>
        {error && (
          <p role="alert" className="mt-3 text-sm text-red-700">
            {error}
          </p>
        )}
      </Card>

      {selected && (
        <Card
          title={`Delivery: ${selected.title ?? selected.kind ?? ""}`}
          actions={
            <Link href={qs({})} className="text-sm underline">
              Close
            </Link>
          }
        >
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
            {selected.incidentId && (
              <>
                <dt className="text-slate-500 dark:text-slate-400">Incident</dt>
                <dd>
                  <Link href={`/portal/incidents/${selected.incidentId}`} className="underline">
                    {selected.incidentTitle ?? "Incident"}
                  </Link>
                </dd>
              </>
            )}
            <dt className="text-slate-500 dark:text-slate-400">Recipient</dt>
            <dd>{selected.destination}</dd>
            <dt className="text-slate-500 dark:text-slate-400">Channel</dt>
            <dd>{selected.channel}</dd>
            <dt className="text-slate-500 dark:text-slate-400">Status</dt>
            <dd className={statusStyle(selected)} data-testid="delivery-status">
              {deliveryStatusText(selected)}
            </dd>
            <dt className="text-slate-500 dark:text-slate-400">Reason</dt>
            <dd data-testid="delivery-reason">{selected.reason ?? "—"}</dd>
            <dt className="text-slate-500 dark:text-slate-400">Provider id</dt>
            <dd className="font-mono text-xs">{selected.providerId ?? "—"}</dd>
            <dt className="text-slate-500 dark:text-slate-400">Last error</dt>
            <dd>{selected.error ?? "—"}</dd>
          </dl>
          <h3 className="mt-4 mb-1 text-sm font-semibold">Routing and delivery trace</h3>
          <Trace steps={selected.trace} />
          {selected.digestItems.length > 0 && (
            <>
              <h3 className="mt-4 mb-1 text-sm font-semibold">Alerts in this digest</h3>
              <ul className="list-disc pl-5 text-sm">
                {selected.digestItems.map((i) => (
                  <li key={i.id}>{i.title}</li>
                ))}
              </ul>
            </>
          )}
          <h3 className="mt-4 mb-1 text-sm font-semibold">Attempts</h3>
          {selected.attemptLog.length === 0 ? (
            <p className="text-sm text-slate-500 dark:text-slate-400">None yet.</p>
          ) : (
            <table className="w-full text-left text-sm">
              <thead className="text-slate-500 dark:text-slate-400">
                <tr>
                  <th className="font-medium">#</th>
                  <th className="font-medium">At</th>
                  <th className="font-medium">Response</th>
                  <th className="font-medium">Took</th>
                  <th className="font-medium">Error</th>
                  <th className="font-medium">Next try</th>
                </tr>
              </thead>
              <tbody>
                {selected.attemptLog.map((a) => (
                  <tr key={a.attempt}>
                    <td>{a.attempt}</td>
                    <td>{logTime(a.startedAt, { seconds: true })}</td>
                    <td>{a.responseCode ?? "—"}</td>
                    <td>{a.durationMs} ms</td>
                    <td>{a.error ?? "—"}</td>
                    <td>{a.retryAt ? logTime(a.retryAt, { seconds: true }) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {can(ctx, "tickets:raise") && ["failed", "skipped"].includes(selected.status) && (
            <p className="mt-4 text-sm">
              <Link className="underline" href={`/portal/support/new?delivery=${selected.id}`}>
                Raise a ticket about this delivery
              </Link>
            </p>
          )}
          {manage && RESENDABLE.includes(selected.status) && (
            <div className="mt-4">
              <SettingsForm
                action={resendDeliveryAction}
                label="Resend delivery"
                submit="Resend"
                className="flex items-center gap-3"
                invalidates={[liveKeys.deliveries]}
              >
                <input type="hidden" name="id" value={selected.id} />
              </SettingsForm>
            </div>
          )}
        </Card>
      )}

      <Card title="Deliveries">
        <DeliveryLog
          initial={rows.map(deliveryLogRow)}
          filters={{
            incident: filters.incidentId,
            channel: filters.channel,
            status: filters.status,
            recipient: filters.recipient,
          }}
        />
      </Card>

      <Card title="Why did or didn't someone get an alert?" id="explain">
        <form
          // A new question from a link (a log row's "Why?") shows its own choices.
          key={`${who ?? ""}|${explainFor ?? ""}`}
          className="flex flex-wrap items-end gap-3"
          aria-label="Explain routing"
        >
          <label className="flex max-w-full min-w-0 flex-col text-sm">
            Member, endpoint or extra recipient
            <select name="who" defaultValue={who ?? ""} className={`${inputClass} block`}>
              {members.map((m) => (
                <option key={m.id} value={`member:${m.id}`}>
                  {m.email}
                </option>
              ))}
              {endpoints.map((e) => (
                <option key={e.id} value={`endpoint:${e.id}`}>
                  Endpoint: {e.name}
                </option>
              ))}
              {addresses.map((a) => (
                <option key={a} value={`recipient:${a}`}>
                  Extra recipient: {a}
                </option>
              ))}
            </select>
          </label>
          <label className="flex max-w-full min-w-0 flex-col text-sm">
            Alert about
            <select
              name="explain"
              required
              defaultValue={explainFor ?? ""}
              className={`${inputClass} block max-w-xs`}
            >
              <option value="" disabled>
                Pick an incident
              </option>
              {explainFor?.startsWith("job:") && (
                <option value={explainFor}>
                  {explanation?.notifications[0]?.title ??
                    rows.find((r) => `job:${r.jobId}` === explainFor)?.title ??
                    "The alert picked in the log"}
                </option>
              )}
              {incidentOptions(explainFor?.startsWith("job:") ? undefined : explainFor).map((i) => (
                <option key={i.id} value={i.id}>
                  {i.label}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className={secondaryButton}>
            Explain
          </button>
        </form>
        {explainError && (
          <p role="alert" className="mt-3 text-sm text-red-700">
            {explainError}
          </p>
        )}
        {explanation && (
          <div className="mt-4 space-y-4" data-testid="explanation">
            <p className="text-sm font-medium">{explanation.subject}</p>
            {explanation.notifications.length === 0 && (
              <p className="text-sm">No notifications found for that incident.</p>
            )}
            {explanation.notifications.map((n) => (
              <div key={n.jobId}>
                <p className="text-sm font-semibold">
                  {n.title} · {n.kind} · {n.createdAt.toISOString()}
                </p>
                {n.decisions.map((d) => (
                  <div key={d.channel} className="mt-2 ml-3">
                    <p className="text-sm">
                      {d.channel}: <span className={STATUS_STYLE[d.status] ?? ""}>{d.status}</span>
                    </p>
                    <Trace steps={d.steps} />
                  </div>
                ))}
              </div>
            ))}
          </div>
        )}
      </Card>
    </div>
  );
}

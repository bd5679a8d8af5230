"use client";

import { useQuery } from "@tanstack/react-query";
import type { IncidentDeliveryBreakdown, Outcome, OutcomeCounts } from "@/lib/alerts/fanout";
import { fetchJson, live, liveKeys } from "@/components/live";

const OUTCOME_LABELS: Record<Outcome, string> = {
  delivered: "Delivered",
  dev_mailbox: "In dev mailbox (not sent)",
  digested: "In a digest",
  held: "Held",
  sending: "Sending",
  retrying: "Retrying",
  failed: "Failed",
  suppressed: "Filtered out",
  skipped: "Skipped (endpoint disabled)",
};
const ORDER = Object.keys(OUTCOME_LABELS) as Outcome[];

const CHANNEL_LABELS: Record<string, string> = {
  email: "Email",
  sms: "SMS",
  slack: "Slack",
  teams: "Teams",
  webhook: "Webhook",
  in_app: "In-app",
};

const time = (iso: string) => `${iso.slice(0, 19).replace("T", " ")} UTC`;
const th = "px-2 py-1 text-left font-medium";
const td = "px-2 py-1 tabular-nums";

function CountsTable({
  caption,
  head,
  rows,
  outcomes,
}: {
  caption: string;
  head: string;
  rows: { key: string; name: string; total: number; counts: OutcomeCounts }[];
  outcomes: Outcome[];
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm">
        <caption className="mb-1 text-left font-semibold">{caption}</caption>
        <thead className="text-slate-500">
          <tr>
            <th scope="col" className={th}>
              {head}
            </th>
            {outcomes.map((o) => (
              <th key={o} scope="col" className={th}>
                {OUTCOME_LABELS[o]}
              </th>
            ))}
            <th scope="col" className={th}>
              Total
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row" className={th}>
                {r.name}
              </th>
              {outcomes.map((o) => (
                <td key={o} className={td}>
                  {r.counts[o]}
                </td>
              ))}
              <td className={td}>{r.total}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * For platform staff on the incident page: who the incident's alerts reached, by tenant and by
 * channel with each outcome, and what failed or is being retried (error, tenant, channel, time,
 * a masked address). Live while the page is visible.
 */
export function IncidentDeliveries({ incidentId }: { incidentId: string }) {
  const { data: b, error } = useQuery({
    queryKey: liveKeys.incidentDeliveries(incidentId),
    queryFn: () =>
      fetchJson<IncidentDeliveryBreakdown>(
        `/api/portal/incident-deliveries?incident=${encodeURIComponent(incidentId)}`,
      ),
    refetchInterval: (q) =>
      q.state.data && q.state.data.totals.counts.sending + q.state.data.totals.counts.retrying === 0
        ? 15_000
        : 3_000,
    ...live,
  });
  if (!b) {
    return error ? (
      <p role="alert" className="text-sm text-red-700 dark:text-red-400">
        Could not load who was alerted: {error.message}
      </p>
    ) : null;
  }
  if (b.totals.total === 0) {
    return <p className="text-sm text-slate-600 dark:text-slate-400">No deliveries yet.</p>;
  }
  // Only the outcomes that occurred get a column.
  const outcomes = ORDER.filter((o) => b.totals.counts[o] > 0);
  return (
    <div className="space-y-6" data-testid="incident-deliveries">
      <CountsTable
        caption="By tenant"
        head="Tenant"
        outcomes={outcomes}
        rows={b.byTenant.map((t) => ({ key: t.orgId, name: t.orgName, ...t }))}
      />
      <CountsTable
        caption="By channel"
        head="Channel"
        outcomes={outcomes}
        rows={b.byChannel.map((c) => ({
          key: c.channel,
          name: CHANNEL_LABELS[c.channel] ?? c.channel,
          ...c,
        }))}
      />
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <caption className="mb-1 text-left font-semibold">
            Failed and retrying
            {b.problemCount > b.problems.length
              ? ` (the newest ${b.problems.length} of ${b.problemCount})`
              : ` (${b.problemCount})`}
          </caption>
          {b.problems.length > 0 && (
            <thead className="text-slate-500">
              <tr>
                <th scope="col" className={th}>
                  Last try
                </th>
                <th scope="col" className={th}>
                  Tenant
                </th>
                <th scope="col" className={th}>
                  Channel
                </th>
                <th scope="col" className={th}>
                  Recipient
                </th>
                <th scope="col" className={th}>
                  Outcome
                </th>
                <th scope="col" className={th}>
                  Error
                </th>
              </tr>
            </thead>
          )}
          <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
            {b.problems.map((p) => (
              <tr key={p.id}>
                <td className={`${td} whitespace-nowrap`}>{time(p.at)}</td>
                <td className={td}>{p.orgName}</td>
                <td className={td}>{CHANNEL_LABELS[p.channel] ?? p.channel}</td>
                <td className={td}>{p.destination}</td>
                <td className={td}>
                  {p.outcome === "failed"
                    ? `Failed after ${p.attempts} attempt${p.attempts === 1 ? "" : "s"}`
                    : `Retrying (next try at ${p.nextTryAt ? time(p.nextTryAt) : "soon"})`}
                </td>
                <td className={`${td} break-words`}>{p.error ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {b.problems.length === 0 && (
          <p className="text-sm text-slate-600 dark:text-slate-400">None.</p>
        )}
      </div>
    </div>
  );
}

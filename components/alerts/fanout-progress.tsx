"use client";

import { useEffect, useRef } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { FanoutProgress as Progress, FanoutUpdate } from "@/lib/alerts/fanout";
import { fetchJson, live, liveKeys } from "@/components/live";

/** HH:MM:SS UTC, the console's clock. */
const clock = (iso: string) => `${iso.slice(11, 19)} UTC`;

const KIND_LABELS: Record<string, string> = {
  "incident.created": "Opened",
  "incident.updated": "Update",
  "incident.resolved": "Resolved",
};

function UpdateLine({ u }: { u: FanoutUpdate }) {
  const c = u.counts;
  const label = `${KIND_LABELS[u.kind] ?? u.kind}${u.status && u.kind !== "incident.resolved" ? ` (${u.status})` : ""} at ${clock(u.createdAt)}`;
  if (!u.planned && u.total === 0) {
    return <li data-state="planning">{label}: working out who to alert…</li>;
  }
  // What was meant to go out: not what subscribers' filters left out or a disabled endpoint missed.
  const sent = u.total - c.suppressed - c.skipped;
  const reached = c.delivered + c.digested;
  const parts = [
    c.dev_mailbox ? `${c.dev_mailbox} in dev mailbox (not sent)` : "",
    c.held ? `${c.held} held` : "",
    c.sending ? `${c.sending} sending` : "",
    c.retrying
      ? `${c.retrying} retrying${u.nextRetryAt ? ` (next try at ${clock(u.nextRetryAt)})` : ""}`
      : "",
    c.failed ? `${c.failed} failed` : "",
  ].filter(Boolean);
  const aside = [
    c.suppressed ? `${c.suppressed} filtered out by subscribers' settings` : "",
    c.skipped ? `${c.skipped} skipped: endpoint disabled` : "",
  ].filter(Boolean);
  const busy = !u.planned || c.sending > 0 || c.retrying > 0 || c.held > 0;
  return (
    <li data-state={busy ? "sending" : "done"}>
      {label}: {reached} of {sent} delivered
      {parts.length ? ` · ${parts.join(" · ")}` : ""}
      {aside.length ? ` (${aside.join("; ")})` : ""}
      {!u.planned ? " · still planning" : ""}
    </li>
  );
}

/**
 * For the incident page: live counts of each of an incident's alerts (the opening and every
 * update), refetched every 2 s while anything is in flight and every 10 s otherwise (so a new
 * update shows up), never while the tab is hidden. Posting an update invalidates it.
 */
export function FanoutProgress({ incidentId }: { incidentId: string }) {
  const { data: p, error } = useQuery({
    queryKey: liveKeys.fanout(incidentId),
    queryFn: () =>
      fetchJson<Progress>(`/api/portal/fanout?incident=${encodeURIComponent(incidentId)}`),
    refetchInterval: (q) => (q.state.data?.inFlight === false ? 10_000 : 2_000),
    ...live,
  });
  if (!p) {
    return error ? (
      <p role="alert" className="text-sm text-red-700 dark:text-red-400">
        Could not load the alerts' progress: {error.message}
      </p>
    ) : null;
  }
  if (p.updates.length === 0) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">
        No alerts sent for this incident yet.
      </p>
    );
  }
  return (
    <div
      role="status"
      aria-live="polite"
      className="text-sm text-slate-600 dark:text-slate-400"
      data-testid="fanout-progress"
    >
      <ul className="space-y-1">
        {p.updates.map((u) => (
          <UpdateLine key={u.jobId} u={u} />
        ))}
      </ul>
    </div>
  );
}

/**
 * Refetches an incident's live views at once when the server renders a new version of the
 * incident (an update was posted or it was reopened here, and the page was revalidated), rather
 * than at their next interval.
 */
export function RefreshIncidentLive({
  incidentId,
  version,
}: {
  incidentId: string;
  version: string;
}) {
  const queryClient = useQueryClient();
  const seen = useRef(version);
  useEffect(() => {
    if (seen.current === version) return;
    seen.current = version;
    void queryClient.invalidateQueries({ queryKey: liveKeys.fanout(incidentId) });
    void queryClient.invalidateQueries({ queryKey: liveKeys.incidentDeliveries(incidentId) });
  }, [queryClient, incidentId, version]);
  return null;
}

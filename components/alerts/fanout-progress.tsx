"use client";

import { useEffect, useState } from "react";

interface Progress {
  total: number;
  delivered: number;
  held: number;
  pending: number;
  failed: number;
  suppressed: number;
  /** Not sent because the endpoint is disabled (the delivery log says since when and why). */
  skipped: number;
}

/** For the incident page: live counts of an incident's alert deliveries, refreshed while sending. */
export function FanoutProgress({
  incidentId,
  pollMs = 2000,
}: {
  incidentId: string;
  pollMs?: number;
}) {
  const [p, setP] = useState<Progress | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      try {
        const res = await fetch(`/api/portal/fanout?incident=${encodeURIComponent(incidentId)}`, {
          cache: "no-store",
        });
        if (res.ok && !stopped) {
          const next = (await res.json()) as Progress;
          setP(next);
          // Stop polling once nothing is left in flight.
          if (next.pending === 0 && next.total > 0) return;
        }
      } catch {
        // try again
      }
      if (!stopped) timer = setTimeout(poll, pollMs);
    }
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [incidentId, pollMs]);
  if (!p) return null;
  if (p.total === 0) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">
        No alerts sent for this incident yet.
      </p>
    );
  }
  const sent = p.total - p.suppressed - p.skipped;
  const aside = [
    p.suppressed ? `${p.suppressed} filtered out by subscribers' settings` : "",
    p.skipped ? `${p.skipped} skipped: endpoint disabled` : "",
  ].filter(Boolean);
  return (
    <p
      role="status"
      aria-live="polite"
      className="text-sm text-slate-600 dark:text-slate-400"
      data-testid="fanout-progress"
    >
      Alerts: {p.delivered} delivered · {p.held} held · {p.failed} failed · {p.pending} sending, of{" "}
      {sent}
      {aside.length ? ` (${aside.join("; ")})` : ""}
    </p>
  );
}

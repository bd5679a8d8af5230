"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { DeliveryLogRow } from "@/lib/alerts/deliveries";
import { fetchJson, live, liveKeys } from "@/components/live";

export type LogFilters = {
  incident?: string;
  channel?: string;
  status?: string;
  recipient?: string;
};

const STATE_STYLE: Record<string, string> = {
  delivered: "text-emerald-700 dark:text-emerald-400",
  failed: "text-red-700 dark:text-red-400",
  suppressed: "text-slate-500",
  skipped: "text-amber-700 dark:text-amber-400",
  held: "text-amber-700",
  pending: "text-sky-700",
  retrying: "text-amber-700 dark:text-amber-400",
  sending: "text-sky-700",
  digested: "text-emerald-700",
  dev_mailbox: "text-amber-700 dark:text-amber-400",
};

const filterParams = (f: LogFilters) =>
  Object.fromEntries(Object.entries(f).filter(([, v]) => v)) as Record<string, string>;

/** A link to this page with the current filters and `extra`. */
export const logHref = (f: LogFilters, extra: Record<string, string>, hash = "") =>
  `?${new URLSearchParams({ ...filterParams(f), ...extra }).toString()}${hash}`;

/**
 * The delivery log's table, live: refetched every 5 s while the tab is visible (new deliveries,
 * retries and outcomes appear on their own), and at once after a resend (its form invalidates
 * the log). Each row names its incident and links to the explainer's answer for its recipient.
 */
export function DeliveryLog({
  initial,
  filters,
}: {
  initial: DeliveryLogRow[];
  filters: LogFilters;
}) {
  const { data } = useQuery({
    queryKey: liveKeys.deliveryLog(filters),
    queryFn: async () =>
      (
        await fetchJson<{ rows: DeliveryLogRow[] }>(
          `/api/portal/deliveries?${new URLSearchParams(filterParams(filters)).toString()}`,
        )
      ).rows,
    initialData: initial,
    initialDataUpdatedAt: Date.now(),
    refetchInterval: 5_000,
    ...live,
  });
  const rows = data ?? initial;
  if (rows.length === 0) {
    return <p className="text-sm text-slate-600 dark:text-slate-400">No deliveries match.</p>;
  }
  return (
    <div className="scroll-x max-w-full">
      <table className="w-full text-left text-sm" aria-label="Deliveries">
        <thead className="text-slate-500">
          <tr>
            <th className="py-2 font-medium">When</th>
            <th className="font-medium">Alert</th>
            <th className="font-medium">Incident</th>
            <th className="font-medium">Recipient</th>
            <th className="font-medium">Channel</th>
            <th className="font-medium">Status</th>
            <th className="font-medium">Attempts</th>
            <th className="font-medium">Response</th>
            <th className="font-medium">Reason</th>
            <th className="font-medium">
              <span className="sr-only">Explain</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {rows.map((d) => (
            <tr key={d.id}>
              <td className="py-2 whitespace-nowrap">
                {d.createdAt.slice(0, 19).replace("T", " ")}
              </td>
              <td>
                <Link href={logHref(filters, { id: d.id })} className="underline">
                  {d.title ?? d.kind}
                </Link>
              </td>
              <td>
                {d.incidentId ? (
                  <Link href={`/portal/incidents/${d.incidentId}`} className="hover:underline">
                    {d.incidentTitle ?? "Incident"}
                  </Link>
                ) : (
                  "—"
                )}
              </td>
              <td>{d.destination}</td>
              <td>{d.channel}</td>
              <td className={STATE_STYLE[d.state] ?? ""}>{d.stateText}</td>
              <td>{d.attempts}</td>
              <td>{d.response}</td>
              <td className="text-slate-600 dark:text-slate-400">{d.reason ?? ""}</td>
              <td className="whitespace-nowrap">
                {d.explain && (
                  <Link
                    href={logHref(
                      filters,
                      { who: d.explain.who, explain: d.explain.about },
                      "#explain",
                    )}
                    className="text-sky-700 underline dark:text-sky-400"
                    aria-label={`Why? ${d.title ?? d.kind ?? "alert"} to ${d.destination} by ${d.channel}`}
                  >
                    Why?
                  </Link>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

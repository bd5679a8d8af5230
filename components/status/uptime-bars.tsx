"use client";

import type { CompactDays } from "@/lib/status/uptime";

/**
 * 90 daily bars; hovering a bar shows the date, uptime and worst status of that day.
 *
 * A client component on purpose: a status page has ~4,000 bars, and as server markup each one
 * would be sent twice (HTML and the RSC payload). Here the payload is a 90-character status
 * string and a list of numbers; the markup is rendered once on the server and hydrated.
 */
// Indexed like COMPONENT_STATUSES (see compactDays).
const BG = ["bg-ok", "bg-maintenance", "bg-degraded", "bg-partial", "bg-major"];
const WORDS = ["", "under maintenance", "degraded performance", "partial outage", "major outage"];
const DAY_MS = 86_400_000;

const pct = (u: number) => (u < 0 ? "No data" : `${(Math.floor(u * 100_000) / 1000).toFixed(3)}%`);

export function UptimeBars({
  days,
  total,
  label,
}: {
  days: CompactDays;
  total: number | null;
  label: string;
}) {
  const start = Date.parse(`${days.from}T00:00:00Z`);
  const today = days.uptime.at(-1) ?? -1;
  return (
    <div>
      <div
        role="img"
        aria-label={`${label}: ${pct(total ?? -1)} over the last 90 days; today ${pct(today)}`}
        className="flex h-8 items-end gap-px [&>i]:h-full [&>i]:flex-1 [&>i]:rounded-[1px] [&>i:hover]:opacity-70"
      >
        {days.uptime.map((u, i) => {
          const date = new Date(start + i * DAY_MS).toISOString().slice(0, 10);
          const w = Number(days.worst[i] ?? 0);
          return (
            <i
              key={date}
              title={`${date}: ${u < 0 ? "no data" : `${pct(u)} uptime`}${w ? `, ${WORDS[w]}` : ""}`}
              data-date={date}
              data-uptime={u < 0 ? "" : u}
              className={u < 0 ? "bg-slate-200 dark:bg-slate-800" : BG[w]}
            />
          );
        })}
      </div>
      <div className="mt-1 flex justify-between text-xs text-slate-500 dark:text-slate-400">
        <span>90 days ago</span>
        <span>{pct(total ?? -1)} uptime</span>
        <span>Today</span>
      </div>
    </div>
  );
}

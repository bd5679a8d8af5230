"use client";

import type { CompactDays } from "@/lib/status/uptime";
import { dayText, formatUptime, measuredDays, uptimeFigure } from "@/lib/status/uptime-text";

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

const pct = (u: number) => formatUptime(u < 0 ? null : u);

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
  const figure = uptimeFigure(total, measuredDays(days.uptime));
  return (
    <div>
      <div
        role="img"
        aria-label={`${label}: ${figure}; today ${today < 0 ? "no data" : pct(today)}`}
        className="flex h-8 items-end gap-px [&>i]:h-full [&>i]:flex-1 [&>i]:rounded-[1px] [&>i:hover]:opacity-70"
      >
        {days.uptime.map((u, i) => {
          const date = new Date(start + i * DAY_MS).toISOString().slice(0, 10);
          const w = Number(days.worst[i] ?? 0);
          return (
            <i
              key={date}
              title={dayText(date, u, WORDS[w] ?? "")}
              data-date={date}
              data-uptime={u < 0 ? "" : u}
              className={u < 0 ? "bg-slate-200 dark:bg-slate-800" : BG[w]}
            />
          );
        })}
      </div>
      <div className="mt-1 flex justify-between text-xs text-slate-500 dark:text-slate-400">
        <span>90 days ago</span>
        <span data-testid="uptime-figure">{figure}</span>
        <span>Today</span>
      </div>
    </div>
  );
}

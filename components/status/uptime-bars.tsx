import type { DayUptime } from "@/lib/status/uptime";
import { formatUptime } from "@/lib/status/uptime";
import { STATUS_LABELS } from "@/lib/status/derive";
import { STATUS_BG } from "./status-badge";

/** 90 daily bars; hovering a bar shows the date, uptime and worst status of that day. */
export function UptimeBars({ days, total, label }: { days: DayUptime[]; total: number | null; label: string }) {
  return (
    <div>
      <div
        role="img"
        aria-label={`${label}: ${formatUptime(total)} uptime over the last 90 days; today ${formatUptime(days.at(-1)?.uptime ?? null)}`}
        className="flex h-8 items-end gap-px"
      >
        {days.map((d) => (
          <span
            key={d.date}
            title={`${d.date}: ${d.uptime === null ? "no data" : `${formatUptime(d.uptime)} uptime`}${d.worst !== "operational" ? `, ${STATUS_LABELS[d.worst].toLowerCase()}` : ""}`}
            data-date={d.date}
            data-uptime={d.uptime ?? ""}
            className={`h-full flex-1 rounded-[1px] ${d.uptime === null ? "bg-slate-200 dark:bg-slate-800" : STATUS_BG[d.worst]} hover:opacity-70`}
          />
        ))}
      </div>
      <div className="mt-1 flex justify-between text-xs text-slate-500 dark:text-slate-400">
        <span>90 days ago</span>
        <span>{formatUptime(total)} uptime</span>
        <span>Today</span>
      </div>
    </div>
  );
}

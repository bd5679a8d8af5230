import { COMPONENT_STATUSES, type ComponentStatus } from "@/db/schema";
import { worstStatus } from "./derive";

/**
 * Uptime, as Beacon defines it (also in the README):
 *
 * - Days are UTC calendar days. The last 90 include today, counted up to now.
 * - A cell (one component in one region) is down for the time it spends in `major_outage`, and
 *   30% down for the time in `partial_outage` (the weighting Atlassian Statuspage uses), so an
 *   hour of partial outage costs 18 minutes of uptime. `degraded_performance` and
 *   `under_maintenance` do not count as downtime: the service works, slower or as announced.
 * - Cell uptime for a day = 1 − weighted down seconds / observed seconds. Observed time starts
 *   when the component was created, so days before it existed have no value: their bars are
 *   grey and read "no data", and the figure says how many days it was measured over.
 * - A component's uptime is the mean of its regions' uptimes: five regions with one region down
 *   for a whole day is 80%, not 0%. The 90-day figure is the same mean over all observed time.
 *   Only the regions the component runs in count (its real cells), each from when the cell was
 *   added; a cell taken away since (the region archived, or the component no longer run there)
 *   still counts up to then, so its past downtime is not forgotten.
 * - Only public incidents and maintenance are recorded, so a tenant-only incident never shows
 *   in anyone's uptime.
 */
export const DOWNTIME_WEIGHT: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 0,
  degraded_performance: 0,
  partial_outage: 0.3,
  major_outage: 1,
};

export const UPTIME_DAYS = 90;
const DAY_MS = 86_400_000;

export interface Span {
  status: ComponentStatus;
  startedAt: Date;
  endedAt: Date | null;
}

export interface DayUptime {
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** 0..1, or null when nothing was observed that day. */
  uptime: number | null;
  /** Weighted down seconds. */
  downSeconds: number;
  observedSeconds: number;
  /** The worst status any part of the day saw. */
  worst: ComponentStatus;
}

export const utcDayStart = (d: Date) =>
  new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/** Daily uptime of one cell over `days` UTC days ending today (oldest first). */
export function cellDailyUptime(
  spans: readonly Span[],
  {
    now,
    since,
    until,
    days = UPTIME_DAYS,
  }: { now: Date; since: Date; until?: Date | null; days?: number },
): DayUptime[] {
  const end = until && until < now ? until : now;
  const today = utcDayStart(now).getTime();
  const out: DayUptime[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const dayStart = today - i * DAY_MS;
    const from = Math.max(dayStart, since.getTime());
    const to = Math.min(dayStart + DAY_MS, end.getTime());
    const observed = Math.max(0, to - from);
    let down = 0;
    const seen: ComponentStatus[] = [];
    if (observed > 0) {
      for (const s of spans) {
        const a = Math.max(from, s.startedAt.getTime());
        const b = Math.min(to, (s.endedAt ?? end).getTime());
        if (b <= a) continue;
        down += ((b - a) / 1000) * DOWNTIME_WEIGHT[s.status];
        seen.push(s.status);
      }
    }
    const observedSeconds = observed / 1000;
    out.push({
      date: new Date(dayStart).toISOString().slice(0, 10),
      uptime: observed > 0 ? Math.max(0, 1 - down / observedSeconds) : null,
      downSeconds: down,
      observedSeconds,
      worst: worstStatus(seen),
    });
  }
  return out;
}

/** Combines the regions of one component: mean uptime per day, worst status per day. */
export function combineRegions(perRegion: readonly DayUptime[][]): DayUptime[] {
  if (perRegion.length === 0) return [];
  return perRegion[0]!.map((d, i) => {
    const days = perRegion.map((r) => r[i]!);
    const observed = days.filter((x) => x.uptime !== null);
    return {
      date: d.date,
      uptime: observed.length
        ? observed.reduce((s, x) => s + x.uptime!, 0) / observed.length
        : null,
      downSeconds: days.reduce((s, x) => s + x.downSeconds, 0),
      observedSeconds: days.reduce((s, x) => s + x.observedSeconds, 0),
      worst: worstStatus(days.map((x) => x.worst)),
    };
  });
}

/** Uptime over the whole window (observed-time weighted), or null with nothing observed. */
export function totalUptime(days: readonly DayUptime[]): number | null {
  const observed = days.reduce((s, d) => s + d.observedSeconds, 0);
  if (observed === 0) return null;
  return Math.max(0, 1 - days.reduce((s, d) => s + d.downSeconds, 0) / observed);
}

export { formatUptime, measuredDays, uptimeFigure } from "./uptime-text";

/** Days in a compact form for the browser (the uptime bars are a client component). */
export interface CompactDays {
  /** YYYY-MM-DD of the first (oldest) day. */
  from: string;
  /** One digit per day: the index of the day's worst status in COMPONENT_STATUSES. */
  worst: string;
  /** Uptime per day (0..1), -1 for no data. */
  uptime: number[];
}

export function compactDays(days: readonly DayUptime[]): CompactDays {
  return {
    from: days[0]?.date ?? "",
    worst: days.map((d) => COMPONENT_STATUSES.indexOf(d.worst)).join(""),
    uptime: days.map((d) => (d.uptime === null ? -1 : Math.round(d.uptime * 1e6) / 1e6)),
  };
}

import { TZDate } from "@date-fns/tz";
import type { DigestMode } from "@/db/schema";

/** Time arithmetic for quiet hours and digests, in the tenant's own time zone (DST-aware). */

export interface QuietHours {
  enabled: boolean;
  /** Minutes after local midnight. start > end means the window spans midnight. */
  start: number;
  end: number;
  timeZone: string;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function localParts(now: Date, tz: string) {
  const d = new TZDate(now.getTime(), tz);
  return {
    d,
    minutes: d.getHours() * 60 + d.getMinutes(),
    y: d.getFullYear(),
    m: d.getMonth(),
    day: d.getDate(),
  };
}

/** The instant of local wall-clock time `minutes` on the given local date (rolling over days). */
function atLocal(tz: string, y: number, m: number, day: number, minutes: number): Date {
  const t = new TZDate(y, m, day, Math.floor(minutes / 60), minutes % 60, 0, tz);
  return new Date(t.getTime());
}

/**
 * When quiet hours end, if `now` is inside them; null otherwise. The end is computed as local wall
 * time on the right local day, so a window that contains a DST change still ends at the stated
 * local time (07:00 stays 07:00 even when the night was an hour shorter or longer).
 */
export function quietUntil(q: QuietHours, now: Date): Date | null {
  if (!q.enabled || q.start === q.end) return null;
  const { minutes, y, m, day } = localParts(now, q.timeZone);
  const spansMidnight = q.start > q.end;
  const inside = spansMidnight
    ? minutes >= q.start || minutes < q.end
    : minutes >= q.start && minutes < q.end;
  if (!inside) return null;
  // Past start on the evening side of a window spanning midnight: it ends tomorrow.
  const endDay = spansMidnight && minutes >= q.start ? day + 1 : day;
  return atLocal(q.timeZone, y, m, endDay, q.end);
}

/** Daily digests go out at this local time. */
export const DAILY_DIGEST_MINUTES = 9 * 60;

/** When the digest that a notification arriving at `now` belongs to is sent. */
export function nextDigestAt(mode: DigestMode, timeZone: string, now: Date): Date | null {
  if (mode === "immediate") return null;
  const { d, minutes, y, m, day } = localParts(now, timeZone);
  if (mode === "hourly") {
    // Top of the next local hour (time zones with :30 offsets get their own hour boundary).
    return atLocal(timeZone, y, m, day, (d.getHours() + 1) * 60);
  }
  return atLocal(
    timeZone,
    y,
    m,
    minutes < DAILY_DIGEST_MINUTES ? day : day + 1,
    DAILY_DIGEST_MINUTES,
  );
}

export function formatMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

export function parseHhMm(value: string): number | null {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

import { TZDate } from "@date-fns/tz";
import type { BusinessCalendar } from "@/db/schema";

/**
 * SLA clocks count business hours: the working days of a week, between an opening and a closing
 * time, in one time zone, minus holidays. Each local day's opening and closing are turned into
 * instants on their own, so a day that changes clocks (daylight saving) has the hours it really has.
 */

const HOUR_MS = 60 * 60 * 1000;
/** How far ahead a target may fall before the calendar is called unworkable (ten years of days). */
const MAX_DAYS = 3660;

interface LocalDay {
  y: number;
  m: number;
  d: number;
}

function localDayOf(at: Date, timeZone: string): LocalDay {
  const t = new TZDate(at.getTime(), timeZone);
  return { y: t.getFullYear(), m: t.getMonth(), d: t.getDate() };
}

function nextDay(day: LocalDay, timeZone: string, by = 1): LocalDay {
  // Noon never falls in a clock change, so the calendar date is unambiguous.
  const t = new TZDate(day.y, day.m, day.d + by, 12, 0, 0, timeZone);
  return { y: t.getFullYear(), m: t.getMonth(), d: t.getDate() };
}

function isoDate(day: LocalDay): string {
  return `${day.y}-${String(day.m + 1).padStart(2, "0")}-${String(day.d).padStart(2, "0")}`;
}

/** The working interval of a local day, or null when it is not a working day. */
function workingInterval(day: LocalDay, cal: BusinessCalendar): [number, number] | null {
  const noon = new TZDate(day.y, day.m, day.d, 12, 0, 0, cal.timeZone);
  const isoWeekday = noon.getDay() === 0 ? 7 : noon.getDay();
  if (!cal.days.includes(isoWeekday)) return null;
  if (cal.holidays.includes(isoDate(day))) return null;
  const at = (minute: number) =>
    new TZDate(
      day.y,
      day.m,
      day.d,
      Math.floor(minute / 60),
      minute % 60,
      0,
      cal.timeZone,
    ).getTime();
  const open = at(cal.startMinute);
  const close = at(cal.endMinute);
  return close > open ? [open, close] : null;
}

function assertWorkable(cal: BusinessCalendar) {
  if (cal.days.length === 0 || cal.endMinute <= cal.startMinute) {
    throw new Error("The business calendar has no working hours");
  }
}

/**
 * The instant `hours` business hours after `from`. Time outside business hours does not count, so
 * a ticket raised on Friday evening with a 2-hour target is due 2 hours after Monday's opening.
 */
export function addBusinessHours(from: Date, hours: number, cal: BusinessCalendar): Date {
  assertWorkable(cal);
  let remaining = hours * HOUR_MS;
  let day = localDayOf(from, cal.timeZone);
  for (let i = 0; i < MAX_DAYS; i++, day = nextDay(day, cal.timeZone)) {
    const interval = workingInterval(day, cal);
    if (!interval) continue;
    const [open, close] = interval;
    if (from.getTime() >= close) continue;
    const start = Math.max(from.getTime(), open);
    const available = close - start;
    if (remaining <= available) return new Date(start + remaining);
    remaining -= available;
  }
  throw new Error("The business calendar has no working day in ten years");
}

/** Business time between two instants, in milliseconds (0 when `to` is not after `from`). */
export function businessMsBetween(from: Date, to: Date, cal: BusinessCalendar): number {
  if (to.getTime() <= from.getTime()) return 0;
  assertWorkable(cal);
  let total = 0;
  let day = localDayOf(from, cal.timeZone);
  const last = isoDate(localDayOf(to, cal.timeZone));
  for (let i = 0; i < MAX_DAYS; i++, day = nextDay(day, cal.timeZone)) {
    const interval = workingInterval(day, cal);
    if (interval) {
      const start = Math.max(interval[0], from.getTime());
      const end = Math.min(interval[1], to.getTime());
      if (end > start) total += end - start;
    }
    if (isoDate(day) >= last) break;
  }
  return total;
}

/** "09:30" → 570; null when it is not a time of day. */
export function parseTimeOfDay(s: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : s.trim() === "24:00" ? 1440 : null;
}

export function formatTimeOfDay(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

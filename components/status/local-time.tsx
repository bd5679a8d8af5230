"use client";

import { createContext, useContext, useEffect, useState } from "react";

const utc = (iso: string) => iso.replace("T", " ").slice(0, 16) + " UTC";

/** The status page's default time zone (its settings), for times before the browser's own. */
const PageTimeZoneContext = createContext("UTC");

export function PageTimeZone({ zone, children }: { zone: string; children?: React.ReactNode }) {
  return <PageTimeZoneContext.Provider value={zone}>{children}</PageTimeZoneContext.Provider>;
}

/** `2026-12-02 18:06 CET`: the page's zone, as UTC is shown (`2026-12-02 17:06 UTC`). */
function inZone(iso: string, zone: string, dateOnly: boolean): string {
  if (zone === "UTC") return dateOnly ? iso.slice(0, 10) : utc(iso);
  try {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
        timeZoneName: "short",
      })
        .formatToParts(new Date(iso))
        .map((p) => [p.type, p.value]),
    );
    const date = `${parts.year}-${parts.month}-${parts.day}`;
    return dateOnly ? date : `${date} ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
  } catch {
    return dateOnly ? iso.slice(0, 10) : utc(iso);
  }
}

/**
 * A time in the visitor's time zone, with the UTC time on hover. The server renders the page's
 * default time zone (UTC unless set; it cannot know the visitor's); the browser swaps in local
 * time after hydration.
 */
export function LocalTime({ iso, dateOnly = false }: { iso: string; dateOnly?: boolean }) {
  const zone = useContext(PageTimeZoneContext);
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    const d = new Date(iso);
    // dateStyle/timeStyle cannot be combined with timeZoneName, so the parts are spelled out.
    const opts: Intl.DateTimeFormatOptions = dateOnly
      ? { year: "numeric", month: "short", day: "numeric" }
      : {
          year: "numeric",
          month: "short",
          day: "numeric",
          hour: "2-digit",
          minute: "2-digit",
          timeZoneName: "short",
        };
    // Formatting needs the browser's zone, which only exists after hydration.
    setText(new Intl.DateTimeFormat(undefined, opts).format(d));
  }, [iso, dateOnly]);
  return (
    // The server's and the browser's zone names may be spelled differently (their ICU data).
    <time dateTime={iso} title={utc(iso)} suppressHydrationWarning>
      {text ?? inZone(iso, zone, dateOnly)}
    </time>
  );
}

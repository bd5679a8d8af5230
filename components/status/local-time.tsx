"use client";

import { useEffect, useState } from "react";

const utc = (iso: string) => iso.replace("T", " ").slice(0, 16) + " UTC";

/**
 * A time in the visitor's time zone, with the UTC time on hover. The server renders UTC (it
 * cannot know the zone); the browser swaps in local time after hydration.
 */
export function LocalTime({ iso, dateOnly = false }: { iso: string; dateOnly?: boolean }) {
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
    <time dateTime={iso} title={utc(iso)}>
      {text ?? (dateOnly ? iso.slice(0, 10) : utc(iso))}
    </time>
  );
}

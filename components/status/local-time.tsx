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
    const opts: Intl.DateTimeFormatOptions = dateOnly
      ? { dateStyle: "medium" }
      : { dateStyle: "medium", timeStyle: "short", timeZoneName: "short" };
    // Formatting needs the browser's zone, which only exists after hydration.
    setText(new Intl.DateTimeFormat(undefined, opts).format(d));
  }, [iso, dateOnly]);
  return (
    <time dateTime={iso} title={utc(iso)}>
      {text ?? (dateOnly ? iso.slice(0, 10) : utc(iso))}
    </time>
  );
}

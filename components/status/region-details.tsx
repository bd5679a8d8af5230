"use client";

import { useState } from "react";

/**
 * The per-region breakdown of a component, rendered only once opened: the closed page then
 * carries ~600 uptime bars instead of ~4,000, which is most of the cost of rendering `/`.
 */
export function RegionDetails({
  summary,
  children,
}: {
  summary: string;
  children: React.ReactNode;
}) {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="cursor-pointer text-sm text-sky-700 hover:underline dark:text-sky-400">
        {summary}
      </summary>
      {open && children}
    </details>
  );
}

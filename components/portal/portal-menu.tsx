"use client";

import { usePathname } from "next/navigation";
import { useState } from "react";

/**
 * The portal's sidebar on a phone: the header row stays, the rest (who you are, the sections,
 * sign out) folds behind a "Menu" button and folds again once a link was followed. From the `md`
 * breakpoint up it is always open and the button is gone.
 */
export function PortalMenu({
  header,
  children,
}: {
  header: React.ReactNode;
  children: React.ReactNode;
}) {
  const pathname = usePathname();
  // Open for the page it was opened on: following a link closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  return (
    <>
      <div className="flex items-center justify-between gap-3">
        {header}
        <button
          type="button"
          aria-expanded={open}
          aria-controls="portal-menu"
          onClick={() => setOpenOn(open ? null : pathname)}
          className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-800 md:hidden dark:border-slate-700 dark:text-slate-200"
        >
          Menu
        </button>
      </div>
      <div id="portal-menu" className={open ? "block" : "hidden md:block"}>
        {children}
      </div>
    </>
  );
}

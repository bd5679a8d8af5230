"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";

interface InboxState {
  unread: number;
  latest: { id: string; title: string; url: string | null } | null;
}

/** Unread count beside the portal navigation, and a toast when a new in-app alert arrives. */
export function InboxIndicator({ pollMs = 10_000 }: { pollMs?: number }) {
  const [state, setState] = useState<InboxState | null>(null);
  const [toast, setToast] = useState<InboxState["latest"]>(null);
  const lastSeen = useRef<string | null | undefined>(undefined);

  useEffect(() => {
    let stopped = false;
    async function poll() {
      try {
        const res = await fetch("/api/portal/inbox", { cache: "no-store" });
        if (!res.ok || stopped) return;
        const next = (await res.json()) as InboxState;
        // The first answer only sets the baseline; later new items raise a toast.
        if (lastSeen.current !== undefined && next.latest && next.latest.id !== lastSeen.current)
          setToast(next.latest);
        lastSeen.current = next.latest?.id ?? null;
        setState(next);
      } catch {
        // Offline or restarting: try again on the next tick.
      }
    }
    void poll();
    const timer = setInterval(poll, pollMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [pollMs]);

  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), 8000);
    return () => clearTimeout(t);
  }, [toast]);

  return (
    <>
      {/* The nav already links the inbox; this only speaks up when something is unread. */}
      {state && state.unread > 0 && (
        <Link
          href="/portal/inbox"
          className="text-sm font-medium text-sky-700 hover:underline dark:text-sky-400"
          data-testid="inbox-indicator"
        >
          Inbox: {state.unread} unread
        </Link>
      )}
      {toast && (
        <div
          role="status"
          aria-live="polite"
          className="fixed right-4 bottom-4 z-50 max-w-sm rounded-md border border-slate-200 bg-white p-4 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900"
        >
          <p className="font-medium">New alert</p>
          <p>{toast.title}</p>
          <Link href={toast.url ?? "/portal/inbox"} className="text-sky-700 underline">
            Open
          </Link>
        </div>
      )}
    </>
  );
}

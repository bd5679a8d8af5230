"use client";

import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { fetchJson, live, liveKeys } from "@/components/live";

export interface InboxItemJson {
  id: string;
  title: string;
  body: string;
  url: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface InboxState {
  unread: number;
  latest: { id: string; title: string; url: string | null } | null;
  items: InboxItemJson[];
}

/** The member's inbox, live: refetched every `pollMs` while the tab is visible. */
export function useInbox(pollMs = 10_000, initialData?: InboxState) {
  return useQuery({
    queryKey: liveKeys.inbox,
    queryFn: () => fetchJson<InboxState>("/api/portal/inbox"),
    refetchInterval: pollMs,
    ...live,
    ...(initialData ? { initialData, initialDataUpdatedAt: Date.now() } : {}),
  });
}

/** Unread count beside the portal navigation, and a toast when a new in-app alert arrives. */
export function InboxIndicator({ pollMs = 10_000 }: { pollMs?: number }) {
  const { data: state } = useInbox(pollMs);
  const [toast, setToast] = useState<InboxState["latest"]>(null);
  const lastSeen = useRef<string | null | undefined>(undefined);

  useEffect(() => {
    if (!state) return;
    // The first answer only sets the baseline; later new items raise a toast.
    const latest = state.latest;
    if (lastSeen.current !== undefined && latest && latest.id !== lastSeen.current) {
      setToast(latest);
    }
    lastSeen.current = latest?.id ?? null;
  }, [state]);

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

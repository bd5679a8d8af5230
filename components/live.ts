/**
 * The portal's live views (inbox, fan-out progress, delivery log) are TanStack queries on small
 * session-authenticated JSON routes under /api/portal: each refetches on an interval while the
 * tab is visible (never in the background), and the server actions that change what they show
 * invalidate them (ActionForm's `invalidates`). The keys are here so both sides name them alike.
 */
export const liveKeys = {
  inbox: ["inbox"] as const,
  fanout: (incidentId: string) => ["fanout", incidentId] as const,
  incidentDeliveries: (incidentId: string) => ["incident-deliveries", incidentId] as const,
  /** Every delivery log query, whatever its filters. */
  deliveries: ["deliveries"] as const,
  deliveryLog: (filters: Record<string, string | undefined>) => ["deliveries", filters] as const,
};

/** Options every live query shares: no polling while the tab is hidden. */
export const live = { refetchIntervalInBackground: false, retry: 1 } as const;

/** GETs a portal JSON route; a non-2xx answer is an error carrying the route's message. */
export async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { cache: "no-store", headers: { accept: "application/json" } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
  }
  return (await res.json()) as T;
}

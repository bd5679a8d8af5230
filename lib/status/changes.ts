/**
 * Status-change signal. Code that changes public status calls `statusChanged()` once its
 * transaction commits; the in-memory snapshot (snapshot.ts) and the notice to other instances
 * (listen.ts) subscribe.
 */
type Listener = () => void;
const g = globalThis as unknown as { __beaconStatusListeners?: Set<Listener> };
const listeners = (g.__beaconStatusListeners ??= new Set());

export function onStatusChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function statusChanged(): void {
  for (const l of listeners) {
    try {
      l();
    } catch (e) {
      console.error("status change listener failed", e);
    }
  }
}

/**
 * Status-change signal, sent after a commit that changed what the public status surfaces show; the
 * in-memory snapshot (snapshot.ts) and the notice to other instances (listen.ts) subscribe. Verbs
 * do not send it by hand: the locks every status-changing verb takes (`lockStatus`, `lockIncident`,
 * `lockMaintenance`) register it on their transaction with `statusChangesOnCommit`.
 */
import type { Tx } from "@/db";
import { afterCommit } from "@/lib/context";

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

/** Sends `statusChanged()` once `tx` (opened by withTransaction) commits. */
export function statusChangesOnCommit(tx: Tx): void {
  afterCommit(tx, statusChanged);
}

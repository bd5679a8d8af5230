/**
 * Status-change signal, sent after a commit that changed what the public status surfaces show; the
 * web layer subscribes (cache tags, in-memory snapshot) without lib/ importing Next.js. Verbs do
 * not send it by hand: the locks every status-changing verb takes (`lockStatus`, `lockIncident`,
 * `lockMaintenance`) register it on their transaction with `statusChangesOnCommit`.
 */
import type { Tx } from "@/db";
import { afterCommit } from "@/lib/context";

type Listener = () => void;
const g = globalThis as unknown as {
  __beaconStatusListeners?: Set<Listener>;
  __beaconStatusVersion?: number;
};
const listeners = (g.__beaconStatusListeners ??= new Set());

/** The cache tag every public status surface is stored under. */
export const STATUS_TAG = "status";

export function onStatusChanged(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function statusChanged(): void {
  g.__beaconStatusVersion = (g.__beaconStatusVersion ?? 0) + 1;
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

/** Bumped on every change in this process; part of in-memory cache keys. */
export function statusVersion(): number {
  return g.__beaconStatusVersion ?? 0;
}

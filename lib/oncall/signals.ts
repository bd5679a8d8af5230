import type { Tx } from "@/db";
import { afterCommit } from "@/lib/context";

/**
 * What the Inngest driver needs to hear about escalations, after the commit that made it true: one
 * started (its function pages and waits), one stopped (acknowledged, resolved: the waiting function
 * ends). The embedded driver needs none of it: it reads due steps from the database.
 */
export type EscalationSignal = { type: "started" | "stopped"; escalationId: string };
type Listener = (s: EscalationSignal) => void;

const g = globalThis as unknown as { __beaconEscalationListeners?: Set<Listener> };
const listeners = (g.__beaconEscalationListeners ??= new Set());

export function onEscalationSignal(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function signalOnCommit(tx: Tx, signal: EscalationSignal): void {
  afterCommit(tx, () => {
    for (const l of listeners) l(signal);
  });
}

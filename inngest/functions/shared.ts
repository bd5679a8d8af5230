import type { Db } from "@/db";
import type { DeliverOptions } from "@/lib/alerts/send";
import { deliveryDue } from "../events";

/** What every alert function needs: the database, and (tests) sending options. */
export interface AlertFunctionDeps {
  getDb: () => Promise<Db>;
  deliver?: DeliverOptions;
}

/** The event that sends a delivery; its id (delivery and attempt) makes a repeat a no-op. */
export const dueEvent = (d: { id: string; destination: string; attempts?: number }) =>
  deliveryDue.create(
    { deliveryId: d.id, destination: d.destination },
    { id: `${d.id}:${d.attempts ?? 0}` },
  );

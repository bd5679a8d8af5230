import type { DbHandle } from "@/db";
import { onStatusChanged } from "./changes";
import { invalidateSnapshot } from "./snapshot";

const CHANNEL = "beacon_status";
const g = globalThis as unknown as { __beaconStatusListen?: Promise<void> };

/**
 * Keeps several app instances on one PostgreSQL in step: a status change here is announced
 * with NOTIFY, and a NOTIFY from another instance drops this instance's snapshot. A single
 * PGlite process has only itself to tell, which `statusChanged()` already does. Idempotent.
 */
export function startStatusListener(handle: DbHandle): Promise<void> {
  if (g.__beaconStatusListen) return g.__beaconStatusListen;
  const sql = handle.sql;
  if (handle.engine !== "postgres" || !sql) return (g.__beaconStatusListen = Promise.resolve());
  const origin = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  g.__beaconStatusListen = sql
    .listen(CHANNEL, (payload) => {
      if (payload !== origin) invalidateSnapshot();
    })
    .then(() => {
      onStatusChanged(() => {
        sql.notify(CHANNEL, origin).catch((e) => console.error("status NOTIFY failed", e));
      });
    })
    .catch((e) => {
      g.__beaconStatusListen = undefined;
      console.error(
        "status LISTEN failed; other instances' changes arrive within the snapshot age",
        e,
      );
    });
  return g.__beaconStatusListen;
}

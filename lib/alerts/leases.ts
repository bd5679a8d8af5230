import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { sql } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";
import { LEASE_MS } from "./claim";

/**
 * Leases of the embedded job driver. Each driver started (one per server process) is an instance
 * with a row in job_instances and a heartbeat. What it claims (deliveries to send, jobs to plan)
 * carries its id, and stays its own while the heartbeat is fresh: one write every few seconds
 * renews every claim it holds, however many. When the heartbeat stops (the process was killed),
 * any instance takes the claims over after LEASE_MS (sweep.ts); a process restarted on the same
 * host recognises its previous incarnation as gone at once (its process id no longer runs).
 *
 * Before a batch of requests goes out, the instance records that it started them
 * (delivery_starts), so a takeover can tell a request that was in flight at the kill (its outcome
 * is unknown: logged so, and retried with the same webhook-id, which receivers de-duplicate on)
 * from a claimed delivery that was never sent (claimed again as if nothing happened).
 */

/** How often a live instance renews its heartbeat: several times per lease. */
export const HEARTBEAT_MS = 2_500;

/** The ids of instances started in this process and not stopped (never taken for dead). */
const g = globalThis as unknown as { __beaconLiveInstances?: Set<string> };
const live = (g.__beaconLiveInstances ??= new Set());

export interface Instance {
  id: string;
  host: string;
  pid: number;
}

/**
 * A new instance (one per driver started), live in this process from now on. `host` names the
 * machine (default its host name); only processes on the same one are recognised as gone at once.
 */
export function newInstance(host = hostname()): Instance {
  const inst = { id: randomUUID(), host, pid: process.pid };
  live.add(inst.id);
  return inst;
}

/** Records the instance, before it claims anything. Idempotent. */
export async function registerInstance(db: Db, inst: Instance): Promise<void> {
  await db.execute(sql`
    insert into job_instances (id, host, pid) values (${inst.id}::uuid, ${inst.host}, ${inst.pid})
    on conflict (id) do nothing`);
}

/**
 * Renews the instance's heartbeat (and so all its claims). Returns how many other instances are
 * alive, so planning knows whether to leave parts of a fan-out for them. An instance found marked
 * stopped (taken for dead while it could not write, and its claims handed back) is revived:
 * whatever it still sends is recorded only if nobody claimed the delivery since.
 */
export async function heartbeat(db: Db, id: string): Promise<{ peers: number }> {
  const res = await db.execute(sql`
    with me as (
      update job_instances set heartbeat_at = now(), stopped_at = null where id = ${id}::uuid
    )
    select count(*)::int as n from job_instances
    where id <> ${id}::uuid and stopped_at is null
      and heartbeat_at > now() - ${LEASE_MS}::int * interval '1 millisecond'`);
  return { peers: Number(rowsOf<{ n: number }>(res)[0]?.n ?? 0) };
}

/** Marks the instance stopped (a clean stop, once it holds nothing more). */
export async function stopInstance(db: Db, id: string): Promise<void> {
  live.delete(id);
  await db.execute(sql`
    update job_instances set stopped_at = now() where id = ${id}::uuid`);
  await db.execute(sql`delete from delivery_starts where instance_id = ${id}::uuid`);
}

/** Records, and commits, that these deliveries' requests are about to go out. */
export async function recordStarts(db: Db, instanceId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.execute(sql`
    insert into delivery_starts (instance_id, delivery_ids)
    values (${instanceId}::uuid, ${`{${ids.join(",")}}`}::uuid[])`);
}

/**
 * Forgets starts old enough that every request among them has ended (the request timeout is far
 * shorter) and its outcome been written.
 */
export async function pruneStarts(db: Db, instanceId: string, olderThanMs = 5 * 60_000) {
  await db.execute(sql`
    delete from delivery_starts where instance_id = ${instanceId}::uuid
      and started_at < now() - ${olderThanMs}::int * interval '1 millisecond'`);
}

/**
 * Instances on this host, other than the live ones of this process, whose process no longer runs:
 * a restarted server's previous incarnation. Their claims need not wait for the lease to lapse.
 */
export async function goneOnThisHost(db: Db, host = hostname()): Promise<string[]> {
  const res = await db.execute(sql`
    select id, pid from job_instances where host = ${host} and stopped_at is null`);
  return rowsOf<{ id: string; pid: number }>(res)
    .filter((r) => !live.has(r.id) && !processRuns(Number(r.pid)))
    .map((r) => r.id);
}

function processRuns(pid: number): boolean {
  // Our own pid under another instance id: a previous incarnation (a restarted container keeps
  // its pid 1), since every live instance of this process is in `live`.
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

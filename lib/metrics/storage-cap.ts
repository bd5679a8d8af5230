import { sql } from "drizzle-orm";
import type { Tx } from "@/db";
import { rowsOf } from "@/db/client";
import { env } from "@/lib/env";

/**
 * The per-tenant cap on stored metric samples and call records (METRICS_MAX_ROWS_PER_TENANT, each
 * kind): a batch that would take a tenant beyond it deletes that tenant's oldest rows of the kind
 * first, in the batch's transaction, so the newest readings — what threshold rules judge — are
 * always stored and a busy tenant's history simply gets shorter (a ring buffer), while retention
 * still deletes by age. A sample that is the latest of its metric is never deleted (as in
 * retention): rules and charts read it.
 *
 * Counting a tenant's rows on every batch would cost more than the insert, so each process keeps
 * an estimate per tenant and kind — counted exactly every RECOUNT_MS (every RECOUNT_NEAR_MS near
 * the cap), plus what it has added and deleted since — and prunes what the estimate says is over.
 * Another instance's inserts are seen at the next count: the cap may be passed by at most what
 * the others store in those seconds, and the next batch brings the tenant back under it.
 */

const RECOUNT_MS = 60_000;
/** Above this share of the cap the estimate is counted again sooner, every RECOUNT_NEAR_MS. */
const NEAR = 0.9;
const RECOUNT_NEAR_MS = 5_000;

type Kind = "samples" | "calls";
const estimates = new Map<string, { rows: number; countedAt: number }>();

/** Forgets the estimates (tests, and a process whose database was replaced). */
export function resetStorageEstimates() {
  estimates.clear();
}

async function countRows(tx: Tx, kind: Kind, orgId: string): Promise<number> {
  const res =
    kind === "samples"
      ? await tx.execute(sql`select count(*)::int as n from metric_samples where org_id = ${orgId}`)
      : await tx.execute(sql`select count(*)::int as n from call_records where org_id = ${orgId}`);
  return Number(rowsOf<{ n: number }>(res)[0]?.n ?? 0);
}

/** Deletes up to `n` of the tenant's oldest rows of the kind; returns how many went. */
async function deleteOldest(tx: Tx, kind: Kind, orgId: string, n: number): Promise<number> {
  const res =
    kind === "samples"
      ? await tx.execute(sql`
          delete from metric_samples where id = any(array(
            select s.id from metric_samples s
            where s.org_id = ${orgId}
              and exists (
                select 1 from metric_samples l
                where l.org_id = s.org_id and l.metric = s.metric and l.at > s.at)
            order by s.at
            limit ${n}
          ))
          returning id`)
      : await tx.execute(sql`
          delete from call_records where id = any(array(
            select id from call_records where org_id = ${orgId} order by at limit ${n}
          ))
          returning id`);
  return rowsOf(res).length;
}

/**
 * Makes room for `adding` rows of each kind for the tenant within its cap, deleting its oldest
 * first. Called once per batch, inside the batch's transaction, before the insert. Returns what
 * it deleted (0s when far from the cap).
 */
export async function keepUnderCap(
  tx: Tx,
  orgId: string,
  adding: Record<Kind, number>,
  opts: { maxRows?: number; now?: number } = {},
): Promise<Record<Kind, number>> {
  const cap = opts.maxRows ?? env.METRICS_MAX_ROWS_PER_TENANT;
  const deleted = { samples: 0, calls: 0 };
  if (cap === 0) return deleted;
  const now = opts.now ?? Date.now();
  for (const kind of ["samples", "calls"] as const) {
    const n = adding[kind];
    if (n === 0) continue;
    const key = `${orgId}:${kind}`;
    const cached = estimates.get(key);
    const age = cached ? now - cached.countedAt : Infinity;
    const known =
      cached && age < RECOUNT_MS && (cached.rows + n <= cap * NEAR || age < RECOUNT_NEAR_MS)
        ? cached
        : { rows: await countRows(tx, kind, orgId), countedAt: now };
    const over = known.rows + n - cap;
    if (over > 0) {
      const gone = await deleteOldest(tx, kind, orgId, over);
      deleted[kind] = gone;
      known.rows -= gone;
    }
    known.rows += n;
    estimates.set(key, known);
  }
  return deleted;
}

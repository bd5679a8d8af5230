import { and, eq, sql } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";
import { alertSettings, deliveries } from "@/db/schema";
import { quietUntil } from "./schedule";
import { dueBefore } from "./due";

/**
 * Sends due digests: every held delivery whose digest time has come is folded, per (tenant,
 * channel, destination), into one digest delivery (one statement), sent like any other.
 * A tenant in quiet hours gets its digest when they end.
 */
export async function flushDigests(db: Db, opts: { now?: Date } = {}): Promise<string[]> {
  const now = opts.now ?? new Date();
  const orgs = await db
    .selectDistinct({ s: alertSettings })
    .from(deliveries)
    .innerJoin(alertSettings, eq(alertSettings.orgId, deliveries.orgId))
    .where(
      and(
        eq(deliveries.status, "held"),
        sql`${deliveries.runAt} <= ${now.toISOString()}::timestamptz`,
      ),
    );
  if (orgs.length === 0) return [];
  const clocks = orgs.map(({ s }) => ({
    org_id: s.orgId,
    run_at: (
      quietUntil(
        { enabled: s.quietEnabled, start: s.quietStart, end: s.quietEnd, timeZone: s.timeZone },
        now,
      ) ?? now
    ).toISOString(),
  }));
  const res = await db.execute(sql`
    with oc as (
      select * from jsonb_to_recordset(${JSON.stringify(clocks)}::jsonb) as x(org_id uuid, run_at timestamptz)
    ),
    due as (
      select d.org_id, d.channel, d.recipient_type, d.recipient_id,
             case when d.recipient_type = 'endpoint' then d.recipient_id::text else lower(d.destination) end as dkey,
             min(d.destination) as destination, array_agg(d.id) as ids, count(*) as n,
             max(d.run_at) as window_at, min(oc.run_at) as send_at
      from deliveries d join oc on oc.org_id = d.org_id
      where d.status = 'held' and d.run_at < ${dueBefore(now)}::timestamptz
      group by 1, 2, 3, 4, 5
    ),
    keyed as (
      select due.*, 'digest:' || org_id || ':' || channel || ':' || dkey || ':' || extract(epoch from window_at)::bigint as key from due
    ),
    ins as (
      insert into deliveries (org_id, channel, recipient_type, recipient_id, destination, idempotency_key, status, run_at, trace)
      select org_id, channel, recipient_type, recipient_id, destination, key, 'pending', send_at,
        jsonb_build_array(jsonb_build_object('step', 'digest', 'outcome', 'info', 'detail', 'digest of ' || n || ' held alert' || case when n = 1 then '' else 's' end))
      from keyed
      on conflict (idempotency_key) do nothing
      returning id, idempotency_key
    )
    update deliveries d set status = 'digested', digest_id = ins.id
    from keyed join ins on ins.idempotency_key = keyed.key
    where d.id = any(keyed.ids)
    returning ins.id as digest_id`);
  return [...new Set(rowsOf<{ digest_id: string }>(res).map((r) => r.digest_id))];
}

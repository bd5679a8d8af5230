import { sql } from "drizzle-orm";
import type { NotificationJob } from "@/db/schema";
import { inKeyHash, type PlanPart } from "./parts";
import { componentsAndRegionsPass } from "./trace";

/** Public incidents and maintenance reach public subscribers; tests and threshold alerts never do. */
export function reachesPublicSubscribers(job: NotificationJob): boolean {
  return (
    job.payload.audience.type === "public" &&
    !job.payload.test &&
    (job.kind.startsWith("incident.") || job.kind.startsWith("maintenance."))
  );
}

/**
 * Fan-out to public subscribers: one delivery per confirmed subscriber whose component/region
 * filters match (empty = everything), in one statement. Unconfirmed subscribers are not planned at
 * all. The key is per address for email, so an address subscribed twice is told once.
 */
const SUBSCRIBER_KEY = sql.raw(
  "case when s.kind = 'email' then 'email:' || lower(s.email) else 'webhook:' || s.id::text end",
);

export function subscriberFanoutSql(job: NotificationJob, now: Date, part: PlanPart) {
  const p = job.payload;
  // Subscribers who chose maintenance only are not told about incidents.
  const incident = job.kind.startsWith("incident.");
  // ...and those who opted out of postmortem notices are not sent postmortems.
  const postmortem = job.kind === "incident.postmortem";
  return sql`
with p as (
  select ${JSON.stringify(p.componentIds ?? [])}::jsonb as comps,
         ${JSON.stringify(p.regionIds ?? [])}::jsonb as regs
),
cand as (
  select s.*,
    (${componentsAndRegionsPass({ comps: [sql`s.component_ids`], regs: [sql`s.region_ids`] })})
      and not (s.maintenance_only and ${incident}::boolean)
      and not (not s.postmortem_notices and ${postmortem}::boolean) as filter_ok,
    s.maintenance_only and ${incident}::boolean as maintenance_only_skip,
    not s.postmortem_notices and ${postmortem}::boolean as postmortem_skip,
    jsonb_array_length(s.component_ids) + jsonb_array_length(s.region_ids) = 0 as everything,
    ${SUBSCRIBER_KEY} as dkey
  from public_subscribers s cross join p
  where s.confirmed_at is not null and (s.kind <> 'email' or s.email is not null)
    and ${inKeyHash(SUBSCRIBER_KEY, part)}
)
select distinct on (dkey) ${job.id}::uuid as job_id, ${job.orgId}::uuid as org_id, kind::text::channel as channel,
  'subscriber' as recipient_type, id as recipient_id,
  case when kind = 'email' then email else 'Public webhook (' || url_hint || ')' end as destination,
  ${job.id}::text || ':public:' || dkey as idempotency_key,
  case when filter_ok then 'pending' else 'suppressed' end::delivery_status as status,
  ${now.toISOString()}::timestamptz as run_at,
  jsonb_build_array(
    jsonb_build_object('step', 'rule', 'outcome', 'matched', 'detail',
      'Public subscriber (' || kind || ', confirmed ' || to_char(confirmed_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC) of public incidents and maintenance'),
    jsonb_build_object('step', 'filter', 'outcome', case when filter_ok then 'pass' else 'suppressed' end, 'detail',
      case when maintenance_only_skip then 'subscribed to maintenance only'
        when postmortem_skip then 'opted out of postmortem notices'
        when everything then 'subscribed to everything'
        when filter_ok then 'components and regions match the subscription'
        else 'none of the affected components/regions is in the subscription' end),
    jsonb_build_object('step', 'digest', 'outcome', 'pass', 'detail', 'public subscribers are told immediately')
  ) as trace,
  ${p.incidentId ?? null}::uuid as incident_id
from cand
order by dkey, filter_ok desc, confirmed_at desc`;
}

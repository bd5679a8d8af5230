import { sql } from "drizzle-orm";
import type { NotificationJob } from "@/db/schema";

/**
 * On-call pages (kind "oncall.page", written by lib/oncall/): addressed to the members and
 * endpoints one tier of an escalation policy names, not routed by the category matrix. A page must
 * reach someone now, so digests and quiet hours do not apply: each member is paged in-app, by email
 * and by SMS (suppressed, with the reason, when they have no phone number), and each endpoint on
 * its own channel (skipped when it is switched off). A user id that is not a member of the policy's
 * organization, or an endpoint of another organization, gets nothing; nor does anyone while the
 * organization is suspended.
 */
export function pageFanoutSql(job: NotificationJob, now: Date) {
  const p = job.payload;
  const orgId = p.audience.type === "tenant" ? p.audience.orgId : job.orgId;
  const page = (p.data ?? {}) as { policyName?: string; tier?: number; round?: number };
  const why = `On-call page: ${page.policyName ?? "escalation policy"}, tier ${page.tier ?? 1}${
    (page.round ?? 1) > 1 ? `, round ${page.round}` : ""
  }`;
  return sql`
with p as (
  select ${job.id}::uuid as job_id,
         ${orgId}::uuid as org_id,
         ${JSON.stringify(p.userIds ?? [])}::jsonb as user_ids,
         ${JSON.stringify(p.endpointIds ?? [])}::jsonb as endpoint_ids,
         ${p.incidentId ?? null}::uuid as incident_id,
         ${why}::text as why,
         ${now.toISOString()}::timestamptz as now
),
members as (
  select distinct m.org_id, u.id as user_id, u.email, u.phone
  from p
  cross join jsonb_array_elements_text(p.user_ids) as a(uid)
  join memberships m on m.org_id = p.org_id and m.user_id::text = lower(a.uid)
  join organizations o on o.id = m.org_id and o.suspended_at is null
  join users u on u.id = m.user_id
),
member_rows as (
  select m.org_id, c.channel, 'member'::text as recipient_type, m.user_id as recipient_id,
    case when c.channel = 'sms' then coalesce(m.phone, 'no phone number') else m.email end as destination,
    ':user:' || m.user_id::text as key_tail,
    case when c.channel = 'sms' and m.phone is null then 'suppressed' else 'pending' end as status,
    case when c.channel = 'sms' and m.phone is null
      then jsonb_build_object('step', 'channel', 'outcome', 'suppressed', 'detail', 'member has no phone number on their profile')
      else jsonb_build_object('step', 'channel', 'outcome', 'pass', 'detail', 'on-call pages go to every channel of a member: in-app, email and SMS') end as channel_step
  from members m
  cross join (values ('in_app'::channel), ('email'::channel), ('sms'::channel)) as c(channel)
),
endpoint_rows as (
  select e.org_id, e.type::text::channel as channel, 'endpoint'::text as recipient_type, e.id as recipient_id,
    e.name || ' (' || e.url_hint || ')' as destination,
    ':endpoint:' || e.id::text as key_tail,
    case when e.enabled then 'pending' else 'skipped' end as status,
    case when e.enabled
      then jsonb_build_object('step', 'endpoint', 'outcome', 'pass', 'detail', 'endpoint named by the escalation tier')
      else jsonb_build_object('step', 'endpoint', 'outcome', 'skipped', 'detail', 'skipped: endpoint disabled') end as channel_step
  from p
  cross join jsonb_array_elements_text(p.endpoint_ids) as a(eid)
  join alert_endpoints e on e.org_id = p.org_id and e.id::text = lower(a.eid)
  join organizations o on o.id = e.org_id and o.suspended_at is null
),
rows as (
  select * from member_rows union all select * from endpoint_rows
)
select p.job_id, r.org_id, r.channel, r.recipient_type, r.recipient_id, r.destination,
  p.job_id::text || ':' || r.org_id::text || ':' || r.channel::text || r.key_tail as idempotency_key,
  r.status::delivery_status as status,
  p.now as run_at,
  jsonb_build_array(
    jsonb_build_object('step', 'rule', 'outcome', 'matched', 'detail', p.why),
    r.channel_step,
    jsonb_build_object('step', 'scope', 'outcome', 'info', 'detail',
      'on-call pages do not depend on category toggles, minimum severity, filters, digests or quiet hours')
  ) as trace,
  p.incident_id
from rows r cross join p`;
}

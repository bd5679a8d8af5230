import { sql, type SQL } from "drizzle-orm";
import type { NotificationJob } from "@/db/schema";
import { clocksCte, type OneRecipient, type OrgClock } from "./scope";
import { decideStatus, RUN_AT, WAIT_STEPS } from "./trace";

/**
 * User-level warnings (kind "user.warning"): addressed to named members of one organization, not
 * to role groups, so the category matrix, minimum severity and filters do not apply. Each member
 * gets three decisions in one statement: in-app always; email only if they opted in; SMS only if
 * they opted in and have a phone number. A channel that is not used is still written, suppressed,
 * so the delivery log says why. Digest and quiet hours apply to email and SMS as in the matrix
 * fan-out (the same fragments, trace.ts). A user id that is not (or no longer) a member of the
 * organization gets nothing, and neither does anyone while the organization is suspended.
 */

function only(who: OneRecipient): SQL {
  if (!who) return sql.empty();
  return "member" in who ? sql` and m.user_id = ${who.member}::uuid` : sql` and false`;
}

export function warningFanoutSql(
  job: NotificationJob,
  clocks: OrgClock[],
  now: Date,
  who: OneRecipient = null,
) {
  const p = job.payload;
  const orgId = p.audience.type === "tenant" ? p.audience.orgId : job.orgId;
  return sql`
with p as (
  select ${job.id}::uuid as job_id,
         ${orgId}::uuid as org_id,
         ${p.impact}::impact as impact,
         ${JSON.stringify(p.userIds ?? [])}::jsonb as user_ids,
         ${now.toISOString()}::timestamptz as now
),
${clocksCte(clocks)},
addressed as (
  select distinct m.org_id, u.id as user_id, u.email, u.phone, m.warning_email, m.warning_sms
  from p
  cross join jsonb_array_elements_text(p.user_ids) as a(uid)
  join memberships m on m.org_id = p.org_id and m.user_id::text = lower(a.uid)${only(who)}
  join organizations o on o.id = m.org_id and o.suspended_at is null
  join users u on u.id = m.user_id
),
cand as (
  select a.*, c.channel,
    case c.channel when 'in_app' then 'always'
      when 'email' then case when a.warning_email then 'opted_in' else 'not_opted_in' end
      else case when not a.warning_sms then 'not_opted_in' when a.phone is null then 'no_phone' else 'opted_in' end
    end as opt,
    case c.channel when 'sms' then coalesce(a.phone, 'no phone number') else a.email end as destination
  from addressed a
  cross join (values ('in_app'::channel), ('email'::channel), ('sms'::channel)) as c(channel)
),
dec as (
  select c.*, p.job_id, p.impact, p.now,
    coalesce(s.digest_mode, 'immediate') as digest_mode,
    coalesce(s.quiet_allow_critical, true) as quiet_allow_critical,
    oc.quiet_until, oc.digest_at
  from cand c
  cross join p
  left join alert_settings s on s.org_id = c.org_id
  left join oc on oc.org_id = c.org_id
),
decided as (
  select d.*,
    ${decideStatus(sql`d`, sql`d.opt not in ('always', 'opted_in')`)}
  from dec d
)
select job_id, org_id, channel, 'member' as recipient_type, user_id as recipient_id, destination,
  job_id::text || ':' || org_id::text || ':' || channel::text || ':user:' || user_id::text as idempotency_key,
  status::delivery_status as status,
  ${RUN_AT},
  jsonb_build_array(
    jsonb_build_object('step', 'rule', 'outcome', 'matched', 'detail',
      'User-level warning addressed to this member: ' || case channel when 'in_app' then 'always shown in-app'
        else channel || ' only if they opt in' end),
    jsonb_build_object('step', 'opt_in', 'outcome', case when opt in ('always', 'opted_in') then 'pass' else 'suppressed' end, 'detail',
      case opt when 'always' then 'user-level warnings are always shown in-app'
        when 'opted_in' then 'member has opted in to ' || case channel when 'sms' then 'SMS' else 'email' end || ' for user-level warnings'
        when 'no_phone' then 'member opted in to SMS for user-level warnings but has no phone number on their profile'
        else 'member has not opted in to ' || case channel when 'sms' then 'SMS' else 'email' end || ' for user-level warnings' end),
    jsonb_build_object('step', 'scope', 'outcome', 'info', 'detail',
      'user-level warnings do not depend on category toggles, minimum severity or component/region filters')
  ) || case when status = 'suppressed' then '[]'::jsonb else jsonb_build_array(
    ${WAIT_STEPS}
  ) end as trace,
  null::uuid as incident_id
from decided`;
}

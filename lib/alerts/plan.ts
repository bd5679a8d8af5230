import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";
import {
  alertSettings,
  deliveries,
  notificationJobs,
  organizations,
  type NotificationJob,
} from "@/db/schema";
import { ROLE_GROUP_LABELS } from "@/lib/auth/roles";
import { DEFAULT_CATEGORIES, DEFAULT_MATRIX } from "./defaults";
import { nextDigestAt, quietUntil } from "./schedule";
import { alertItemOf } from "@/lib/channels/message";
import {
  ENDPOINT_COLUMNS,
  LOCK_MS,
  planClaimedColumns,
  plannedClaim,
  emptyPrepCache,
  toEndpoint,
  toClaimed,
  type ClaimedDelivery,
  type PrepCache,
} from "./claim";

/**
 * Planning: one outbox job → one `deliveries` row per (recipient, channel), with the routing trace.
 * The fan-out is an INSERT … SELECT per part of the job: a small job is one part, a large one is
 * split (see inIdRange) into parts of about PART_ROWS rows, each committed on its own
 * so sending starts while the rest is planned. Only the per-tenant clock arithmetic (quiet hours,
 * digest time in each tenant's zone) is done in TypeScript, once per tenant, and passed in.
 * Running it twice, or again after a crash halfway, is harmless: a planned job is not planned
 * again, and every delivery has a unique idempotency key, so a re-run adds only what is missing.
 */

export interface PlannedDelivery {
  id: string;
  destination: string;
  status: string;
  runAt: Date;
}

export interface PlanResult {
  jobId: string;
  /** False when the job had already been planned (a re-run); the deliveries are then the existing ones. */
  planned: boolean;
  /** True when shouldStop ended planning between parts; the job is left unplanned. */
  stopped?: boolean;
  counts: Record<string, number>;
  /** Deliveries a driver should schedule: pending (due now or after quiet hours). */
  due: PlannedDelivery[];
}

const DEFAULT_MATRIX_JSON = JSON.stringify(
  DEFAULT_MATRIX.map((c) => ({
    category: c.category,
    role_group: c.roleGroup,
    channel: c.channel,
    enabled: c.enabled,
    topic: c.topic ?? null,
  })),
);

/** A job's organizations: the named ones, or every tenant for a public job. */
type OrgScope = string[] | "all-tenants";

/** `col` (an organization id) is in the scope. */
function inScope(col: ReturnType<typeof sql>, orgIds: OrgScope) {
  return orgIds === "all-tenants"
    ? sql`${col} in (select id from organizations where kind = 'tenant')`
    : sql`${col} = any(${`{${orgIds.join(",")}}`}::uuid[])`;
}

/** Tenants created before alerting existed (or by code that forgot) get the seed's defaults. */
async function ensureDefaults(db: Db, orgIds: OrgScope) {
  const orgFilter = inScope(sql`o.id`, orgIds);
  await db.execute(sql`
    with missing as (
      insert into alert_settings (org_id, categories)
      select o.id, ${JSON.stringify(DEFAULT_CATEGORIES)}::jsonb from organizations o
      where ${orgFilter} and not exists (select 1 from alert_settings s where s.org_id = o.id)
      on conflict do nothing
      returning org_id
    )
    insert into alert_rules (org_id, category, role_group, channel, enabled, topic)
    select m.org_id, d.category::incident_category, d.role_group::tenant_role, d.channel::channel, d.enabled, d.topic
    from missing m
    cross join jsonb_to_recordset(${DEFAULT_MATRIX_JSON}::jsonb)
      as d(category text, role_group text, channel text, enabled boolean, topic text)
    on conflict do nothing`);
}

interface OrgClock {
  org_id: string;
  quiet_until: string | null;
  digest_at: string | null;
}

async function orgClocks(db: Db, orgIds: OrgScope, now: Date): Promise<OrgClock[]> {
  const rows = await db
    .select({ s: alertSettings })
    .from(alertSettings)
    .innerJoin(organizations, eq(organizations.id, alertSettings.orgId))
    .where(
      orgIds === "all-tenants"
        ? eq(organizations.kind, "tenant")
        : inArray(alertSettings.orgId, orgIds),
    );
  return rows.map(({ s }) => ({
    org_id: s.orgId,
    quiet_until:
      quietUntil(
        { enabled: s.quietEnabled, start: s.quietStart, end: s.quietEnd, timeZone: s.timeZone },
        now,
      )?.toISOString() ?? null,
    digest_at: nextDigestAt(s.digestMode, s.timeZone, now)?.toISOString() ?? null,
  }));
}

/** The trace names role groups as the settings screen does ("Tech/DevOps", not "tech_devops"). */
const ROLE_GROUP_SQL = sql.raw(
  `case role_group ${Object.entries(ROLE_GROUP_LABELS)
    .map(([k, v]) => `when '${k}' then '${v.replace(/'/g, "''")}'`)
    .join(" ")} else role_group::text end`,
);

/** Rows per part of a large fan-out: big enough to keep statements few, small enough to start sending soon. */
const PART_ROWS = 1000;
const MAX_PARTS = 16;

/** How long a driver's claim on a job lasts before the sweeper hands it to another process. */
const JOB_LEASE_MS = 2 * 60 * 1000;

/** One part of a fan-out: the rows whose part key falls in the `index`-th of `of` slices. */
export interface PlanPart {
  index: number;
  of: number;
}

/**
 * Choosing one part's rows. Each part is its own statement and sees the data as it is when that
 * part runs, so a part key must never change while a job is planned, and must keep every row of
 * one de-duplication group in one part (so the choice between two rows for one destination,
 * pending over held over suppressed, is made within a part). Members and extra recipients are
 * therefore split by organization (an address can change mid-plan, an org cannot), endpoints by
 * their id, and public subscribers by their key (a subscription's address is fixed).
 *
 * The first parts are smaller, so sending starts soon and the sender is not left waiting while the
 * next, larger part is planned: in slots, the parts weigh 1, 2, 3 and then 4 each.
 */
const slotsBefore = (index: number) =>
  index <= 3 ? (index * (index + 1)) / 2 : 6 + 4 * (index - 3);
const partSlots = (part: PlanPart) => slotsBefore(part.of);

/**
 * Ids are random uuids, so a part is a slice of the uuid space: a range an index reads directly,
 * and each part costs its own rows rather than a pass over all of them.
 */
function inIdRange(col: SQL, part: PlanPart) {
  if (part.of === 1) return sql`true`;
  const bound = (index: number) =>
    `${Math.floor((slotsBefore(index) * 0x1_0000_0000) / partSlots(part))
      .toString(16)
      .padStart(8, "0")}-0000-0000-0000-000000000000`;
  const from = sql`${col} >= ${bound(part.index)}::uuid`;
  return part.index === part.of - 1
    ? from
    : sql`${from} and ${col} < ${bound(part.index + 1)}::uuid`;
}

/** The same for a text key (a public subscriber's), by hash. */
function inKeyHash(key: SQL, part: PlanPart) {
  if (part.of === 1) return sql`true`;
  const slot = sql`(hashtext(${key}) & 2147483647) % ${partSlots(part)}::int`;
  return sql`${slot} >= ${slotsBefore(part.index)}::int and ${slot} < ${slotsBefore(part.index + 1)}::int`;
}

function partCount(estimate: number, partRows: number): number {
  return Math.max(1, Math.min(MAX_PARTS, Math.ceil(estimate / partRows)));
}

/** An upper bound of the rows a job's matrix fan-out can write, to size its parts. */
async function matrixEstimate(db: Db, orgIds: OrgScope): Promise<number> {
  const scoped = inScope(sql`org_id`, orgIds);
  const res = await db.execute(sql`
    select (select count(*) from alert_endpoints where enabled and ${scoped})
         + (select count(*) from alert_recipients where ${scoped})
         + 3 * (select count(*) from memberships where ${scoped}) as n`);
  return Number(rowsOf<{ n: string | number }>(res)[0]?.n ?? 0);
}

function fanoutSql(job: NotificationJob, clocks: OrgClock[], now: Date, part: PlanPart) {
  const p = job.payload;
  return sql`
with p as (
  select ${job.id}::uuid as job_id,
         ${p.category}::incident_category as category,
         ${p.impact}::impact as impact,
         ${JSON.stringify(p.componentIds ?? [])}::jsonb as comps,
         ${JSON.stringify(p.regionIds ?? [])}::jsonb as regs,
         ${p.topic ?? null}::text as topic,
         ${p.incidentId ?? null}::uuid as incident_id,
         ${now.toISOString()}::timestamptz as now
),
oc as (
  select * from jsonb_to_recordset(${JSON.stringify(clocks)}::jsonb)
    as x(org_id uuid, quiet_until timestamptz, digest_at timestamptz)
),
rules as (
  select r.* from alert_rules r join oc on oc.org_id = r.org_id cross join p
  where r.enabled and r.category = p.category and (r.topic is null or r.topic = p.topic)
),
cand as (
  select m.org_id, r.channel, 'member'::text as recipient_type, u.id as recipient_id,
         case when r.channel = 'sms' then u.phone else u.email end as destination,
         r.role_group, r.topic as rule_topic,
         'none'::impact as ep_min, '[]'::jsonb as ep_comps, '[]'::jsonb as ep_regs,
         null::timestamptz as und_at, null::text as und_reason
  from rules r
  join memberships m on m.org_id = r.org_id and m.role::text = r.role_group::text
  join users u on u.id = m.user_id
  where r.channel in ('email', 'sms', 'in_app') and (r.channel <> 'sms' or u.phone is not null)
    and ${inIdRange(sql`m.org_id`, part)}
  union all
  select x.org_id, x.channel, 'recipient', x.id, x.address, r.role_group, r.topic, 'none'::impact, '[]'::jsonb, '[]'::jsonb,
         x.undeliverable_at, x.undeliverable_reason
  from rules r
  join alert_recipients x on x.org_id = r.org_id and x.role_group = r.role_group and x.channel = r.channel
  where ${inIdRange(sql`x.org_id`, part)}
  union all
  select * from (
    select distinct on (e.id)
           e.org_id, e.type::text::channel, 'endpoint', e.id, e.name || ' (' || e.url_hint || ')',
           r.role_group, r.topic, e.min_impact, e.component_ids, e.region_ids,
           null::timestamptz, null::text
    from rules r
    join alert_endpoints e on e.org_id = r.org_id and e.type::text = r.channel::text
         and (e.role_group is null or e.role_group = r.role_group)
    where e.enabled and ${inIdRange(sql`e.id`, part)}
    order by e.id, r.role_group
  ) ep
),
dec as (
  select c.*, s.digest_mode, s.quiet_allow_critical, oc.quiet_until, oc.digest_at, p.impact, p.now, p.job_id, p.incident_id,
    coalesce((s.categories ->> p.category::text)::boolean, false) as cat_on,
    p.impact >= s.min_impact and p.impact >= c.ep_min as sev_ok,
    s.min_impact as org_min,
    (jsonb_array_length(p.comps) = 0 or
      ((jsonb_array_length(s.component_ids) = 0 or exists (select 1 from jsonb_array_elements_text(s.component_ids) a join jsonb_array_elements_text(p.comps) b on a = b))
       and (jsonb_array_length(c.ep_comps) = 0 or exists (select 1 from jsonb_array_elements_text(c.ep_comps) a join jsonb_array_elements_text(p.comps) b on a = b))))
    and
    (jsonb_array_length(p.regs) = 0 or
      ((jsonb_array_length(s.region_ids) = 0 or exists (select 1 from jsonb_array_elements_text(s.region_ids) a join jsonb_array_elements_text(p.regs) b on a = b))
       and (jsonb_array_length(c.ep_regs) = 0 or exists (select 1 from jsonb_array_elements_text(c.ep_regs) a join jsonb_array_elements_text(p.regs) b on a = b))))
      as filter_ok,
    p.category
  from cand c
  join alert_settings s on s.org_id = c.org_id
  join oc on oc.org_id = c.org_id
  cross join p
  where c.destination is not null
),
decided as (
  select d.*,
    case
      when not d.cat_on or not d.sev_ok or not d.filter_ok or d.und_at is not null then 'suppressed'
      when d.channel in ('email', 'sms', 'slack', 'teams') and d.digest_mode <> 'immediate' and d.impact <> 'critical' then 'held'
      else 'pending'
    end as status,
    d.channel in ('email', 'sms', 'slack', 'teams') and d.quiet_until is not null
      and not (d.impact = 'critical' and d.quiet_allow_critical) as quiet_delay,
    case when d.recipient_type = 'endpoint' then d.recipient_id::text else lower(d.destination) end as dkey
  from dec d
),
ranked as (
  select distinct on (org_id, channel, dkey) *
  from decided
  order by org_id, channel, dkey,
    case status when 'pending' then 0 when 'held' then 1 else 2 end, recipient_type
)
select job_id, org_id, channel, recipient_type, recipient_id, destination,
  job_id::text || ':' || org_id::text || ':' || channel::text || ':' || dkey as idempotency_key,
  status::delivery_status as status,
  case when status = 'held' then digest_at when status = 'pending' and quiet_delay then quiet_until else now end as run_at,
  jsonb_build_array(
    jsonb_build_object('step', 'rule', 'outcome', 'matched', 'detail',
      case recipient_type when 'endpoint' then 'Endpoint receives ' || category || ' on ' || channel || ' (ticked for ' || ${ROLE_GROUP_SQL} || ')'
        when 'recipient' then 'Extra recipient of ' || ${ROLE_GROUP_SQL} || ': ' || category || ' → ' || channel
        else 'Member of ' || ${ROLE_GROUP_SQL} || ': ' || category || ' → ' || channel end
      || coalesce(' (only for ' || rule_topic || ')', ''))
  ) || case when recipient_type = 'recipient' then jsonb_build_array(
    jsonb_build_object('step', 'address', 'outcome', case when und_at is null then 'pass' else 'suppressed' end, 'detail',
      case when und_at is null then 'no provider has reported this address as unreachable'
        else 'marked undeliverable since ' || to_char(und_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC (' ||
          coalesce(und_reason, 'no reason given') || '); clear the mark in Alerts & Notifications once it is fixed' end)
  ) else '[]'::jsonb end || jsonb_build_array(
    jsonb_build_object('step', 'category', 'outcome', case when cat_on then 'pass' else 'suppressed' end, 'detail',
      case when cat_on then category || ' alerts are on' else category || ' alerts are turned off for this tenant' end),
    jsonb_build_object('step', 'severity', 'outcome', case when sev_ok then 'pass' else 'suppressed' end, 'detail',
      'impact ' || impact || case when sev_ok then ' meets' else ' is below' end || ' the minimum ' ||
      greatest(org_min, ep_min)),
    jsonb_build_object('step', 'filter', 'outcome', case when filter_ok then 'pass' else 'suppressed' end, 'detail',
      case when filter_ok then 'components and regions match the filters' else 'none of the affected components/regions is in the filters' end),
    jsonb_build_object('step', 'digest', 'outcome', case when status = 'held' then 'held' else 'pass' end, 'detail',
      case when digest_mode = 'immediate' then 'immediate delivery'
        when channel in ('in_app', 'webhook') then channel || ' deliveries are never digested'
        when impact = 'critical' then 'critical alerts bypass the ' || digest_mode || ' digest'
        else 'held for the ' || digest_mode || ' digest at ' || to_char(digest_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' end),
    jsonb_build_object('step', 'quiet_hours', 'outcome', case when status = 'pending' and quiet_delay then 'delayed' else 'pass' end, 'detail',
      case when quiet_until is null then 'outside quiet hours'
        when channel in ('in_app', 'webhook') then 'quiet hours apply to people, not to ' || channel
        when impact = 'critical' and quiet_allow_critical then 'quiet hours, but critical alerts are allowed through'
        else 'quiet hours: delayed until ' || to_char(quiet_until at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' end)
  ) as trace,
  incident_id
from ranked`;
}

/**
 * User-level warnings (kind "user.warning"): addressed to named members of one organization, not
 * to role groups, so the category matrix, minimum severity and filters do not apply. Each member
 * gets three decisions in one statement: in-app always; email only if they opted in; SMS only if
 * they opted in and have a phone number. A channel that is not used is still written, suppressed,
 * so the delivery log says why. Digest and quiet hours apply to email and SMS exactly as in
 * fanoutSql. A user id that is not (or no longer) a member of the organization gets nothing.
 */
function warningFanoutSql(job: NotificationJob, clocks: OrgClock[], now: Date) {
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
oc as (
  select * from jsonb_to_recordset(${JSON.stringify(clocks)}::jsonb)
    as x(org_id uuid, quiet_until timestamptz, digest_at timestamptz)
),
addressed as (
  select distinct m.org_id, u.id as user_id, u.email, u.phone, m.warning_email, m.warning_sms
  from p
  cross join jsonb_array_elements_text(p.user_ids) as a(uid)
  join memberships m on m.org_id = p.org_id and m.user_id::text = lower(a.uid)
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
decided as (
  select c.*, p.job_id, p.impact, p.now,
    coalesce(s.digest_mode, 'immediate') as digest_mode,
    coalesce(s.quiet_allow_critical, true) as quiet_allow_critical,
    oc.quiet_until, oc.digest_at,
    case
      when c.opt not in ('always', 'opted_in') then 'suppressed'
      when c.channel <> 'in_app' and coalesce(s.digest_mode, 'immediate') <> 'immediate' and p.impact <> 'critical' then 'held'
      else 'pending'
    end as status,
    c.channel <> 'in_app' and oc.quiet_until is not null
      and not (p.impact = 'critical' and coalesce(s.quiet_allow_critical, true)) as quiet_delay
  from cand c
  cross join p
  left join alert_settings s on s.org_id = c.org_id
  left join oc on oc.org_id = c.org_id
)
select job_id, org_id, channel, 'member' as recipient_type, user_id as recipient_id, destination,
  job_id::text || ':' || org_id::text || ':' || channel::text || ':user:' || user_id::text as idempotency_key,
  status::delivery_status as status,
  case when status = 'held' then digest_at when status = 'pending' and quiet_delay then quiet_until else now end as run_at,
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
    jsonb_build_object('step', 'digest', 'outcome', case when status = 'held' then 'held' else 'pass' end, 'detail',
      case when channel = 'in_app' then 'in_app deliveries are never digested'
        when digest_mode = 'immediate' then 'immediate delivery'
        when impact = 'critical' then 'critical alerts bypass the ' || digest_mode || ' digest'
        else 'held for the ' || digest_mode || ' digest at ' || to_char(digest_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' end),
    jsonb_build_object('step', 'quiet_hours', 'outcome', case when quiet_delay then 'delayed' else 'pass' end, 'detail',
      case when quiet_until is null then 'outside quiet hours'
        when channel = 'in_app' then 'quiet hours apply to people, not to in_app'
        when impact = 'critical' and quiet_allow_critical then 'quiet hours, but critical alerts are allowed through'
        else 'quiet hours: delayed until ' || to_char(quiet_until at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' end)
  ) end as trace,
  null::uuid as incident_id
from decided`;
}

/** Public incidents and maintenance reach public subscribers; tests and threshold alerts never do. */
function reachesPublicSubscribers(job: NotificationJob): boolean {
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

function subscriberFanoutSql(job: NotificationJob, now: Date, part: PlanPart) {
  const p = job.payload;
  return sql`
with p as (
  select ${JSON.stringify(p.componentIds ?? [])}::jsonb as comps,
         ${JSON.stringify(p.regionIds ?? [])}::jsonb as regs
),
cand as (
  select s.*,
    (jsonb_array_length(p.comps) = 0 or jsonb_array_length(s.component_ids) = 0
      or exists (select 1 from jsonb_array_elements_text(s.component_ids) a join jsonb_array_elements_text(p.comps) b on a = b))
    and
    (jsonb_array_length(p.regs) = 0 or jsonb_array_length(s.region_ids) = 0
      or exists (select 1 from jsonb_array_elements_text(s.region_ids) a join jsonb_array_elements_text(p.regs) b on a = b))
      as filter_ok,
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
      case when everything then 'subscribed to everything'
        when filter_ok then 'components and regions match the subscription'
        else 'none of the affected components/regions is in the subscription' end),
    jsonb_build_object('step', 'digest', 'outcome', 'pass', 'detail', 'public subscribers are told immediately')
  ) as trace,
  ${p.incidentId ?? null}::uuid as incident_id
from cand
order by dkey, filter_ok desc, confirmed_at desc`;
}

/** The columns every fan-out select yields, in this order. */
const PLANNED_COLUMNS = sql.raw(
  "job_id, org_id, channel, recipient_type, recipient_id, destination, idempotency_key, status, run_at, trace, incident_id",
);

/**
 * Writes a fan-out select's rows as deliveries. A re-run writes only what is missing (unique
 * idempotency key). With `claim`, every row due now is written already claimed ("sending",
 * attempt 1, locked like a claim from the queue) and returned with what sending needs, its
 * endpoint's columns included, so the driver sends it without another write or read.
 */
function insertPlanned(select: SQL, claim: { now: Date; lockedUntil: Date } | null) {
  if (!claim)
    return sql`
insert into deliveries (${PLANNED_COLUMNS})
select * from (${select}) planned
on conflict (idempotency_key) do nothing`;
  const lockedUntil = claim.lockedUntil.toISOString();
  return sql`
with planned as (
  select *, status = 'pending' and run_at <= ${claim.now.toISOString()}::timestamptz as claim from (${select}) s
),
ins as (
  insert into deliveries (${PLANNED_COLUMNS}, attempts, locked_until)
  select job_id, org_id, channel, recipient_type, recipient_id, destination, idempotency_key,
    case when claim then 'sending'::delivery_status else status end, run_at, trace, incident_id,
    case when claim then 1 else 0 end, case when claim then ${lockedUntil}::timestamptz end
  from planned
  on conflict (idempotency_key) do nothing
  returning ${planClaimedColumns("deliveries")}, status = 'sending' as claimed
)
select ${planClaimedColumns("ins")}, ${ENDPOINT_COLUMNS} from ins
left join alert_endpoints e on ins.recipient_type = 'endpoint' and e.id = ins.recipient_id and e.org_id = ins.org_id
where ins.claimed`;
}

/**
 * Deliveries planning claimed, with the look-ups they need (shared by every part of one job). The
 * next part is planned when the returned promise resolves (back-pressure from the sender).
 */
export type OnClaimed = (deliveries: ClaimedDelivery[], cache: PrepCache) => void | Promise<void>;

export interface PlanOptions {
  now?: Date;
  /** Called (and awaited) after each part commits, so a driver can start sending what has landed. */
  onPart?: () => void | Promise<void>;
  /** Return the due deliveries (the Inngest driver dispatches them); otherwise only counts. */
  listDue?: boolean;
  /**
   * Rows per part (default PART_ROWS); Infinity plans in one statement, which suits PGlite, where
   * planning and sending share one thread and overlapping them gains nothing.
   */
  partRows?: number;
  /**
   * Claim what is due as it is written and hand it over (the embedded driver): each delivery is
   * then written once before its outcome instead of written, then claimed.
   */
  onClaimed?: OnClaimed;
  /** Checked before each part: a stopping driver plans no further (the job is left unplanned). */
  shouldStop?: () => boolean;
}

class PlanningStopped extends Error {}

/** Plans one job. Safe to call from either driver, any number of times, even concurrently. */
export async function planJob(db: Db, jobId: string, opts: PlanOptions = {}): Promise<PlanResult> {
  const now = opts.now ?? new Date();
  const [job] = await db.select().from(notificationJobs).where(eq(notificationJobs.id, jobId));
  if (!job) throw new Error(`notification job ${jobId} not found`);
  let planned = false;
  if (job.status !== "planned") {
    try {
      await planParts(db, job, now, opts);
    } catch (e) {
      if (!(e instanceof PlanningStopped)) throw e;
      // Stopped between parts: the job stays unplanned; what was written is kept (a re-run adds
      // only what is missing). The caller releases the job (releaseJob).
      return { jobId, planned: false, stopped: true, counts: {}, due: [] };
    }
    const marked = await db
      .update(notificationJobs)
      .set({
        status: "planned",
        plannedAt: now,
        attempts: sql`${notificationJobs.attempts} + 1`,
        lastError: null,
      })
      .where(and(eq(notificationJobs.id, jobId), sql`${notificationJobs.status} <> 'planned'`))
      .returning({ id: notificationJobs.id });
    planned = marked.length > 0;
  }
  if (opts.listDue === false) {
    const res = await db.execute(sql`
      select status, count(*)::int as n from deliveries where job_id = ${jobId}::uuid group by status`);
    const counts = Object.fromEntries(
      rowsOf<{ status: string; n: number }>(res).map((r) => [r.status, Number(r.n)]),
    );
    return { jobId, planned, counts, due: [] };
  }
  const rows = await db
    .select({
      id: deliveries.id,
      destination: deliveries.destination,
      status: deliveries.status,
      runAt: deliveries.runAt,
    })
    .from(deliveries)
    .where(eq(deliveries.jobId, jobId));
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return {
    jobId,
    planned,
    counts,
    due: rows.filter((r) => r.status === "pending"),
  };
}

/** Writes a job's deliveries, one committed statement per part. */
async function planParts(db: Db, job: NotificationJob, now: Date, opts: PlanOptions) {
  const partRows = opts.partRows ?? PART_ROWS;
  // The job and its rendered message are shared by every part; endpoints are per part, so a
  // large fan-out does not keep every endpoint it sent to until the job is done.
  const shared = emptyPrepCache();
  shared.jobs.set(job.id, alertItemOf(job));
  let parts = 0;
  const write = async (select: SQL) => {
    if (opts.shouldStop?.()) throw new PlanningStopped();
    if (parts++ > 0) {
      // A long fan-out outlives the job's claim: extend it, or the sweeper hands the job to
      // another process to plan again (harmless, but wasted).
      await db
        .update(notificationJobs)
        .set({ runAt: new Date(Date.now() + JOB_LEASE_MS) })
        .where(and(eq(notificationJobs.id, job.id), eq(notificationJobs.status, "planning")));
    }
    // The lock runs from when the part is written (planning may have waited for the sender).
    const claim = opts.onClaimed ? { now, lockedUntil: new Date(Date.now() + LOCK_MS) } : null;
    const res = await db.execute(insertPlanned(select, claim));
    if (opts.onClaimed) {
      const cache: PrepCache = { ...shared, endpoints: new Map() };
      const rows = rowsOf<Record<string, unknown>>(res);
      for (const r of rows) {
        const e = toEndpoint(r);
        if (e) cache.endpoints.set(e.id, e);
      }
      const known = plannedClaim(job.id, claim!.lockedUntil);
      if (rows.length)
        await opts.onClaimed(
          rows.map((r) => toClaimed(r, known)),
          cache,
        );
    }
    await opts.onPart?.();
  };
  const audience = job.payload.audience;
  const scope: OrgScope = audience.type === "public" ? "all-tenants" : [audience.orgId];
  if (job.kind === "user.warning") {
    // Addressed to members, not routed by the matrix: no defaults to create. An organization
    // without alert settings (the platform's) simply has no quiet hours or digest.
    await write(warningFanoutSql(job, await orgClocks(db, scope, now), now));
    return;
  }
  await ensureDefaults(db, scope);
  if (!job.payload.test) {
    const clocks = await orgClocks(db, scope, now);
    if (clocks.length > 0) {
      const of = partCount(await matrixEstimate(db, scope), partRows);
      for (let index = 0; index < of; index++)
        await write(fanoutSql(job, clocks, now, { index, of }));
    }
  }
  // Only public jobs: a tenant-only incident never reaches public subscribers.
  if (reachesPublicSubscribers(job)) {
    const res = await db.execute(
      sql`select count(*)::int as n from public_subscribers where confirmed_at is not null`,
    );
    const of = partCount(Number(rowsOf<{ n: number }>(res)[0]?.n ?? 0), partRows);
    for (let index = 0; index < of; index++)
      await write(subscriberFanoutSql(job, now, { index, of }));
  }
}

/**
 * Claims due outbox jobs for the embedded driver (pending → planning) so two processes never plan
 * the same job at once. A job left in "planning" by a crash is re-claimed by the sweeper.
 */
export async function claimDueJobs(
  db: Db,
  opts: { now?: Date; limit?: number } = {},
): Promise<string[]> {
  const now = (opts.now ?? new Date()).toISOString();
  const res = await db.execute(sql`
    update notification_jobs set status = 'planning', run_at = ${now}::timestamptz + ${JOB_LEASE_MS}::int * interval '1 millisecond'
    where id in (
      select id from notification_jobs
      where status = 'pending' and run_at <= ${now}::timestamptz
      order by run_at limit ${opts.limit ?? 20}
      for update skip locked)
    returning id`);
  return rowsOf<{ id: string }>(res).map((r) => r.id);
}

/** Hands a claimed job back to the queue unplanned (a driver that stops before planning it). */
export async function releaseJob(db: Db, jobId: string, now = new Date()) {
  await db
    .update(notificationJobs)
    .set({ status: "pending", runAt: now })
    .where(and(eq(notificationJobs.id, jobId), eq(notificationJobs.status, "planning")));
}

/** Marks a job failed after planning threw, keeping the error; it is retried by the sweeper. */
export async function markJobError(db: Db, jobId: string, error: unknown, now = new Date()) {
  const message = error instanceof Error ? error.message : String(error);
  await db
    .update(notificationJobs)
    .set({
      status: sql`case when ${notificationJobs.attempts} >= 9 then 'failed'::job_status else 'pending'::job_status end`,
      attempts: sql`${notificationJobs.attempts} + 1`,
      lastError: message,
      runAt: new Date(now.getTime() + 30_000),
    })
    .where(
      and(
        eq(notificationJobs.id, jobId),
        inArray(notificationJobs.status, ["pending", "planning"]),
      ),
    );
}

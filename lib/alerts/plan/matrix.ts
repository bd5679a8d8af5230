import { sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db";
import { rowsOf } from "@/db/client";
import type { NotificationJob } from "@/db/schema";
import { endpointCandidates } from "./endpoints";
import { memberCandidates } from "./members";
import type { PlanPart } from "./parts";
import { recipientCandidates } from "./recipients";
import { clocksCte, inScope, type OneRecipient, type OrgClock, type OrgScope } from "./scope";
import {
  componentsAndRegionsPass,
  decideStatus,
  ROLE_GROUP_SQL,
  RUN_AT,
  WAIT_STEPS,
} from "./trace";

/**
 * The routing-matrix fan-out (every job but user-level warnings and tests): the cells of the
 * channel × role-group matrix ticked for the job's category reach the role group's members
 * (members.ts), its extra recipients (recipients.ts) and the endpoints (endpoints.ts). Each
 * candidate is then decided once, with the tenant's category toggles, minimum severity,
 * component/region filters, digest and quiet hours, and one delivery per (org, channel, address)
 * kept: pending over held over skipped or suppressed. One statement per part; the explainer runs
 * the same statement for one recipient (a dry run; see lib/alerts/explain.ts).
 */

/** A rule cell is ticked for the job's category. */
const RULE_TICKED = sql`r.enabled and r.category = p.category`;
/** A cell with a topic (Billing Admins' SMS: low balance only) is only for alerts of that topic. */
const RULE_TOPIC = sql`(r.topic is null or r.topic = p.topic)`;

export function matrixFanoutSql(
  job: NotificationJob,
  clocks: OrgClock[],
  now: Date,
  part: PlanPart,
  who: OneRecipient = null,
) {
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
${clocksCte(clocks)},
rules as (
  select r.* from alert_rules r join oc on oc.org_id = r.org_id cross join p
  where ${RULE_TICKED} and ${RULE_TOPIC}
),
cand as (
  ${memberCandidates(part, who)}
  union all
  ${recipientCandidates(part, who)}
  union all
  ${endpointCandidates(part, who)}
),
dec as (
  select c.*, s.digest_mode, s.quiet_allow_critical, oc.quiet_until, oc.digest_at, p.impact, p.now, p.job_id, p.incident_id,
    coalesce((s.categories ->> p.category::text)::boolean, false) as cat_on,
    -- Maintenance advisories have no severity: their own category row decides, not the minimum.
    (p.category = 'maintenance' or (p.impact >= s.min_impact and p.impact >= c.ep_min)) as sev_ok,
    s.min_impact as org_min,
    ${componentsAndRegionsPass({
      comps: [sql`s.component_ids`, sql`c.ep_comps`],
      regs: [sql`s.region_ids`, sql`c.ep_regs`],
    })}
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
    ${decideStatus(
      sql`d`,
      sql`not d.cat_on or not d.sev_ok or not d.filter_ok or d.und_at is not null`,
      sql`d.skip_reason is not null`,
    )},
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
  ${RUN_AT},
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
  ) when skip_reason is not null then jsonb_build_array(
    jsonb_build_object('step', 'endpoint', 'outcome', 'skipped', 'detail', skip_reason)
  ) else '[]'::jsonb end || jsonb_build_array(
    jsonb_build_object('step', 'category', 'outcome', case when cat_on then 'pass' else 'suppressed' end, 'detail',
      case when cat_on then category || ' alerts are on' else category || ' alerts are turned off for this tenant' end),
    jsonb_build_object('step', 'severity', 'outcome', case when sev_ok then 'pass' else 'suppressed' end, 'detail',
      'impact ' || impact || case when sev_ok then ' meets' else ' is below' end || ' the minimum ' ||
      greatest(org_min, ep_min)),
    jsonb_build_object('step', 'filter', 'outcome', case when filter_ok then 'pass' else 'suppressed' end, 'detail',
      case when filter_ok then 'components and regions match the filters' else 'none of the affected components/regions is in the filters' end),
    ${WAIT_STEPS}
  ) as trace,
  incident_id
from ranked`;
}

/** An upper bound of the rows a job's matrix fan-out can write, to size its parts. */
export async function matrixEstimate(db: Db, orgIds: OrgScope): Promise<number> {
  const scoped = inScope(sql`org_id`, orgIds);
  const res = await db.execute(sql`
    select (select count(*) from alert_endpoints where ${scoped})
         + (select count(*) from alert_recipients where ${scoped})
         + 3 * (select count(*) from memberships where ${scoped}) as n`);
  return Number(rowsOf<{ n: string | number }>(res)[0]?.n ?? 0);
}

/**
 * One recipient as the explainer sees a candidate source: how to join it (to `p`, the job and
 * organization) with the channels it could be reached on (`c`), and the source's own conditions
 * on a candidate, the same fragments its candidate branch uses.
 */
export interface CandidateSource {
  /** Joins the recipient and its channels as c(channel). */
  from: SQL;
  /** The recipient is covered by rule r (the join condition of its candidate branch). */
  ofRule: SQL;
  /** The recipient's role group as text (null: an endpoint for any role group). */
  roleGroup: SQL;
  /** The branch's conditions after the rule's, in order. */
  gates: { gate: string; where: SQL }[];
}

/** Why the matrix fan-out has (or lacks) a candidate for one recipient on one of its channels. */
export interface MatrixGates {
  jobId: string;
  channel: string;
  /** The organization has alert settings (a tenant without them is routed nothing). */
  settings: boolean;
  /** The recipient's role groups (null: any role group). */
  roleGroups: (string | null)[];
  /** Topics of the cells ticked for this channel and the job's category. */
  topics: (string | null)[];
  /**
   * The conditions in the order the fan-out applies them: whether some cell passes this one and
   * every one before it. The first that fails is why there is no candidate.
   */
  passed: { gate: string; ok: boolean }[];
}

/**
 * The conditions that form a matrix candidate, for one recipient in organization `orgId` and each
 * job's category and topic: a cell of the recipient's role group and channel is ticked for the
 * category (`rule`) and for the topic (`topic`), then the source's own (a phone for SMS; a
 * disabled endpoint is a candidate, skipped). The same fragments as the candidate branches;
 * read-only, one statement for all the jobs. The explainer uses it when the dry run has no row
 * for a channel.
 */
export async function matrixGates(
  db: Db,
  jobs: NotificationJob[],
  orgId: string,
  source: CandidateSource,
): Promise<MatrixGates[]> {
  if (jobs.length === 0) return [];
  const gates = [
    { gate: "rule", where: RULE_TICKED },
    { gate: "topic", where: RULE_TOPIC },
    ...source.gates,
  ];
  const columns = gates.map(
    (g, i) =>
      sql`coalesce(bool_or(${sql.join(
        gates.slice(0, i + 1).map((x) => x.where),
        sql` and `,
      )}), false) as ${sql.identifier(`g_${g.gate}`)}`,
  );
  const jobRows = sql.join(
    jobs.map(
      (j) =>
        sql`(${j.id}::uuid, ${j.payload.category}::incident_category, ${j.payload.topic ?? null}::text)`,
    ),
    sql`, `,
  );
  const res = await db.execute(sql`
with p as (
  select v.*, ${orgId}::uuid as org_id from (values ${jobRows}) as v(job_id, category, topic)
)
select p.job_id, c.channel::text as channel,
  exists (select 1 from alert_settings s where s.org_id = ${orgId}::uuid) as settings,
  jsonb_agg(distinct ${source.roleGroup}) as role_groups,
  coalesce(jsonb_agg(distinct r.topic) filter (where ${RULE_TICKED}), '[]') as topics,
  ${sql.join(columns, sql`, `)}
from p
${source.from}
left join alert_rules r on r.org_id = p.org_id and r.channel = c.channel and ${source.ofRule}
group by p.job_id, c.channel`);
  return rowsOf<Record<string, unknown>>(res).map((row) => ({
    jobId: row.job_id as string,
    channel: row.channel as string,
    settings: Boolean(row.settings),
    roleGroups: jsonOf<(string | null)[]>(row.role_groups),
    topics: jsonOf<(string | null)[]>(row.topics),
    passed: gates.map((g) => ({ gate: g.gate, ok: Boolean(row[`g_${g.gate}`]) })),
  }));
}

/** A jsonb column of a raw statement (parsed by the driver, or its text). */
function jsonOf<T>(v: unknown): T {
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}

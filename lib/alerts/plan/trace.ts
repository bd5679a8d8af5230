import { sql, type SQL } from "drizzle-orm";
import { ROLE_GROUP_LABELS } from "@/lib/auth/roles";

/**
 * Routing decisions and trace steps shared by the fan-outs, each written once. They read the
 * columns of the fan-out's decision table by name: `channel`, `impact`, `digest_mode`,
 * `quiet_until`, `quiet_allow_critical`, `digest_at` (from scope.ts's clocks), then the decided
 * `status` and `quiet_delay`, and `now`.
 */

/**
 * The status of a candidate and whether quiet hours delay it, as the columns `status` and
 * `quiet_delay` of table `d`. A candidate is suppressed when `suppressed` holds; skipped when it
 * would otherwise be sent but `skipped` holds (its receiver is switched off); otherwise email,
 * SMS, Slack and Teams wait for the digest (critical alerts bypass it) and for the end of quiet
 * hours (unless critical alerts are allowed through). In-app and webhook deliveries never wait.
 */
export function decideStatus(d: SQL, suppressed: SQL, skipped: SQL = sql`false`) {
  return sql`case
      when ${suppressed} then 'suppressed'
      when ${skipped} then 'skipped'
      when ${d}.channel in ('email', 'sms', 'slack', 'teams') and ${d}.digest_mode <> 'immediate' and ${d}.impact <> 'critical' then 'held'
      else 'pending'
    end as status,
    ${d}.channel in ('email', 'sms', 'slack', 'teams') and ${d}.quiet_until is not null
      and not (${d}.impact = 'critical' and ${d}.quiet_allow_critical) as quiet_delay`;
}

/** When a decided delivery is due: at the digest, after quiet hours, or now. */
export const RUN_AT = sql.raw(
  "case when status = 'held' then digest_at when status = 'pending' and quiet_delay then quiet_until else now end as run_at",
);

/** The trace's digest and quiet-hours steps (two jsonb objects, for a jsonb_build_array). */
export const WAIT_STEPS =
  sql.raw(`jsonb_build_object('step', 'digest', 'outcome', case when status = 'held' then 'held' else 'pass' end, 'detail',
      case when digest_mode = 'immediate' then 'immediate delivery'
        when channel in ('in_app', 'webhook') then channel || ' deliveries are never digested'
        when impact = 'critical' then 'critical alerts bypass the ' || digest_mode || ' digest'
        else 'held for the ' || digest_mode || ' digest at ' || to_char(digest_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' end),
    jsonb_build_object('step', 'quiet_hours', 'outcome', case when status = 'pending' and quiet_delay then 'delayed' else 'pass' end, 'detail',
      case when quiet_until is null then 'outside quiet hours'
        when channel in ('in_app', 'webhook') then 'quiet hours apply to people, not to ' || channel
        when impact = 'critical' and quiet_allow_critical then 'quiet hours, but critical alerts are allowed through'
        else 'quiet hours: delayed until ' || to_char(quiet_until at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' end)`);

/** A component or region filter (a jsonb list of ids) lets an alert through: it is empty, or lists an affected id. */
function filterPasses(filter: SQL, affected: SQL) {
  return sql`(jsonb_array_length(${filter}) = 0 or exists (select 1 from jsonb_array_elements_text(${filter}) a join jsonb_array_elements_text(${affected}) b on a = b))`;
}

/** An alert naming no components (regions) passes every filter; one that names some must pass each. */
function filtersPass(affected: SQL, filters: SQL[]) {
  return sql`(jsonb_array_length(${affected}) = 0 or
      (${sql.join(
        filters.map((f) => filterPasses(f, affected)),
        sql`
       and `,
      )}))`;
}

/**
 * The component and region filters (`comps`, `regs`: the jsonb lists that apply to a candidate,
 * e.g. the tenant's and the endpoint's own) let the alert through, for the alert's affected
 * components and regions `p.comps` and `p.regs`.
 */
export function componentsAndRegionsPass(filters: { comps: SQL[]; regs: SQL[] }) {
  return sql`${filtersPass(sql`p.comps`, filters.comps)}
    and
    ${filtersPass(sql`p.regs`, filters.regs)}`;
}

/** The trace names role groups as the settings screen does ("Tech/DevOps", not "tech_devops"). */
export const ROLE_GROUP_SQL = sql.raw(
  `case role_group ${Object.entries(ROLE_GROUP_LABELS)
    .map(([k, v]) => `when '${k}' then '${v.replace(/'/g, "''")}'`)
    .join(" ")} else role_group::text end`,
);

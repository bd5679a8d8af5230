import { sql, type SQL } from "drizzle-orm";
import { ENDPOINT_DISABLED_CAUSES } from "@/db/schema";
import { ENDPOINT_DISABLED_CAUSE_LABELS } from "../endpoint-health";
import { inIdRange, type PlanPart } from "./parts";
import type { OneRecipient } from "./scope";
import type { CandidateSource } from "./matrix";

/**
 * Endpoints (Slack, Teams, webhooks): an endpoint receives a category when its channel is
 * ticked for its role group, or for any role group when it has none; once per endpoint, however
 * many role groups tick it. Its own severity and component/region filters apply on top of the
 * tenant's. A disabled endpoint (after it answered 410 Gone, or failed for days) is still a
 * candidate, so the log shows what it missed: skipped, with when and why it was disabled (the
 * trace's endpoint step). A branch of the matrix fan-out (matrix.ts), reading its `rules` (r).
 */

/** The endpoint's type is the rule's channel, and the rule is for its role group (or it has none). */
const ENDPOINT_OF_RULE = sql`e.type::text = r.channel::text
         and (e.role_group is null or e.role_group = r.role_group)`;
/**
 * Why a disabled endpoint is skipped, in the words of the delivery log: "skipped: endpoint disabled
 * on 2026-11-30 09:15 UTC (410 Gone)" (dates as the trace writes them); null when it is enabled.
 * An endpoint disabled before Beacon recorded the date or the cause is said to be disabled, no more.
 */
const SKIP_REASON = sql.raw(`case when not e.enabled then 'skipped: endpoint disabled'
      || coalesce(' on ' || to_char(e.disabled_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC', '')
      || coalesce(' (' || case e.disabled_cause ${ENDPOINT_DISABLED_CAUSES.map(
        (c) => `when '${c}' then '${ENDPOINT_DISABLED_CAUSE_LABELS[c].replace(/'/g, "''")}'`,
      ).join(" ")} end || ')', '') end`);

function only(who: OneRecipient): SQL {
  if (!who) return sql.empty();
  return "endpoint" in who ? sql` and e.id = ${who.endpoint}::uuid` : sql` and false`;
}

export function endpointCandidates(part: PlanPart, who: OneRecipient) {
  return sql`select * from (
    select distinct on (e.id)
           e.org_id, e.type::text::channel, 'endpoint', e.id, e.name || ' (' || e.url_hint || ')',
           r.role_group, r.topic, e.min_impact, e.component_ids, e.region_ids,
           null::timestamptz, null::text, ${SKIP_REASON}
    from rules r
    join alert_endpoints e on e.org_id = r.org_id and ${ENDPOINT_OF_RULE}
    where ${inIdRange(sql`e.id`, part)}${only(who)}
    order by e.id, r.role_group
  ) ep`;
}

/** One endpoint and its channel, for the explainer (see matrixGatesSql). */
export function endpointSource(endpointId: string): CandidateSource {
  return {
    from: sql`join alert_endpoints e on e.org_id = p.org_id and e.id = ${endpointId}::uuid
cross join lateral (select e.type::text::channel) as c(channel)`,
    ofRule: ENDPOINT_OF_RULE,
    roleGroup: sql`e.role_group::text`,
    // A disabled endpoint is a candidate too (skipped), so it needs no gate of its own.
    gates: [],
  };
}

import { sql, type SQL } from "drizzle-orm";
import { inIdRange, type PlanPart } from "./parts";
import type { OneRecipient } from "./scope";
import type { CandidateSource } from "./matrix";

/**
 * Endpoints (Slack, Teams, webhooks): an enabled endpoint receives a category when its channel is
 * ticked for its role group, or for any role group when it has none; once per endpoint, however
 * many role groups tick it. Its own severity and component/region filters apply on top of the
 * tenant's. A branch of the matrix fan-out (matrix.ts), reading its `rules` (r).
 */

/** The endpoint's type is the rule's channel, and the rule is for its role group (or it has none). */
const ENDPOINT_OF_RULE = sql`e.type::text = r.channel::text
         and (e.role_group is null or e.role_group = r.role_group)`;
/** A disabled endpoint (by an admin, or after it answered 410 Gone) receives nothing. */
const ENDPOINT_ENABLED = sql`e.enabled`;

function only(who: OneRecipient): SQL {
  if (!who) return sql.empty();
  return "endpoint" in who ? sql` and e.id = ${who.endpoint}::uuid` : sql` and false`;
}

export function endpointCandidates(part: PlanPart, who: OneRecipient) {
  return sql`select * from (
    select distinct on (e.id)
           e.org_id, e.type::text::channel, 'endpoint', e.id, e.name || ' (' || e.url_hint || ')',
           r.role_group, r.topic, e.min_impact, e.component_ids, e.region_ids,
           null::timestamptz, null::text
    from rules r
    join alert_endpoints e on e.org_id = r.org_id and ${ENDPOINT_OF_RULE}
    where ${ENDPOINT_ENABLED} and ${inIdRange(sql`e.id`, part)}${only(who)}
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
    gates: [{ gate: "endpoint_enabled", where: ENDPOINT_ENABLED }],
  };
}

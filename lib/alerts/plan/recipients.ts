import { sql, type SQL } from "drizzle-orm";
import { inIdRange, type PlanPart } from "./parts";
import type { OneRecipient } from "./scope";
import type { CandidateSource } from "./matrix";

/**
 * Extra recipients: addresses listed for a role group and channel in Alerts & Notifications,
 * reached when that channel is ticked for the role group. An address a provider reported
 * unreachable is still a candidate, suppressed with the reason (the trace's address step). A
 * branch of the matrix fan-out (matrix.ts), reading its `rules` (r).
 */

/** The address is listed for the rule's role group and channel. */
const RECIPIENT_OF_RULE = sql`x.role_group = r.role_group and x.channel = r.channel`;

function only(who: OneRecipient): SQL {
  if (!who) return sql.empty();
  return "address" in who ? sql` and lower(x.address) = lower(${who.address})` : sql` and false`;
}

export function recipientCandidates(part: PlanPart, who: OneRecipient) {
  return sql`select x.org_id, x.channel, 'recipient', x.id, x.address, r.role_group, r.topic, 'none'::impact, '[]'::jsonb, '[]'::jsonb,
         x.undeliverable_at, x.undeliverable_reason, null::text
  from rules r
  join alert_recipients x on x.org_id = r.org_id and ${RECIPIENT_OF_RULE}
  where ${inIdRange(sql`x.org_id`, part)}${only(who)}`;
}

/** One address's listings (role group × channel), for the explainer (see matrixGatesSql). */
export function recipientSource(address: string): CandidateSource {
  return {
    from: sql`join alert_recipients x on x.org_id = p.org_id and lower(x.address) = lower(${address})
cross join lateral (select x.channel) as c(channel)`,
    ofRule: RECIPIENT_OF_RULE,
    roleGroup: sql`x.role_group::text`,
    gates: [],
  };
}

import { sql, type SQL } from "drizzle-orm";
import { inIdRange, type PlanPart } from "./parts";
import type { OneRecipient } from "./scope";
import type { CandidateSource } from "./matrix";

/**
 * Members of a role group, reached on the channels ticked for it: email, SMS and in-app. A branch
 * of the matrix fan-out (matrix.ts), reading its `rules` (r, the ticked cells for this job).
 */

/** A member is in a rule's role group. */
const MEMBER_OF_RULE = sql`m.role::text = r.role_group::text`;
/** Members are reached by email, SMS and in-app (Slack, Teams and webhooks are endpoints). */
const MEMBER_CHANNEL = sql`r.channel in ('email', 'sms', 'in_app')`;
/** SMS needs a phone number on the member's profile. */
const MEMBER_HAS_PHONE = sql`(r.channel <> 'sms' or u.phone is not null)`;

function only(who: OneRecipient): SQL {
  if (!who) return sql.empty();
  return "member" in who ? sql` and u.id = ${who.member}::uuid` : sql` and false`;
}

export function memberCandidates(part: PlanPart, who: OneRecipient) {
  return sql`select m.org_id, r.channel, 'member'::text as recipient_type, u.id as recipient_id,
         case when r.channel = 'sms' then u.phone else u.email end as destination,
         r.role_group, r.topic as rule_topic,
         'none'::impact as ep_min, '[]'::jsonb as ep_comps, '[]'::jsonb as ep_regs,
         null::timestamptz as und_at, null::text as und_reason, null::text as skip_reason
  from rules r
  join memberships m on m.org_id = r.org_id and ${MEMBER_OF_RULE}
  join users u on u.id = m.user_id
  where ${MEMBER_CHANNEL} and ${MEMBER_HAS_PHONE}
    and ${inIdRange(sql`m.org_id`, part)}${only(who)}`;
}

/** One member and the channels they could be reached on, for the explainer (see matrixGatesSql). */
export function memberSource(userId: string): CandidateSource {
  return {
    from: sql`join memberships m on m.org_id = p.org_id and m.user_id = ${userId}::uuid
join users u on u.id = m.user_id
cross join (values ('email'::channel), ('sms'::channel), ('in_app'::channel)) as c(channel)`,
    ofRule: MEMBER_OF_RULE,
    roleGroup: sql`m.role::text`,
    gates: [
      { gate: "member_channel", where: MEMBER_CHANNEL },
      { gate: "phone", where: MEMBER_HAS_PHONE },
    ],
  };
}

import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import { rowsOf } from "@/db/client";
import {
  escalationEvents,
  escalationPages,
  escalationPolicies,
  escalations,
  IMPACTS,
  memberships,
  organizations,
  PLATFORM_SLUG,
  type Escalation,
  type EscalationEventKind,
  type EscalationPolicy,
  type Impact,
  type Incident,
} from "@/db/schema";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit";
import { withTransaction } from "@/lib/context";
import { enqueueNotification, wakeJobDriverOnCommit } from "@/lib/alerts/outbox";
import { enqueueUserWarning } from "@/lib/alerts/user-warning";
import { signalOnCommit } from "./signals";
import { ackPath, signAckToken } from "./token";

/**
 * The escalation engine, one set of steps for both drivers. An escalation starts with nothing paged
 * (tier 0) and its first step due at once; each step pages the next tier (then the first tier
 * again, for each repeat) and is due again when that tier times out; after the last tier of the
 * last round it is marked unacknowledged and the admins are told. Acknowledging or resolving ends
 * it. Every step runs in one transaction with the escalation row locked, and each page has the key
 * (escalation, tier, round): a step run twice (a restart, a retried Inngest step) pages no one
 * twice, and a step that did not commit is simply due again.
 */

/** How long a page's acknowledge link works. */
export const ACK_LINK_TTL_MS = 24 * 60 * 60 * 1000;

const rank = (i: Impact) => IMPACTS.indexOf(i);

async function event(
  tx: Tx,
  e: Pick<Escalation, "id" | "incidentId" | "orgId">,
  kind: EscalationEventKind,
  detail: string,
  now: Date,
  extra: { tier?: number; round?: number; jobId?: string } = {},
) {
  await tx.insert(escalationEvents).values({
    escalationId: e.id,
    incidentId: e.incidentId,
    orgId: e.orgId,
    kind,
    detail,
    tier: extra.tier ?? null,
    round: extra.round ?? null,
    jobId: extra.jobId ?? null,
    createdAt: now,
  });
}

async function start(
  tx: Tx,
  policy: EscalationPolicy,
  subject: { incidentId?: string; ruleId?: string; title: string; why: string },
  now: Date,
) {
  const [row] = await tx
    .insert(escalations)
    .values({
      orgId: policy.orgId,
      policyId: policy.id,
      policyName: policy.name,
      incidentId: subject.incidentId ?? null,
      ruleId: subject.ruleId ?? null,
      title: subject.title,
      tiers: policy.tiers,
      repeatCount: policy.repeatCount,
      nextAt: now,
      createdAt: now,
    })
    // One running escalation per policy and subject (the partial unique indexes).
    .onConflictDoNothing()
    .returning();
  if (!row) return null;
  await event(
    tx,
    row,
    "started",
    `Escalation policy "${policy.name}" started: ${subject.why}`,
    now,
  );
  await recordAudit(
    tx,
    { actor: SYSTEM_ACTOR, org: { id: policy.orgId } },
    {
      action: "escalation.started",
      targetType: "escalation",
      targetId: row.id,
      data: { policyId: policy.id, incidentId: subject.incidentId, ruleId: subject.ruleId },
    },
  );
  // The embedded driver pages the first tier on its next round (woken now); Inngest on the event.
  wakeJobDriverOnCommit(tx);
  signalOnCommit(tx, { type: "started", escalationId: row.id });
  return row;
}

/**
 * An incident was opened: every enabled policy of its organization whose impact it reaches starts.
 * Called in the transaction that opens the incident, whatever opened it (console, API, rule).
 */
export async function startIncidentEscalations(tx: Tx, incident: Incident, now = new Date()) {
  const policies = await tx
    .select()
    .from(escalationPolicies)
    .where(
      and(
        eq(escalationPolicies.orgId, incident.orgId),
        eq(escalationPolicies.enabled, true),
        isNotNull(escalationPolicies.incidentMinImpact),
      ),
    );
  const started: Escalation[] = [];
  for (const p of policies) {
    if (rank(incident.impact) < rank(p.incidentMinImpact!)) continue;
    const row = await start(
      tx,
      p,
      {
        incidentId: incident.id,
        title: incident.title,
        why: `incident opened at impact ${incident.impact} (the policy pages from ${p.incidentMinImpact})`,
      },
      now,
    );
    if (row) started.push(row);
  }
  return started;
}

/** A threshold rule naming a policy fired: that policy starts (once while the rule keeps firing). */
export async function startRuleEscalation(
  tx: Tx,
  rule: { id: string; orgId: string; name: string; escalationPolicyId: string | null },
  title: string,
  now = new Date(),
) {
  if (!rule.escalationPolicyId) return null;
  const [policy] = await tx
    .select()
    .from(escalationPolicies)
    .where(
      and(
        eq(escalationPolicies.id, rule.escalationPolicyId),
        // A rule only pages its own organization's policy.
        eq(escalationPolicies.orgId, rule.orgId),
        eq(escalationPolicies.enabled, true),
      ),
    );
  if (!policy) return null;
  return start(
    tx,
    policy,
    { ruleId: rule.id, title, why: `threshold rule "${rule.name}" fired` },
    now,
  );
}

/**
 * Ends every running escalation of an incident (resolved) or a rule (recovered): nothing more is
 * paged, and links already sent acknowledge nothing.
 */
export async function stopEscalations(
  tx: Tx,
  subject: { incidentId: string } | { ruleId: string },
  reason: string,
  now = new Date(),
) {
  const stopped = await tx
    .update(escalations)
    .set({ status: "stopped", nextAt: null, endedAt: now })
    .where(
      and(
        eq(escalations.status, "active"),
        "incidentId" in subject
          ? eq(escalations.incidentId, subject.incidentId)
          : eq(escalations.ruleId, subject.ruleId),
      ),
    )
    .returning();
  for (const e of stopped) {
    await event(tx, e, "stopped", `Escalation stopped: ${reason}`, now);
    signalOnCommit(tx, { type: "stopped", escalationId: e.id });
  }
  return stopped;
}

/** The members a tier pages: those it names and every member of the role groups it names. */
async function targetUserIds(tx: Tx, orgId: string, t: Escalation["tiers"][number]["targets"]) {
  const ids = new Set(t.userIds);
  if (t.roleGroups.length) {
    const rows = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), inArray(memberships.role, t.roleGroups)));
    for (const r of rows) ids.add(r.userId);
  }
  return [...ids];
}

/** Where an escalation stands after a step (what the Inngest function waits on). */
export interface EscalationState {
  id: string;
  status: Escalation["status"];
  tier: number;
  round: number;
  /** The current tier's timeout, while active. */
  timeoutMinutes: number | null;
  nextAt: string | null;
}

const stateOf = (e: Escalation): EscalationState => ({
  id: e.id,
  status: e.status,
  tier: e.tier,
  round: e.round,
  timeoutMinutes: e.status === "active" && e.tier > 0 ? e.tiers[e.tier - 1]!.timeoutMinutes : null,
  nextAt: e.nextAt?.toISOString() ?? null,
});

/** Tells the admins an escalation ran out: the platform's, or the tenant's org admins. */
async function tellAdmins(tx: Tx, e: Escalation, now: Date) {
  const [org] = await tx
    .select({ kind: organizations.kind })
    .from(organizations)
    .where(eq(organizations.id, e.orgId));
  let orgId = e.orgId;
  let role: "platform_admin" | "org_admin" = "org_admin";
  if (org?.kind === "platform") role = "platform_admin";
  if (!org) {
    const [p] = await tx
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.slug, PLATFORM_SLUG));
    if (!p) return;
    orgId = p.id;
    role = "platform_admin";
  }
  const admins = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, role)));
  await enqueueUserWarning(tx, {
    orgId,
    userIds: admins.map((a) => a.userId),
    title: `Nobody acknowledged: ${e.title}`,
    message: `Escalation policy "${e.policyName}" paged every tier${
      e.repeatCount ? ` (${e.repeatCount + 1} rounds)` : ""
    } and nobody acknowledged. The escalation has stopped at ${now.toISOString()}.`,
    url: e.incidentId ? `/portal/incidents/${e.incidentId}` : "/portal/oncall",
    impact: "critical",
    data: { escalationId: e.id },
  });
}

/**
 * One step of an escalation, in its own transaction with the row locked. Without `expect` it runs
 * only when due (`nextAt <= now`: the embedded driver); with `expect`, only if the escalation is
 * still where the caller last saw it (the Inngest function, whose durable wait is the clock).
 */
export async function advanceEscalation(
  db: Db,
  escalationId: string,
  opts: { now?: Date; expect?: { tier: number; round: number } } = {},
): Promise<EscalationState | null> {
  const now = opts.now ?? new Date();
  return withTransaction({ db }, async (tx) => {
    const [e] = await tx
      .select()
      .from(escalations)
      .where(eq(escalations.id, escalationId))
      .for("update");
    if (!e) return null;
    if (e.status !== "active") return stateOf(e);
    if (opts.expect) {
      if (e.tier !== opts.expect.tier || e.round !== opts.expect.round) return stateOf(e);
    } else if (!e.nextAt || e.nextAt.getTime() > now.getTime()) return stateOf(e);
    return stateOf(await step(tx, e, now));
  });
}

/**
 * The embedded driver's step: every escalation due by `now`, each locked (SKIP LOCKED, so several
 * processes share them) and stepped in one transaction. Returns how many were stepped.
 */
export async function runDueEscalations(db: Db, opts: { now?: Date; limit?: number } = {}) {
  const now = opts.now ?? new Date();
  return withTransaction({ db }, async (tx) => {
    const res = await tx.execute(sql`
      select id from escalations
      where status = 'active' and next_at <= ${now.toISOString()}::timestamptz
      order by next_at limit ${opts.limit ?? 20}
      for update skip locked`);
    const ids = rowsOf<{ id: string }>(res).map((r) => r.id);
    for (const id of ids) {
      const [e] = await tx.select().from(escalations).where(eq(escalations.id, id));
      if (e) await step(tx, e, now);
    }
    return ids.length;
  });
}

/** Pages the next tier (or round), or ends the escalation unacknowledged. `e` is locked. */
async function step(tx: Tx, e: Escalation, now: Date): Promise<Escalation> {
  let tier = e.tier + 1;
  let round = e.round;
  if (tier > e.tiers.length) {
    tier = 1;
    round += 1;
  }
  if (round > e.repeatCount + 1) {
    const [ended] = await tx
      .update(escalations)
      .set({ status: "unacknowledged", nextAt: null, endedAt: now })
      .where(eq(escalations.id, e.id))
      .returning();
    await event(
      tx,
      e,
      "unacknowledged",
      `Nobody acknowledged: tier ${e.tier} timed out after ${e.tiers[e.tier - 1]?.timeoutMinutes ?? 0} minutes, the last tier${
        e.repeatCount ? ` of round ${e.round}` : ""
      }; the admins were told`,
      now,
      { tier: e.tier, round: e.round },
    );
    await tellAdmins(tx, e, now);
    await recordAudit(
      tx,
      { actor: SYSTEM_ACTOR, org: { id: e.orgId } },
      { action: "escalation.unacknowledged", targetType: "escalation", targetId: e.id },
    );
    signalOnCommit(tx, { type: "stopped", escalationId: e.id });
    return ended!;
  }
  const t = e.tiers[tier - 1]!;
  // Whole seconds: the link carries its expiry in seconds, and it must match the row's.
  const expiresAt = new Date(Math.floor((now.getTime() + ACK_LINK_TTL_MS) / 1000) * 1000);
  const [page] = await tx
    .insert(escalationPages)
    .values({ escalationId: e.id, tier, round, expiresAt, pagedAt: now })
    .onConflictDoNothing()
    .returning();
  if (page) {
    const userIds = await targetUserIds(tx, e.orgId, t.targets);
    const job = await enqueueNotification(tx, {
      orgId: e.orgId,
      kind: "oncall.page",
      payload: {
        title: e.title,
        // Pages are addressed, not routed: category and impact only word the message.
        category: "infrastructure",
        impact: "critical",
        audience: { type: "tenant", orgId: e.orgId },
        componentIds: [],
        regionIds: [],
        userIds,
        endpointIds: t.targets.endpointIds,
        incidentId: e.incidentId ?? undefined,
        message: `You are on call (${e.policyName}, tier ${tier}${round > 1 ? `, round ${round}` : ""}). Acknowledge within ${t.timeoutMinutes} minutes or the next tier is paged.`,
        url: ackPath(signAckToken(page.nonce, expiresAt)),
        ackUrl: ackPath(signAckToken(page.nonce, expiresAt)),
        data: { escalationId: e.id, policyName: e.policyName, tier, round },
      },
    });
    await tx
      .update(escalationPages)
      .set({ jobId: job.id })
      .where(
        and(
          eq(escalationPages.escalationId, e.id),
          eq(escalationPages.tier, tier),
          eq(escalationPages.round, round),
        ),
      );
    const who = `${userIds.length} member${userIds.length === 1 ? "" : "s"}${
      t.targets.endpointIds.length ? ` and ${t.targets.endpointIds.length} endpoint(s)` : ""
    }`;
    const first = tier === 1 && round === 1;
    await event(
      tx,
      e,
      first ? "paged" : "escalated",
      first
        ? `Paged tier 1 (${who}); ${t.timeoutMinutes} minutes to acknowledge`
        : e.tier > 0 && tier > 1
          ? `Tier ${e.tier} did not acknowledge within ${e.tiers[e.tier - 1]!.timeoutMinutes} minutes: paged tier ${tier} (${who})`
          : `No tier acknowledged: round ${round}, paged tier ${tier} again (${who})`,
      now,
      { tier, round, jobId: job.id },
    );
    await recordAudit(
      tx,
      { actor: SYSTEM_ACTOR, org: { id: e.orgId } },
      {
        action: "escalation.paged",
        targetType: "escalation",
        targetId: e.id,
        data: { tier, round, jobId: job.id, userIds, endpointIds: t.targets.endpointIds },
      },
    );
  }
  const [next] = await tx
    .update(escalations)
    .set({ tier, round, nextAt: new Date(now.getTime() + t.timeoutMinutes * 60_000) })
    .where(eq(escalations.id, e.id))
    .returning();
  return next!;
}

/** Active escalations nothing has paged yet (the Inngest dispatcher starts their functions). */
export async function unstartedEscalations(db: Db, limit = 100): Promise<string[]> {
  const rows = await db
    .select({ id: escalations.id })
    .from(escalations)
    .where(and(eq(escalations.status, "active"), eq(escalations.tier, 0)))
    .limit(limit);
  return rows.map((r) => r.id);
}

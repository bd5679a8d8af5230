import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Tx } from "@/db";
import {
  alertEndpoints,
  escalationEvents,
  escalationPolicies,
  escalations,
  memberships,
  users,
  type EscalationTier,
} from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { isRoleForKind, ROLE_LABELS } from "@/lib/auth/roles";
import { requirePermission, withTransaction, type Ctx } from "@/lib/context";
import { NotFoundError, parseInput, ValidationError, type FieldIssue } from "@/lib/errors";
import { parseTargetInput } from "@/lib/ids";
import { IncidentIdInput, PolicyIdInput, PolicyInput, UpdatePolicyInput } from "./schemas";

/**
 * Escalation policies: platform admins keep the platform's (which incidents page, by impact),
 * tenant org admins their own (which their threshold rules name). Every target must belong to the
 * organization: members, its role groups, its endpoints.
 */

async function checkTargets(tx: Tx, ctx: Ctx, v: PolicyInput): Promise<EscalationTier[]> {
  const issues: FieldIssue[] = [];
  if (ctx.org.kind === "tenant" && v.incidentMinImpact)
    issues.push({
      field: "incidentMinImpact",
      message:
        "only the platform's policies are started by incidents; a tenant's policy is paged by its threshold rules",
    });
  const userIds = [...new Set(v.tiers.flatMap((t) => t.userIds))];
  const endpointIds = [...new Set(v.tiers.flatMap((t) => t.endpointIds))];
  const members = userIds.length
    ? new Set(
        (
          await tx
            .select({ id: memberships.userId })
            .from(memberships)
            .where(and(eq(memberships.orgId, ctx.org.id), inArray(memberships.userId, userIds)))
        ).map((r) => r.id),
      )
    : new Set<string>();
  const endpoints = endpointIds.length
    ? new Set(
        (
          await tx
            .select({ id: alertEndpoints.id })
            .from(alertEndpoints)
            .where(
              and(eq(alertEndpoints.orgId, ctx.org.id), inArray(alertEndpoints.id, endpointIds)),
            )
        ).map((r) => r.id),
      )
    : new Set<string>();
  v.tiers.forEach((t, i) => {
    for (const u of t.userIds)
      if (!members.has(u))
        issues.push({
          field: `tiers.${i}.userIds`,
          message: `${u} is not a member of this organization`,
        });
    for (const e of t.endpointIds)
      if (!endpoints.has(e))
        issues.push({
          field: `tiers.${i}.endpointIds`,
          message: `${e} is not an endpoint of this organization`,
        });
    for (const r of t.roleGroups)
      if (!isRoleForKind(r, ctx.org.kind))
        issues.push({
          field: `tiers.${i}.roleGroups`,
          message: `${ROLE_LABELS[r]} is not a role in this organization`,
        });
  });
  if (issues.length) throw new ValidationError(issues);
  return v.tiers.map((t) => ({
    targets: { userIds: t.userIds, roleGroups: t.roleGroups, endpointIds: t.endpointIds },
    timeoutMinutes: t.timeoutMinutes,
  }));
}

export async function listPolicies({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "oncall:manage");
  return ctx.db
    .select()
    .from(escalationPolicies)
    .where(eq(escalationPolicies.orgId, ctx.org.id))
    .orderBy(asc(escalationPolicies.name));
}

/** What a policy form offers: the organization's members and endpoints. */
export async function policyTargetChoices({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "oncall:manage");
  const members = await ctx.db
    .select({ id: users.id, name: users.name, email: users.email, role: memberships.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, ctx.org.id))
    .orderBy(asc(users.email));
  const endpoints = await ctx.db
    .select({ id: alertEndpoints.id, name: alertEndpoints.name, type: alertEndpoints.type })
    .from(alertEndpoints)
    .where(eq(alertEndpoints.orgId, ctx.org.id))
    .orderBy(asc(alertEndpoints.name));
  return { members, endpoints };
}

export async function createPolicy({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "oncall:manage");
  const v = parseInput(PolicyInput, input);
  return withTransaction(ctx, async (tx) => {
    const tiers = await checkTargets(tx, ctx, v);
    const [row] = await tx
      .insert(escalationPolicies)
      .values({
        orgId: ctx.org.id,
        name: v.name,
        tiers,
        repeatCount: v.repeatCount,
        incidentMinImpact: v.incidentMinImpact,
        enabled: v.enabled,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "escalation_policy.create",
      targetType: "escalation_policy",
      targetId: row!.id,
      data: {
        name: v.name,
        tiers,
        repeatCount: v.repeatCount,
        incidentMinImpact: v.incidentMinImpact,
      },
    });
    return row!;
  });
}

async function loadPolicy(tx: Tx, ctx: Ctx, id: string) {
  const [row] = await tx
    .select()
    .from(escalationPolicies)
    .where(and(eq(escalationPolicies.id, id), eq(escalationPolicies.orgId, ctx.org.id)))
    .for("update");
  if (!row) throw new NotFoundError("Escalation policy");
  return row;
}

export async function getPolicy({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "oncall:manage");
  const { policyId } = parseTargetInput(PolicyIdInput, input, {
    field: "policyId",
    notFound: "Escalation policy",
  });
  const [row] = await ctx.db
    .select()
    .from(escalationPolicies)
    .where(and(eq(escalationPolicies.id, policyId), eq(escalationPolicies.orgId, ctx.org.id)));
  if (!row) throw new NotFoundError("Escalation policy");
  return row;
}

/** Edits apply to escalations started from now on; one already running keeps its tiers. */
export async function updatePolicy({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "oncall:manage");
  const { policyId } = parseTargetInput(PolicyIdInput, input, {
    field: "policyId",
    notFound: "Escalation policy",
  });
  const v = parseInput(UpdatePolicyInput, input);
  return withTransaction(ctx, async (tx) => {
    const before = await loadPolicy(tx, ctx, policyId);
    const tiers = await checkTargets(tx, ctx, v);
    const [row] = await tx
      .update(escalationPolicies)
      .set({
        name: v.name,
        tiers,
        repeatCount: v.repeatCount,
        incidentMinImpact: v.incidentMinImpact,
        enabled: v.enabled,
        updatedAt: new Date(),
      })
      .where(and(eq(escalationPolicies.id, before.id), eq(escalationPolicies.orgId, ctx.org.id)))
      .returning();
    await recordAudit(tx, ctx, {
      action: "escalation_policy.update",
      targetType: "escalation_policy",
      targetId: before.id,
      data: {
        before: { name: before.name, tiers: before.tiers, repeatCount: before.repeatCount },
        after: {
          name: v.name,
          tiers,
          repeatCount: v.repeatCount,
          incidentMinImpact: v.incidentMinImpact,
        },
      },
    });
    return row!;
  });
}

/** Deleting a policy leaves running escalations to finish; rules naming it page nobody. */
export async function deletePolicy({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "oncall:manage");
  const { policyId } = parseTargetInput(PolicyIdInput, input, {
    field: "policyId",
    notFound: "Escalation policy",
  });
  return withTransaction(ctx, async (tx) => {
    const before = await loadPolicy(tx, ctx, policyId);
    await tx
      .delete(escalationPolicies)
      .where(and(eq(escalationPolicies.id, before.id), eq(escalationPolicies.orgId, ctx.org.id)));
    await recordAudit(tx, ctx, {
      action: "escalation_policy.delete",
      targetType: "escalation_policy",
      targetId: before.id,
      data: { name: before.name },
    });
    return { id: before.id };
  });
}

/** The internal on-call timeline of an incident (the console; never the public page). */
export async function incidentOnCall({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "incidents:read");
  const { incidentId } = parseTargetInput(IncidentIdInput, input, {
    field: "incidentId",
    notFound: "Incident",
  });
  const rows = await ctx.db
    .select()
    .from(escalations)
    .where(and(eq(escalations.incidentId, incidentId), eq(escalations.orgId, ctx.org.id)))
    .orderBy(asc(escalations.createdAt));
  const events = await ctx.db
    .select()
    .from(escalationEvents)
    .where(and(eq(escalationEvents.incidentId, incidentId), eq(escalationEvents.orgId, ctx.org.id)))
    .orderBy(asc(escalationEvents.createdAt));
  return { escalations: rows, events };
}

/** The organization's recent escalations (the on-call page), newest first. */
export async function recentEscalations({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "oncall:manage");
  return ctx.db
    .select()
    .from(escalations)
    .where(and(eq(escalations.orgId, ctx.org.id), isNull(escalations.endedAt)))
    .orderBy(desc(escalations.createdAt))
    .limit(50);
}

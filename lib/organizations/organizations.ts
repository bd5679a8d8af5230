import { and, asc, count, eq, isNull, gt, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "@/db";
import { invitations, memberships, organizations, PLATFORM_SLUG } from "@/db/schema";
import { applyDefaultAlertSettings } from "@/lib/alerts/defaults";
import { recordAudit } from "@/lib/audit";
import { emailSchema } from "@/lib/auth/normalize";
import { requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { ConflictError, NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { idOf, parseTargetInput } from "@/lib/ids";
import { insertInvitation } from "@/lib/members/invite";
import { MAX_NAME, storable } from "@/lib/validation";

/**
 * Tenant organizations, provisioned by platform admins (`organizations:manage`): create, rename,
 * suspend and restore, and invite each tenant's first org admin. A suspended tenant keeps every
 * row; its members cannot act in it (lib/auth/session-ctx.ts), its API keys are refused
 * (lib/api-keys/keys.ts) and planning routes it nothing (lib/alerts/plan/scope.ts).
 */

export const SLUG_MIN = 2;
export const SLUG_MAX = 40;
/** Slugs that would read as Beacon's own, or as a path of the app. */
export const RESERVED_SLUGS = [
  PLATFORM_SLUG,
  "admin",
  "api",
  "app",
  "beacon",
  "portal",
  "setup",
  "signin",
  "status",
  "system",
  "www",
];
const SLUG_SHAPE = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export const slugSchema = storable(
  z
    .string({ message: "is required" })
    .trim()
    .min(SLUG_MIN, `must be at least ${SLUG_MIN} characters`)
    .max(SLUG_MAX, `must be at most ${SLUG_MAX} characters`),
)
  .refine((s) => SLUG_SHAPE.test(s), {
    message:
      "may use only lowercase letters a-z, digits and hyphens, and must start and end with a letter or digit",
    abort: true,
  })
  .refine((s) => !s.includes("--"), {
    message: "must not contain two hyphens in a row",
    abort: true,
  })
  .refine((s) => !RESERVED_SLUGS.includes(s), { message: "is reserved for Beacon itself" });

const nameSchema = storable(
  z
    .string({ message: "is required" })
    .trim()
    .min(1, "is required")
    .max(MAX_NAME, `must be at most ${MAX_NAME} characters`),
);

export const CreateOrganizationInput = z.object({ slug: slugSchema, name: nameSchema });
export const UpdateOrganizationInput = z.object({
  id: idOf("organization"),
  name: nameSchema.optional(),
  suspended: z.boolean({ message: "must be true or false" }).optional(),
});
const OrganizationIdInput = z.object({ id: idOf("organization") });
export const InviteOrgAdminInput = z.object({ id: idOf("organization"), email: emailSchema });

const TARGET = { field: "id", notFound: "Organization" };
const TAKEN = "is already used by another organization";

function isUniqueViolation(e: unknown): boolean {
  for (let x: unknown = e; x && typeof x === "object"; x = (x as { cause?: unknown }).cause) {
    if ((x as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

export interface TenantSummary {
  id: string;
  slug: string;
  name: string;
  suspendedAt: Date | null;
  createdAt: Date;
  members: number;
  pendingInvitations: number;
}

/** Every tenant organization, by name, with its member and pending-invitation counts. */
export async function listOrganizations({ ctx }: { ctx: Ctx }): Promise<TenantSummary[]> {
  requirePermission(ctx, "organizations:manage");
  const memberCounts = ctx.db
    .select({ orgId: memberships.orgId, n: count().as("n") })
    .from(memberships)
    .groupBy(memberships.orgId)
    .as("mc");
  const pending = ctx.db
    .select({ orgId: invitations.orgId, p: count().as("p") })
    .from(invitations)
    .where(
      and(
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, sql`now()`),
      ),
    )
    .groupBy(invitations.orgId)
    .as("pi");
  const rows = await ctx.db
    .select({
      id: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      suspendedAt: organizations.suspendedAt,
      createdAt: organizations.createdAt,
      members: sql<number>`coalesce(${memberCounts.n}, 0)::int`,
      pendingInvitations: sql<number>`coalesce(${pending.p}, 0)::int`,
    })
    .from(organizations)
    .leftJoin(memberCounts, eq(memberCounts.orgId, organizations.id))
    .leftJoin(pending, eq(pending.orgId, organizations.id))
    .where(eq(organizations.kind, "tenant"))
    .orderBy(asc(organizations.name), asc(organizations.slug));
  return rows.map((r) => ({
    ...r,
    members: Number(r.members),
    pendingInvitations: Number(r.pendingInvitations),
  }));
}

async function loadTenant(tx: Tx | Ctx["db"], id: string, lock = false) {
  const q = tx
    .select()
    .from(organizations)
    .where(and(eq(organizations.id, id), eq(organizations.kind, "tenant")));
  const [row] = lock ? await q.for("update") : await q;
  if (!row) throw new NotFoundError("Organization");
  return row;
}

export async function getOrganization({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "organizations:manage");
  const { id } = parseTargetInput(OrganizationIdInput, input, TARGET);
  const all = await listOrganizations({ ctx });
  const found = all.find((o) => o.id === id);
  if (!found) throw new NotFoundError("Organization");
  return found;
}

/** Creates a tenant with the seed's default alert settings. A refused slug says why. */
export async function createOrganization({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "organizations:manage");
  const { slug, name } = parseInput(CreateOrganizationInput, input);
  try {
    return await withTransaction(ctx, async (tx) => {
      const [taken] = await tx
        .select({ id: organizations.id })
        .from(organizations)
        .where(eq(organizations.slug, slug));
      if (taken) throw new ValidationError([{ field: "slug", message: TAKEN }]);
      const [org] = await tx
        .insert(organizations)
        .values({ slug, name, kind: "tenant" })
        .returning();
      await applyDefaultAlertSettings(tx, org!.id);
      await recordAudit(tx, ctx, {
        action: "organization.created",
        targetType: "organization",
        targetId: org!.id,
        data: { slug, name },
      });
      return org!;
    });
  } catch (e) {
    // Two creations of one slug at once: the unique index refuses the second.
    if (isUniqueViolation(e)) throw new ValidationError([{ field: "slug", message: TAKEN }]);
    throw e;
  }
}

/** Renames and/or suspends or restores a tenant (`{ id, name?, suspended? }`); nothing is deleted. */
export async function updateOrganization({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "organizations:manage");
  const { id, name, suspended } = parseTargetInput(UpdateOrganizationInput, input, TARGET);
  return withTransaction(ctx, async (tx) => {
    const before = await loadTenant(tx, id, true);
    const change: { name?: string; suspendedAt?: Date | null } = {};
    if (name !== undefined && name !== before.name) change.name = name;
    if (suspended === true && !before.suspendedAt) change.suspendedAt = new Date();
    if (suspended === false && before.suspendedAt) change.suspendedAt = null;
    if (Object.keys(change).length === 0) return before;
    const [after] = await tx
      .update(organizations)
      .set(change)
      .where(eq(organizations.id, id))
      .returning();
    const target = { targetType: "organization", targetId: id };
    if (change.name !== undefined) {
      await recordAudit(tx, ctx, {
        action: "organization.renamed",
        ...target,
        data: { from: before.name, to: change.name },
      });
    }
    if (change.suspendedAt !== undefined) {
      const action = change.suspendedAt ? "organization.suspended" : "organization.restored";
      // In the platform's log and the tenant's own, so its admins can see why they were locked out.
      await recordAudit(tx, ctx, { action, ...target, data: { slug: before.slug } });
      await recordAudit(
        tx,
        { actor: ctx.actor, org: { id } },
        { action, ...target, data: { slug: before.slug } },
      );
    }
    return after!;
  });
}

/**
 * Invites a tenant's org admin (its first, typically) through the usual invitation flow: the
 * invited address is proven by an emailed link before an account exists. Returns the invitation
 * and its one-time token for the caller to email (lib/members/invitation-email.ts).
 */
export async function inviteOrgAdmin({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "organizations:manage");
  const { id, email } = parseTargetInput(InviteOrgAdminInput, input, TARGET);
  return withTransaction(ctx, async (tx) => {
    const org = await loadTenant(tx, id);
    if (org.suspendedAt) {
      throw new ConflictError(`${org.name} is suspended: restore it before inviting anyone`);
    }
    const out = await insertInvitation(tx, org.id, {
      email,
      role: "org_admin",
      invitedBy: ctx.actor.type === "user" ? ctx.actor.id : null,
    });
    const entry = {
      action: "member.invited",
      targetType: "invitation",
      targetId: out.invitation.id,
      data: { email, role: "org_admin", orgId: org.id, orgSlug: org.slug },
    };
    await recordAudit(tx, ctx, entry);
    await recordAudit(tx, { actor: ctx.actor, org: { id: org.id } }, entry);
    return { ...out, org };
  });
}

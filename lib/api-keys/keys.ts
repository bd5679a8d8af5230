import { and, asc, desc, eq, isNull, lt, or } from "drizzle-orm";
import { z } from "zod";
import { storable } from "@/lib/validation";
import type { Db, Tx } from "@/db";
import { apiKeys, organizations } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { permissionsFor, ROLES, type Role } from "@/lib/auth/roles";
import { randomToken, sha256 } from "@/lib/auth/tokens";
import { assertRoleForOrg, requirePermission, type Ctx, withTransaction } from "@/lib/context";
import { ForbiddenError, NotFoundError, parseInput, UnauthorizedError } from "@/lib/errors";
import { enqueueUserWarning } from "@/lib/alerts/user-warning";

export const API_KEY_PREFIX = "bk_";

export const CreateApiKeyInput = z.object({
  name: storable(
    z
      .string({ message: "is required" })
      .trim()
      .min(1, "is required")
      .max(100, "must be at most 100 characters"),
  ),
  role: z.enum(ROLES, { message: `must be one of ${ROLES.join(", ")}` }),
});
const RevokeApiKeyInput = z.object({ apiKeyId: z.uuid({ message: "must be an id" }) });

/** Creates a key; the secret is returned here once and stored only as a hash. */
export async function createApiKey({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "apikeys:manage");
  const { name, role } = parseInput(CreateApiKeyInput, input);
  assertRoleForOrg(ctx, role);
  const secret = `${API_KEY_PREFIX}${randomToken(32)}`;
  const apiKey = await withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({
        orgId: ctx.org.id,
        name,
        role,
        prefix: secret.slice(0, 10),
        keyHash: sha256(secret),
        createdBy: ctx.actor.type === "user" ? ctx.actor.id : null,
      })
      .returning();
    await recordAudit(tx, ctx, {
      action: "api_key.created",
      targetType: "api_key",
      targetId: row!.id,
      data: { name, role },
    });
    return row!;
  });
  return { apiKey: publicKey(apiKey), secret };
}

function publicKey(k: typeof apiKeys.$inferSelect) {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    prefix: k.prefix,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
  };
}

export async function listApiKeys({ ctx }: { ctx: Ctx }) {
  requirePermission(ctx, "apikeys:manage");
  const rows = await ctx.db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.orgId, ctx.org.id))
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(publicKey);
}

/**
 * Revokes a key. When someone other than its creator does it, the creator gets a user-level
 * warning: whatever they wired the key into starts failing with 401, and they may not know why.
 */
export async function revokeApiKey({ ctx, input }: { ctx: Ctx; input: unknown }) {
  requirePermission(ctx, "apikeys:manage");
  const { apiKeyId } = parseInput(RevokeApiKeyInput, input);
  await withTransaction(ctx, async (tx) => {
    const [row] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(
        and(eq(apiKeys.id, apiKeyId), eq(apiKeys.orgId, ctx.org.id), isNull(apiKeys.revokedAt)),
      )
      .returning();
    if (!row) throw new NotFoundError("API key");
    await recordAudit(tx, ctx, {
      action: "api_key.revoked",
      targetType: "api_key",
      targetId: row.id,
      data: { name: row.name },
    });
    const byCreator = ctx.actor.type === "user" && ctx.actor.id === row.createdBy;
    if (!row.createdBy || byCreator) return;
    const who =
      ctx.actor.type === "user"
        ? ctx.actor.name || ctx.actor.email
        : ctx.actor.type === "api_key"
          ? `The API key "${ctx.actor.name}"`
          : "Beacon";
    await enqueueUserWarning(tx, {
      orgId: ctx.org.id,
      userIds: [row.createdBy],
      title: `API key "${row.name}" was revoked`,
      message: `${who} revoked the API key "${row.name}" (${row.prefix}…) that you created. Requests that use it are now refused with 401; create a new key if the integration still needs access.`,
      url: "/portal/api-keys",
      data: { apiKeyId: row.id },
    });
  });
}

/** Whether a member with this role may create API keys, and so keep those they created. */
export function keepsApiKeys(role: Role): boolean {
  return permissionsFor(role).has("apikeys:manage");
}

/** A key as the members page names it before it is revoked. */
export interface CreatorKey {
  id: string;
  name: string;
  prefix: string;
}

/**
 * The organization's active keys by the member who created them: what removing or demoting that
 * member would revoke, listed in the confirmation beforehand. Keys without a creator (made with
 * `npm run apikey`, or whose creator's account is gone) belong to nobody and are not listed.
 */
export async function apiKeysByCreator({
  ctx,
}: {
  ctx: Ctx;
}): Promise<Record<string, CreatorKey[]>> {
  requirePermission(ctx, "members:manage");
  const rows = await ctx.db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdBy: apiKeys.createdBy,
    })
    .from(apiKeys)
    .where(and(eq(apiKeys.orgId, ctx.org.id), isNull(apiKeys.revokedAt)))
    .orderBy(asc(apiKeys.createdAt));
  const out: Record<string, CreatorKey[]> = {};
  for (const { createdBy, ...key } of rows) {
    if (createdBy) (out[createdBy] ??= []).push(key);
  }
  return out;
}

/** "These API keys will be revoked: Deploy bot (bk_a1b2c3d…), …." or "" when there are none. */
export function keysRevokedNotice(keys: readonly Pick<CreatorKey, "name" | "prefix">[]): string {
  if (keys.length === 0) return "";
  return `These API keys will be revoked: ${keys.map((k) => `${k.name} (${k.prefix}…)`).join(", ")}.`;
}

/**
 * Revokes, inside the caller's transaction, the active keys `userId` created for the caller's
 * organization, with an audit row each: a member who is removed, or demoted to a role that may
 * not create keys, leaves no key behind acting with the powers they no longer have. Returns the
 * ids revoked. Part of the members verbs (which check members:manage), not a verb itself.
 */
export async function revokeKeysCreatedBy(
  tx: Tx,
  ctx: Ctx,
  userId: string,
  reason: "member_removed" | "member_demoted",
): Promise<string[]> {
  const revoked = await tx
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(
      and(eq(apiKeys.orgId, ctx.org.id), eq(apiKeys.createdBy, userId), isNull(apiKeys.revokedAt)),
    )
    .returning({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix });
  for (const k of revoked) {
    await recordAudit(tx, ctx, {
      action: "api_key.revoked",
      targetType: "api_key",
      targetId: k.id,
      data: { name: k.name, prefix: k.prefix, reason, createdBy: userId },
    });
  }
  // A demoted member is still here, and whatever they wired the keys into starts failing: tell
  // them why (a removed member is no longer the organization's to tell).
  const bySelf = ctx.actor.type === "user" && ctx.actor.id === userId;
  if (reason === "member_demoted" && revoked.length > 0 && !bySelf) {
    const names = revoked.map((k) => `"${k.name}" (${k.prefix}…)`).join(", ");
    await enqueueUserWarning(tx, {
      orgId: ctx.org.id,
      userIds: [userId],
      title: revoked.length === 1 ? "Your API key was revoked" : "Your API keys were revoked",
      message: `Your role in ${ctx.org.name} changed to one that may not manage API keys, so the API ${revoked.length === 1 ? "key" : "keys"} you created there, ${names}, ${revoked.length === 1 ? "was" : "were"} revoked. Requests that use ${revoked.length === 1 ? "it" : "them"} are now refused with 401; ask an org admin for a new key if the integration still needs access.`,
      url: "/portal",
      data: { apiKeyIds: revoked.map((k) => k.id) },
    });
  }
  return revoked.map((k) => k.id);
}

const TOUCH_INTERVAL_MS = 60_000;

/** Resolves `Authorization: Bearer bk_...` to a context; any problem is a 401 with one message. */
export async function authenticateApiKey(db: Db, authorization: string | null): Promise<Ctx> {
  const match = authorization?.match(/^Bearer\s+(\S+)$/i);
  const secret = match?.[1];
  if (!secret || !secret.startsWith(API_KEY_PREFIX)) {
    throw new UnauthorizedError("Send an API key as 'Authorization: Bearer bk_...'");
  }
  const [row] = await db
    .select({ key: apiKeys, org: organizations })
    .from(apiKeys)
    .innerJoin(organizations, eq(organizations.id, apiKeys.orgId))
    .where(and(eq(apiKeys.keyHash, sha256(secret)), isNull(apiKeys.revokedAt)));
  if (!row) throw new UnauthorizedError("The API key is not valid or has been revoked");
  if (row.org.suspendedAt) {
    // The key is right, so say why it is refused; nothing about it has changed.
    throw new ForbiddenError(
      `The organization ${row.org.name} is suspended: its API keys are refused until a platform admin restores it`,
    );
  }
  const now = new Date();
  // Recording use at most once a minute keeps busy keys from writing on every request.
  await db
    .update(apiKeys)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(apiKeys.id, row.key.id),
        or(
          isNull(apiKeys.lastUsedAt),
          lt(apiKeys.lastUsedAt, new Date(now.getTime() - TOUCH_INTERVAL_MS)),
        ),
      ),
    );
  return {
    db,
    actor: { type: "api_key", id: row.key.id, name: row.key.name },
    org: { id: row.org.id, slug: row.org.slug, name: row.org.name, kind: row.org.kind },
    role: row.key.role,
    permissions: permissionsFor(row.key.role),
  };
}

import { and, asc, eq, isNull } from "drizzle-orm";
import { LRUCache } from "lru-cache";
import type { Db } from "@/db";
import { memberships, organizations, users } from "@/db/schema";
import type { Ctx } from "@/lib/context";
import { permissionsFor } from "./roles";

export interface UserOrg {
  orgId: string;
  slug: string;
  name: string;
  kind: "platform" | "tenant";
  role: Ctx["role"];
}

export async function listUserOrgs(db: Db, userId: string): Promise<UserOrg[]> {
  return db
    .select({
      orgId: organizations.id,
      slug: organizations.slug,
      name: organizations.name,
      kind: organizations.kind,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(eq(memberships.userId, userId), isNull(organizations.suspendedAt)))
    .orderBy(asc(organizations.kind), asc(organizations.name));
}

/**
 * Why a user who proved their password still cannot sign in: every organization they belong to
 * is suspended (the message names them), or null when they have one to act in, or none at all.
 */
export async function suspendedSignInRefusal(db: Db, userId: string): Promise<string | null> {
  const rows = await db
    .select({ name: organizations.name, suspendedAt: organizations.suspendedAt })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(organizations.name));
  if (rows.length === 0 || rows.some((r) => !r.suspendedAt)) return null;
  const names = rows.map((r) => r.name).join(", ");
  return `${names} ${rows.length === 1 ? "is" : "are"} suspended, so you cannot sign in to ${rows.length === 1 ? "it" : "them"}. Contact the status page operator.`;
}

export async function isMember(db: Db, userId: string, orgId: string): Promise<boolean> {
  const rows = await db
    .select({ id: memberships.id })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(
      and(
        eq(memberships.userId, userId),
        eq(memberships.orgId, orgId),
        isNull(organizations.suspendedAt),
      ),
    );
  return rows.length > 0;
}

/**
 * The context for a signed-in user. The role and permissions are read from the database on every
 * request (not trusted from the session token), so a changed role or a removed membership takes
 * effect at once. Falls back to the user's first organization when the preferred one is gone.
 * Given the session's epoch (`sessionEpoch`), a session issued before the user's current epoch
 * is refused (null, as if signed out); the check rides on the same query, so it costs nothing.
 * A suspended tenant is never the context: its members act in their other organizations, or in
 * none (null, as if signed out).
 */
export async function loadUserCtx(
  db: Db,
  userId: string,
  preferredOrgId: string | undefined,
  { sessionEpoch }: { sessionEpoch?: number } = {},
): Promise<Ctx | null> {
  const rows = await db
    .select({ m: memberships, o: organizations, u: users })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.userId, userId), isNull(organizations.suspendedAt)))
    .orderBy(asc(organizations.kind), asc(organizations.name));
  const row = rows.find((r) => r.o.id === preferredOrgId) ?? rows[0];
  if (!row) return null;
  if (sessionEpoch !== undefined && row.u.sessionEpoch > sessionEpoch) return null;
  return {
    db,
    actor: { type: "user", id: row.u.id, email: row.u.email, name: row.u.name },
    org: { id: row.o.id, slug: row.o.slug, name: row.o.name, kind: row.o.kind },
    role: row.m.role,
    permissions: permissionsFor(row.m.role, row.m.grants),
  };
}

/** How long a read-only page trusts a looked-up membership before looking again. */
export const BRIEF_CTX_MS = 10_000;

interface BriefEntry {
  at: number;
  ctx: Ctx | null;
  loading?: Promise<Ctx | null>;
}
const briefly = ((
  globalThis as unknown as { __beaconBriefCtx?: LRUCache<string, BriefEntry> }
).__beaconBriefCtx ??= new LRUCache<string, BriefEntry>({ max: 10_000 }));

/**
 * `loadUserCtx`, remembered for BRIEF_CTX_MS, for the status page only (read-only, hammered when
 * everyone opens it during an outage): a role change or a removed membership shows there within
 * that time instead of at once. When the database fails, the last context read is used, so a
 * signed-in member keeps their page during a database outage. Never use it to authorize a change:
 * actions and the portal use `loadUserCtx`, read on every request.
 */
export function loadUserCtxBriefly(
  db: Db,
  userId: string,
  preferredOrgId: string | undefined,
  { sessionEpoch }: { sessionEpoch: number },
): Promise<Ctx | null> {
  // The session's epoch is part of the key: a session the user's epoch has moved past is refused
  // here too (within BRIEF_CTX_MS), so it cannot keep reading a tenant's tenant-only incidents.
  const key = `${userId}:${preferredOrgId ?? ""}:${sessionEpoch}`;
  const hit = briefly.get(key);
  if (hit && Date.now() - hit.at < BRIEF_CTX_MS) return Promise.resolve(hit.ctx);
  if (hit?.loading) return hit.loading;
  const loading = loadUserCtx(db, userId, preferredOrgId, { sessionEpoch }).then(
    (ctx) => {
      briefly.set(key, { at: Date.now(), ctx });
      return ctx;
    },
    (e: unknown) => {
      if (!hit) {
        briefly.delete(key);
        throw e;
      }
      // The database is failing: keep the last answer, and try again after a short while.
      hit.loading = undefined;
      hit.at = Date.now() - BRIEF_CTX_MS + 2_000;
      return hit.ctx;
    },
  );
  if (hit) hit.loading = loading;
  else briefly.set(key, { at: 0, ctx: null, loading });
  return loading;
}

import { and, asc, eq } from "drizzle-orm";
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
    .where(eq(memberships.userId, userId))
    .orderBy(asc(organizations.kind), asc(organizations.name));
}

export async function isMember(db: Db, userId: string, orgId: string): Promise<boolean> {
  const rows = await db
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.orgId, orgId)));
  return rows.length > 0;
}

/**
 * The context for a signed-in user. The role and permissions are read from the database on every
 * request (not trusted from the session token), so a changed role or a removed membership takes
 * effect at once. Falls back to the user's first organization when the preferred one is gone.
 * Given the session's epoch (`sessionEpoch`), a session issued before the user's current epoch
 * is refused (null, as if signed out); the check rides on the same query, so it costs nothing.
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
    .where(eq(memberships.userId, userId))
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

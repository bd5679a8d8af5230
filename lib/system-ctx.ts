import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { organizations } from "@/db/schema";
import { NotFoundError } from "./errors";
import type { Ctx } from "./context";
import { permissionsFor, type Role } from "./auth/roles";

/** A context for operator scripts and background work, acting as "system" with a given role. */
export async function systemCtx(db: Db, orgSlug: string, role: Role): Promise<Ctx> {
  const [org] = await db.select().from(organizations).where(eq(organizations.slug, orgSlug));
  if (!org) throw new NotFoundError(`Organization "${orgSlug}"`);
  return {
    db,
    actor: { type: "system" },
    org: { id: org.id, slug: org.slug, name: org.name, kind: org.kind },
    role,
    permissions: permissionsFor(role),
  };
}

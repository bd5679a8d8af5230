import { eq } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import { organizations, PLATFORM_SLUG } from "@/db/schema";
import { requirePermission, type Ctx } from "@/lib/context";
import { NotFoundError } from "@/lib/errors";

/**
 * Public subscribers belong to the status page, which is the platform organization's. Staff
 * verbs check the permission, then that the session's organization is that platform
 * organization: a tenant never learns that any subscriber exists, even with a misconfigured role.
 */
export function requireSubscriberAdmin(ctx: Ctx): void {
  requirePermission(ctx, "subscribers:manage");
  if (ctx.org.kind !== "platform" || ctx.org.slug !== PLATFORM_SLUG)
    throw new NotFoundError("Subscriber");
}

/** What an audit row keeps of an email address: enough to recognise it, not to mail it. */
export function maskEmail(email: string): string {
  const [local = "", domain = ""] = email.split("@");
  return `${local.slice(0, 1)}***@${domain}`;
}

/** The organization that owns the status page (and so its subscribers' mail and audit rows). */
export async function platformOrgId(db: Db | Tx): Promise<string | null> {
  const [o] = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.slug, PLATFORM_SLUG));
  return o?.id ?? null;
}

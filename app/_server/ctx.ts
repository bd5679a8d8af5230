import "server-only";
import { cache } from "react";
import { forbidden, redirect } from "next/navigation";
import { getDb } from "@/server/database";
import { loadUserCtx } from "@/lib/auth/session-ctx";
import type { Permission } from "@/lib/auth/roles";
import { can, type Ctx } from "@/lib/context";
import { ConflictError, toActionResult, UnauthorizedError, type ActionResult } from "@/lib/errors";
import { auth } from "./auth";

/**
 * The signed-in user's context for this request, or null. Cached per request. A session issued
 * before the user's current session epoch (a password change, a membership removed, the address
 * first proven since) counts as signed out.
 */
export const getSessionCtx = cache(async (): Promise<Ctx | null> => {
  const session = await auth();
  if (!session?.user?.id) return null;
  return loadUserCtx(await getDb(), session.user.id, session.orgId, {
    sessionEpoch: typeof session.epoch === "number" ? session.epoch : 0,
  });
});

/** For pages: sends a visitor to sign-in, and answers 403 to a role without the permission. */
export async function requirePageCtx(permission?: Permission, from = "/portal"): Promise<Ctx> {
  const ctx = await getSessionCtx();
  if (!ctx) redirect(`/signin?callbackUrl=${encodeURIComponent(from)}`);
  if (permission && !can(ctx, permission)) forbidden();
  return ctx;
}

/**
 * For server actions: runs the verb with the session's context and maps its typed errors.
 * The verb checks its own permission; this only establishes who is asking. Given the submitted
 * form, it also refuses to act when the form was rendered for another organization than the
 * session's (the user switched organization in another tab since the page was loaded).
 */
export async function runAction<T>(
  fn: (ctx: Ctx) => Promise<T>,
  message?: string,
  form?: FormData,
): Promise<ActionResult<T>> {
  try {
    const ctx = await getSessionCtx();
    if (!ctx) throw new UnauthorizedError("Your session has ended; sign in again");
    const formOrg = form?.get("_org");
    if (typeof formOrg === "string" && formOrg !== ctx.org.id) {
      throw new ConflictError(
        `This page was opened for another organization; you have since switched to ${ctx.org.name}. Reload the page and try again.`,
      );
    }
    return { ok: true, data: await fn(ctx), message };
  } catch (e) {
    return toActionResult(e, form);
  }
}

"use server";

import { AuthError } from "next-auth";
import { signIn, unstable_update } from "@/app/_server/auth";
import { getDb } from "@/db";
import { acceptInvitation } from "@/lib/members/accept-invitation";
import { toActionResult, type ActionResult } from "@/lib/errors";

export async function acceptInvitationAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<null>> {
  const password = String(form.get("password") ?? "");
  let accepted: { email: string; orgId: string };
  try {
    accepted = await acceptInvitation({
      db: await getDb(),
      input: {
        token: form.get("token"),
        name: form.get("name") ? String(form.get("name")) : undefined,
        password,
      },
    });
  } catch (e) {
    return toActionResult(e);
  }
  try {
    await signIn("credentials", { email: accepted.email, password, redirect: false });
    await unstable_update({ orgId: accepted.orgId });
  } catch (e) {
    if (e instanceof AuthError)
      return { ok: true, data: null, message: "You have joined. Sign in to continue." };
    throw e;
  }
  return { ok: true, data: null, message: "Welcome aboard." };
}

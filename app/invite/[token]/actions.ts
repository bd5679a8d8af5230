"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { signIn, unstable_update } from "@/app/_server/auth";
import { getSessionCtx } from "@/app/_server/ctx";
import { runPublicFormAction } from "@/app/_server/form";
import { getDb } from "@/server/database";
import { acceptInvitation } from "@/lib/members/accept-invitation";
import type { ActionResult } from "@/lib/errors";

export async function acceptInvitationAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<null>> {
  const ctx = await getSessionCtx();
  const signedInUserId = ctx?.actor.type === "user" ? ctx.actor.id : undefined;
  const accepted = await runPublicFormAction(form, {
    input: (f) => ({
      token: f.text("token"),
      name: f.optional("name"),
      password: f.optional("password"),
    }),
    run: async (input) => {
      const joined = await acceptInvitation({ db: await getDb(), signedInUserId, input });
      return { ok: true as const, ...joined, password: input.password };
    },
  });
  if (!accepted.ok) return accepted;
  try {
    if (signedInUserId) {
      await unstable_update({ orgId: accepted.orgId });
    } else {
      // Signing in with orgId starts the session in the organization just joined.
      await signIn("credentials", {
        email: accepted.email,
        password: accepted.password,
        orgId: accepted.orgId,
        redirect: false,
      });
    }
  } catch (e) {
    if (e instanceof AuthError) {
      return { ok: true, data: null, message: "You have joined. Sign in to continue." };
    }
    throw e;
  }
  // The invitation is used up, so this page would now be a 404: go straight to the new organization.
  redirect("/portal");
}

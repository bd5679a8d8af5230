"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { signIn } from "@/app/_server/auth";
import { runPublicFormAction } from "@/app/_server/form";
import { getDb } from "@/server/database";
import { createAccountFromInvitation } from "@/lib/members/accept-invitation";
import type { ActionResult } from "@/lib/errors";

/** Creates the account of someone who followed the link emailed to the invited address. */
export async function createInvitedAccountAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<null>> {
  const created = await runPublicFormAction(form, {
    input: (f) => ({ code: f.text("code"), name: f.text("name"), password: f.text("password") }),
    run: async (input) => ({
      ok: true as const,
      ...(await createAccountFromInvitation({ db: await getDb(), input })),
      password: input.password,
    }),
  });
  if (!created.ok) return created;
  try {
    // Signing in with orgId starts the session in the organization just joined.
    await signIn("credentials", {
      email: created.email,
      password: created.password,
      orgId: created.orgId,
      redirect: false,
    });
  } catch (e) {
    if (e instanceof AuthError) {
      return { ok: true, data: null, message: "You have joined. Sign in to continue." };
    }
    throw e;
  }
  redirect("/portal");
}

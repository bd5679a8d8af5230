"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { signIn } from "@/app/_server/auth";
import { runPublicFormAction } from "@/app/_server/form";
import { getDb } from "@/server/database";
import { resetPassword } from "@/lib/members/password-reset";
import type { ActionResult } from "@/lib/errors";

/**
 * Sets a new password from the emailed link. Every session of the account ends; this one signs
 * the person in with the new password, or sends them to sign in when that is refused.
 */
export async function resetPasswordAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<null>> {
  const done = await runPublicFormAction(form, {
    input: (f) => ({ token: f.text("token"), password: f.text("password") }),
    run: async (input) => ({
      ok: true as const,
      ...(await resetPassword({ db: await getDb(), input })),
      password: input.password,
    }),
  });
  if (!done.ok) return done;
  try {
    await signIn("credentials", { email: done.email, password: done.password, redirect: false });
  } catch (e) {
    if (e instanceof AuthError) {
      return { ok: true, data: null, message: "Your password is set. Sign in with it." };
    }
    throw e;
  }
  redirect("/portal");
}

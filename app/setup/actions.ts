"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { signIn } from "@/app/_server/auth";
import { runPublicFormAction } from "@/app/_server/form";
import { getDb } from "@/server/database";
import { completeSetup } from "@/lib/setup/setup";
import type { ActionResult } from "@/lib/errors";

/**
 * First run: creates the first platform admin with the setup link's token, then signs them in
 * (or, if that fails, sends them to sign-in). Refused (404) once any platform admin exists.
 */
export async function completeSetupAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<null>> {
  const done = await runPublicFormAction(form, {
    input: (f) => ({
      token: f.text("token"),
      email: f.text("email"),
      name: f.text("name"),
      password: f.text("password"),
      pageName: f.text("pageName"),
    }),
    run: async (input) => ({
      ok: true as const,
      ...(await completeSetup({ db: await getDb(), input, via: "link" })),
      password: input.password,
    }),
  });
  if (!done.ok) return done;
  try {
    await signIn("credentials", { email: done.email, password: done.password, redirect: false });
  } catch (e) {
    if (e instanceof AuthError) redirect("/signin?callbackUrl=%2Fportal");
    throw e;
  }
  redirect("/portal");
}

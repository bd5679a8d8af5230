"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { signOut, unstable_update } from "@/app/_server/auth";
import { getSessionCtx } from "@/app/_server/ctx";
import { formFields } from "@/app/_server/form";
import { getDb } from "@/server/database";
import { isMember } from "@/lib/auth/session-ctx";

export async function switchOrganization(form: FormData) {
  const ctx = await getSessionCtx();
  if (!ctx || ctx.actor.type !== "user") redirect("/signin");
  const orgId = z.uuid().safeParse(formFields(form).text("orgId"));
  // Only an organization the user belongs to; the jwt callback checks again.
  if (orgId.success && (await isMember(await getDb(), ctx.actor.id, orgId.data))) {
    await unstable_update({ orgId: orgId.data });
  }
  redirect("/portal");
}

export async function signOutAction() {
  await signOut({ redirectTo: "/" });
}

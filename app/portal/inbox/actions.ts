"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/app/_server/ctx";
import { markInboxRead } from "@/lib/alerts/inbox";

export async function markReadAction(_prev: unknown, form: FormData) {
  const id = form.get("id");
  const r = await runAction(
    (ctx) => markInboxRead({ ctx, input: { id: id || undefined } }),
    "Marked as read.",
    form,
  );
  revalidatePath("/portal/inbox");
  return r;
}

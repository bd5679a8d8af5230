"use server";

import { revalidatePath } from "next/cache";
import { runFormAction } from "@/app/_server/form";
import { markInboxRead } from "@/lib/alerts/inbox";

export async function markReadAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    // No id: mark every unread item read.
    input: (f) => ({ id: f.optional("id") }),
    verb: markInboxRead,
    message: "Marked as read.",
  });
  revalidatePath("/portal/inbox");
  return r;
}

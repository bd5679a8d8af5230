"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/app/_server/ctx";
import { updateMyNotifications } from "@/lib/members/my-notifications";

/** Saves the signed-in member's own choices; whose they are comes from the session, not the form. */
export async function saveMyNotificationsAction(_prev: unknown, form: FormData) {
  const result = await runAction(
    (ctx) =>
      updateMyNotifications({
        ctx,
        input: {
          phone: String(form.get("phone") ?? ""),
          warningEmail: form.get("warningEmail") === "on",
          warningSms: form.get("warningSms") === "on",
        },
      }),
    "Your notification settings are saved.",
    // The opt-in is per organization: refuse a form rendered for another one.
    form,
  );
  revalidatePath("/portal/profile");
  return result;
}

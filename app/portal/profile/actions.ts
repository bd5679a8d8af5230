"use server";

import { revalidatePath } from "next/cache";
import { runFormAction } from "@/app/_server/form";
import { updateMyNotifications } from "@/lib/members/my-notifications";

/**
 * Saves the signed-in member's own choices; whose they are comes from the session, not the form.
 * The opt-in is per organization: runFormAction refuses a form rendered for another one.
 */
export async function saveMyNotificationsAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: (f) => ({
      phone: f.text("phone") ?? "",
      warningEmail: f.checked("warningEmail"),
      warningSms: f.checked("warningSms"),
    }),
    verb: updateMyNotifications,
    message: "Your notification settings are saved.",
  });
  revalidatePath("/portal/profile");
  return result;
}

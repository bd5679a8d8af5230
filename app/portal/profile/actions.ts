"use server";

import { AuthError } from "next-auth";
import { revalidatePath } from "next/cache";
import { signIn } from "@/app/_server/auth";
import { formFields, runFormAction } from "@/app/_server/form";
import { changeMyName } from "@/lib/members/change-name";
import { changeMyPassword } from "@/lib/members/change-password";
import { updateMyNotifications } from "@/lib/members/my-notifications";
import type { ActionResult } from "@/lib/errors";

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

/**
 * Changes the signed-in person's password. That ends every session issued before, this one
 * included, so the action signs them in again with the new password.
 */
export async function changePasswordAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<null>> {
  const fields = formFields(form);
  const newPassword = fields.text("newPassword");
  const result = await runFormAction(form, {
    input: (f) => ({ currentPassword: f.optional("currentPassword"), newPassword }),
    verb: changeMyPassword,
    result: async ({ email }, ctx) => {
      try {
        await signIn("credentials", {
          email,
          password: newPassword,
          orgId: ctx.org.id,
          redirect: false,
        });
      } catch (e) {
        if (!(e instanceof AuthError)) throw e;
      }
      return null;
    },
    message: "Your password is changed, and every other session of yours is signed out.",
  });
  revalidatePath("/portal/profile");
  return result;
}

/** Changes the signed-in person's own name; whose it is comes from the session, not the form. */
export async function changeNameAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: (f) => ({ name: f.text("name") }),
    verb: changeMyName,
    result: () => null,
    message: "Your name is saved.",
  });
  revalidatePath("/portal", "layout");
  return result;
}

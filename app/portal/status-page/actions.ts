"use server";

import { revalidatePath } from "next/cache";
import { runFormAction } from "@/app/_server/form";
import { removeStatusPageLogo, updateStatusPageSettings } from "@/lib/status/settings";

/** The verb checks status_page:manage and that the session's organization owns the page. */
export async function saveStatusPageAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({
      name: f.text("name"),
      brandColor: f.text("brandColor"),
      publicUrl: f.text("publicUrl"),
      supportUrl: f.text("supportUrl"),
      contactUrl: f.text("contactUrl"),
      timeZone: f.text("timeZone"),
      notice: f.text("notice"),
    }),
    verb: updateStatusPageSettings,
    result: () => undefined,
    message: "Status page settings saved. The public page shows them now.",
  });
  revalidatePath("/portal/status-page");
  return r;
}

export async function removeLogoAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: () => undefined,
    verb: ({ ctx }) => removeStatusPageLogo({ ctx }),
    result: () => undefined,
    message: "Logo removed.",
  });
  revalidatePath("/portal/status-page");
  return r;
}

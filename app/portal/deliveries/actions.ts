"use server";

import { revalidatePath } from "next/cache";
import { runFormAction } from "@/app/_server/form";
import { resendDelivery } from "@/lib/alerts/deliveries";

export async function resendDeliveryAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id") }),
    verb: resendDelivery,
    result: () => undefined,
    message: "Queued to send again.",
  });
  revalidatePath("/portal/deliveries");
  return r;
}

"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/app/_server/ctx";
import { resendDelivery } from "@/lib/alerts/deliveries";

export async function resendDeliveryAction(_prev: unknown, form: FormData) {
  const r = await runAction(
    (ctx) => resendDelivery({ ctx, input: { id: form.get("id") } }).then(() => undefined),
    "Queued to send again.",
    form,
  );
  revalidatePath("/portal/deliveries");
  return r;
}

"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/app/_server/ctx";
import { removeSubscriber } from "@/lib/subscribers/remove";
import { rotateSubscriberSecret } from "@/lib/subscribers/rotate-secret";

/** The verb checks subscribers:manage and the platform organization from the session. */
export async function removeSubscriberAction(_prev: unknown, form: FormData) {
  const r = await runAction(
    (ctx) => removeSubscriber({ ctx, input: { id: form.get("id") } }),
    "Subscriber removed.",
    form,
  );
  revalidatePath("/portal/subscribers");
  return r;
}

/** The new secret is in this result only; staff pass it to the subscriber. */
export async function rotateSubscriberSecretAction(_prev: unknown, form: FormData) {
  const r = await runAction(
    (ctx) => rotateSubscriberSecret({ ctx, input: { id: form.get("id") } }),
    undefined,
    form,
  );
  revalidatePath("/portal/subscribers");
  return r;
}

"use server";

import { revalidatePath } from "next/cache";
import { runFormAction } from "@/app/_server/form";
import { removeSubscriber } from "@/lib/subscribers/remove";
import { rotateSubscriberSecret } from "@/lib/subscribers/rotate-secret";

/** The verb checks subscribers:manage and the platform organization from the session. */
export async function removeSubscriberAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id") }),
    verb: removeSubscriber,
    message: "Subscriber removed.",
  });
  revalidatePath("/portal/subscribers");
  return r;
}

/** The new secret is in this result only; staff pass it to the subscriber. */
export async function rotateSubscriberSecretAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id") }),
    verb: rotateSubscriberSecret,
  });
  revalidatePath("/portal/subscribers");
  return r;
}

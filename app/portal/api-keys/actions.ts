"use server";

import { revalidatePath } from "next/cache";
import { runFormAction } from "@/app/_server/form";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/keys";

export async function createApiKeyAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: (f) => ({ name: f.text("name"), role: f.text("role") }),
    verb: createApiKey,
    result: ({ apiKey, secret }) => ({ name: apiKey.name, secret }),
  });
  revalidatePath("/portal/api-keys");
  return result;
}

export async function revokeApiKeyAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: (f) => ({ apiKeyId: f.text("apiKeyId") }),
    verb: revokeApiKey,
    message: "Key revoked.",
  });
  revalidatePath("/portal/api-keys");
  return result;
}

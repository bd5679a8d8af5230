"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/app/_server/ctx";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/keys";

export async function createApiKeyAction(_prev: unknown, form: FormData) {
  const result = await runAction(
    async (ctx) => {
      const { apiKey, secret } = await createApiKey({
        ctx,
        input: { name: form.get("name"), role: form.get("role") },
      });
      return { name: apiKey.name, secret };
    },
    undefined,
    form,
  );
  revalidatePath("/portal/api-keys");
  return result;
}

export async function revokeApiKeyAction(_prev: unknown, form: FormData) {
  const result = await runAction(
    (ctx) => revokeApiKey({ ctx, input: { apiKeyId: form.get("apiKeyId") } }),
    "Key revoked.",
    form,
  );
  revalidatePath("/portal/api-keys");
  return result;
}

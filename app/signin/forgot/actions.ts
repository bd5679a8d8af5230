"use server";

import { after } from "next/server";
import { headers } from "next/headers";
import { clientAddressOf } from "@/app/_server/client-address";
import { runPublicFormAction } from "@/app/_server/form";
import { getDb } from "@/server/database";
import { requestPasswordReset } from "@/lib/members/password-reset";
import type { ActionResult } from "@/lib/errors";

/**
 * "Forgot password": the same answer for every address, account or not. The link is looked up
 * and emailed after the answer has gone (`after`), so how long it takes tells nobody either.
 */
export async function requestPasswordResetAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<null>> {
  return runPublicFormAction(form, {
    input: (f) => ({ email: f.text("email") }),
    run: async (input) => {
      const { message, send } = await requestPasswordReset({
        db: await getDb(),
        input,
        clientAddress: clientAddressOf(await headers()),
      });
      after(send);
      return { ok: true as const, data: null, message };
    },
  });
}

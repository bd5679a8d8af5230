"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { unstable_update } from "@/app/_server/auth";
import { clientAddressOf } from "@/app/_server/client-address";
import { getSessionCtx } from "@/app/_server/ctx";
import { runPublicFormAction } from "@/app/_server/form";
import { getDb } from "@/server/database";
import { acceptInvitation, requestInvitationVerification } from "@/lib/members/accept-invitation";
import type { ActionResult } from "@/lib/errors";

/** Signed in as the invited address: joins at once (the address is already proven). */
export async function acceptInvitationAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<null>> {
  const ctx = await getSessionCtx();
  const signedInUserId = ctx?.actor.type === "user" ? ctx.actor.id : undefined;
  const accepted = await runPublicFormAction(form, {
    input: (f) => ({ token: f.text("token") }),
    run: async (input) => ({
      ok: true as const,
      ...(await acceptInvitation({ db: await getDb(), signedInUserId, input })),
    }),
  });
  if (!accepted.ok) return accepted;
  await unstable_update({ orgId: accepted.orgId });
  // The invitation is used up, so this page would now be a 404: go straight to the new organization.
  redirect("/portal");
}

/**
 * No session: holding the link is not enough to get an account. This emails a one-time link to
 * the invited address; following it creates the account (app/invite/verify/[code]).
 */
export async function requestInvitationEmailAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<null>> {
  return runPublicFormAction(form, {
    input: (f) => ({ token: f.text("token") }),
    run: async (input) => {
      const { email } = await requestInvitationVerification({
        db: await getDb(),
        input,
        clientAddress: clientAddressOf(await headers()),
      });
      return {
        ok: true as const,
        data: null,
        message: `We emailed a link to ${email}. Open it to create your account and join; it works once and expires in 1 hour.`,
      };
    },
  });
}

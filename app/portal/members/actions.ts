"use server";

import { revalidatePath } from "next/cache";
import { runAction } from "@/app/_server/ctx";
import { inviteMember, invitationUrl } from "@/lib/members/invite";
import {
  changeMemberRole,
  removeMember,
  revokeInvitation,
  setMemberGrants,
} from "@/lib/members/manage";
import { sendInvitationEmail } from "@/lib/members/invitation-email";
import { env } from "@/lib/env";
import type { ActionResult } from "@/lib/errors";

export interface InviteResult {
  url: string;
  email: string;
  emailed: boolean;
  emailError?: string;
}

export async function inviteAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<InviteResult>> {
  const result = await runAction(
    async (ctx) => {
      const { invitation, token } = await inviteMember({
        ctx,
        input: { email: form.get("email"), role: form.get("role") },
      });
      const url = invitationUrl(env.APP_URL, token);
      const sent = await sendInvitationEmail({ to: invitation.email, orgName: ctx.org.name, url });
      return { url, email: invitation.email, emailed: sent.sent, emailError: sent.error };
    },
    undefined,
    form,
  );
  revalidatePath("/portal/members");
  return result;
}

export async function changeRoleAction(_prev: unknown, form: FormData) {
  const result = await runAction(
    (ctx) =>
      changeMemberRole({
        ctx,
        input: { membershipId: form.get("membershipId"), role: form.get("role") },
      }),
    "Role saved.",
    form,
  );
  revalidatePath("/portal/members");
  return result;
}

export async function setGrantsAction(_prev: unknown, form: FormData) {
  const result = await runAction(
    (ctx) =>
      setMemberGrants({
        ctx,
        input: {
          membershipId: form.get("membershipId"),
          grants: form.getAll("grants").map(String),
        },
      }),
    "Permissions saved.",
    form,
  );
  revalidatePath("/portal/members");
  return result;
}

export async function removeMemberAction(_prev: unknown, form: FormData) {
  const result = await runAction(
    (ctx) => removeMember({ ctx, input: { membershipId: form.get("membershipId") } }),
    "Member removed.",
    form,
  );
  revalidatePath("/portal/members");
  return result;
}

export async function revokeInvitationAction(_prev: unknown, form: FormData) {
  const result = await runAction(
    (ctx) => revokeInvitation({ ctx, input: { invitationId: form.get("invitationId") } }),
    "Invitation revoked.",
    form,
  );
  revalidatePath("/portal/members");
  return result;
}

"use server";

import { revalidatePath } from "next/cache";
import { runFormAction } from "@/app/_server/form";
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
import type { InviteResult } from "@/components/portal/members";

export async function inviteAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<InviteResult>> {
  const result = await runFormAction(form, {
    input: (f) => ({ email: f.text("email"), role: f.text("role") }),
    verb: inviteMember,
    result: async ({ invitation, token }, ctx) => {
      const url = invitationUrl(env.APP_URL, token);
      const sent = await sendInvitationEmail({ to: invitation.email, orgName: ctx.org.name, url });
      return { url, email: invitation.email, emailed: sent.sent, emailError: sent.error };
    },
  });
  revalidatePath("/portal/members");
  return result;
}

export async function changeRoleAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: (f) => ({ membershipId: f.text("membershipId"), role: f.text("role") }),
    verb: changeMemberRole,
    message: "Role saved.",
  });
  revalidatePath("/portal/members");
  return result;
}

export async function setGrantsAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: (f) => ({ membershipId: f.text("membershipId"), grants: f.list("grants") }),
    verb: setMemberGrants,
    message: "Permissions saved.",
  });
  revalidatePath("/portal/members");
  return result;
}

export async function removeMemberAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: (f) => ({ membershipId: f.text("membershipId") }),
    verb: removeMember,
    message: "Member removed.",
  });
  revalidatePath("/portal/members");
  return result;
}

export async function revokeInvitationAction(_prev: unknown, form: FormData) {
  const result = await runFormAction(form, {
    input: (f) => ({ invitationId: f.text("invitationId") }),
    verb: revokeInvitation,
    message: "Invitation revoked.",
  });
  revalidatePath("/portal/members");
  return result;
}

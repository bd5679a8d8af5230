"use server";

import { revalidatePath } from "next/cache";
import { runFormAction } from "@/app/_server/form";
import { inviteMember } from "@/lib/members/invite";
import {
  changeMemberRole,
  removeMember,
  revokeInvitation,
  setMemberGrants,
} from "@/lib/members/manage";
import { deliverInvitation, type InviteResult } from "@/lib/members/invitation-email";
import type { ActionResult } from "@/lib/errors";

export async function inviteAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<InviteResult>> {
  const result = await runFormAction(form, {
    input: (f) => ({ email: f.text("email"), role: f.text("role") }),
    verb: inviteMember,
    // The raw link reaches the admin's browser only when it could not be emailed.
    result: ({ invitation, token }, ctx) =>
      deliverInvitation({
        email: invitation.email,
        role: invitation.role,
        token,
        orgName: ctx.org.name,
      }),
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

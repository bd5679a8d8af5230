"use server";

import { revalidatePath } from "next/cache";
import { runFormAction } from "@/app/_server/form";
import { deliverInvitation, type InviteResult } from "@/lib/members/invitation-email";
import {
  createOrganization,
  inviteOrgAdmin,
  updateOrganization,
} from "@/lib/organizations/organizations";
import type { ActionResult } from "@/lib/errors";

// Every verb here checks organizations:manage (platform admins) from the session.

export async function createOrganizationAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ slug: f.text("slug"), name: f.text("name") }),
    verb: createOrganization,
    result: (org) => ({ id: org.id, slug: org.slug }),
    message: "Organization created. Invite its org admin below.",
  });
  revalidatePath("/portal/organizations");
  return r;
}

export async function renameOrganizationAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id"), name: f.text("name") }),
    verb: updateOrganization,
    result: () => null,
    message: "Name saved.",
  });
  revalidatePath("/portal/organizations");
  return r;
}

export async function suspendOrganizationAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id"), suspended: true }),
    verb: updateOrganization,
    result: () => null,
    message: "Suspended: its members and API keys are refused and it receives no alerts.",
  });
  revalidatePath("/portal/organizations");
  return r;
}

export async function restoreOrganizationAction(_prev: unknown, form: FormData) {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id"), suspended: false }),
    verb: updateOrganization,
    result: () => null,
    message: "Restored.",
  });
  revalidatePath("/portal/organizations");
  return r;
}

/** The raw link reaches the platform admin's browser only when it could not be emailed. */
export async function inviteOrgAdminAction(
  _prev: unknown,
  form: FormData,
): Promise<ActionResult<InviteResult>> {
  const r = await runFormAction(form, {
    input: (f) => ({ id: f.text("id"), email: f.text("email") }),
    verb: inviteOrgAdmin,
    result: ({ invitation, token, org }) =>
      deliverInvitation({
        email: invitation.email,
        role: invitation.role,
        token,
        orgName: org.name,
      }),
  });
  revalidatePath("/portal/organizations");
  return r;
}

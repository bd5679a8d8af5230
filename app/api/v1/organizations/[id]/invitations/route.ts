import { apiRoute, readJson } from "@/app/_server/api";
import { deliverInvitation } from "@/lib/members/invitation-email";
import { inviteOrgAdmin } from "@/lib/organizations/organizations";

/**
 * Invites the tenant's org admin (`{ "email": "…" }`). The link is emailed; it is in the answer
 * only when it could not be (no email provider, or the provider refused).
 */
export const POST = apiRoute<{ id: string }>(async ({ ctx, req, params }) => {
  const body = await readJson(req);
  const fields = typeof body === "object" && body !== null ? body : {};
  const { invitation, token, org } = await inviteOrgAdmin({
    ctx,
    input: { ...fields, id: params.id },
  });
  const sent = await deliverInvitation({
    email: invitation.email,
    role: invitation.role,
    token,
    orgName: org.name,
  });
  return Response.json(
    { invitation: { id: invitation.id, expiresAt: invitation.expiresAt }, ...sent },
    { status: 201 },
  );
});

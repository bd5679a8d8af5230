import { env } from "@/lib/env";
import { sendEmail } from "@/lib/email/send";
import { ROLE_LABELS, type Role } from "@/lib/auth/roles";
import { invitationUrl } from "./invite";

/**
 * What the inviting admin is told. The raw link is handed back only when no email could be sent
 * (no provider configured, or the provider refused), for the admin to pass on; otherwise only the
 * invited address has it. Either way, whoever opens it still proves the address by a second
 * emailed link before an account exists (lib/members/accept-invitation.ts).
 */
export type InviteResult =
  | { email: string; emailed: true }
  | { email: string; emailed: false; url: string; emailError?: string };

/**
 * Emails an invitation link when email is configured; a failed send is reported (with the link),
 * never lost.
 */
export async function sendInvitationEmail(args: {
  to: string;
  orgName: string;
  url: string;
  role?: Role;
}): Promise<{ sent: boolean; error?: string }> {
  if (!env.emailConfigured) return { sent: false };
  const role = args.role ? ` as ${ROLE_LABELS[args.role]}` : "";
  try {
    await sendEmail({
      to: args.to,
      subject: `You're invited to ${args.orgName} on Beacon`,
      text: `You have been invited to join ${args.orgName}${role} on Beacon.\n\nAccept the invitation: ${args.url}\n\nThe link expires in 7 days.`,
    });
    return { sent: true };
  } catch (e) {
    return { sent: false, error: (e as Error).message };
  }
}

/** Sends the invitation just created and says what the admin may see. */
export async function deliverInvitation(args: {
  email: string;
  role: Role;
  token: string;
  orgName: string;
}): Promise<InviteResult> {
  const url = invitationUrl(env.APP_URL, args.token);
  const sent = await sendInvitationEmail({
    to: args.email,
    orgName: args.orgName,
    url,
    role: args.role,
  });
  if (sent.sent) return { email: args.email, emailed: true };
  return { email: args.email, emailed: false, url, emailError: sent.error };
}

import { env } from "@/lib/env";
import { sendEmail } from "@/lib/email/send";
import { ROLE_LABELS, type Role } from "@/lib/auth/roles";

/**
 * Emails an invitation link when email is configured. The link is always shown to the admin as
 * well, so a failed send loses nothing: the error is returned for display.
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

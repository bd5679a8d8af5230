import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { users } from "@/db/schema";
import { sendEmail } from "@/lib/email/send";
import { normalizeEmail } from "./normalize";

/**
 * Sends a sign-in link, but only to an existing account: the form always answers the same way,
 * so it never tells who has an account, and no account is ever created by asking for a link.
 */
export async function sendMagicLink(db: Db, email: string, url: string): Promise<boolean> {
  const [user] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, normalizeEmail(email)));
  if (!user) return false;
  await sendEmail({
    to: normalizeEmail(email),
    subject: "Your Beacon sign-in link",
    text: `Sign in to Beacon:\n\n${url}\n\nThe link works once and expires in 15 minutes. If you did not ask for it, ignore this email.`,
    html: `<p>Sign in to Beacon:</p><p><a href="${url}">Sign in</a></p><p>The link works once and expires in 15 minutes. If you did not ask for it, ignore this email.</p>`,
  });
  return true;
}

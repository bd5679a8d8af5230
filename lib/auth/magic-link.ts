import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { users } from "@/db/schema";
import { sendEmail } from "@/lib/email/send";
import { normalizeEmail } from "./normalize";
import { hit } from "./rate-limit";

/** Asking for a sign-in link sends email, so it is limited per email address and per client address. */
export const MAGIC_LINK_LIMITS = {
  email: { max: 5, windowMs: 60 * 60 * 1000 },
  address: { max: 20, windowMs: 60 * 60 * 1000 },
};

/**
 * Counts one request for a sign-in link; answers the seconds to wait if it is over a limit, else 0.
 * Counted before any account lookup, so an unknown address is limited exactly like an account.
 */
export async function magicLinkWait(
  db: Db,
  { email, clientAddress }: { email: string; clientAddress: string },
  now = new Date(),
): Promise<number> {
  const byAddress = await hit(
    db,
    { key: `magic-link:ip:${clientAddress}`, ...MAGIC_LINK_LIMITS.address },
    now,
  );
  const byEmail = await hit(
    db,
    { key: `magic-link:email:${normalizeEmail(email)}`, ...MAGIC_LINK_LIMITS.email },
    now,
  );
  const over = [
    byAddress > MAGIC_LINK_LIMITS.address.max ? MAGIC_LINK_LIMITS.address.windowMs : 0,
    byEmail > MAGIC_LINK_LIMITS.email.max ? MAGIC_LINK_LIMITS.email.windowMs : 0,
  ];
  return Math.max(...over) / 1000;
}

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

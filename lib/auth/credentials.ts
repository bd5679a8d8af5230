import { eq } from "drizzle-orm";
import { z } from "zod";
import { storable } from "@/lib/validation";
import type { Db } from "@/db";
import { users, type User } from "@/db/schema";
import { RateLimitedError } from "@/lib/errors";
import { burnPasswordCheck, verifyPassword } from "./password";
import { clear, hit, limitedFor, undo, type Limit } from "./rate-limit";
import { normalizeEmail } from "./normalize";

const WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_ADDRESS = 30;

export const credentialsSchema = z.object({
  email: storable(z.string().trim().min(1).max(320)),
  password: z.string().min(1).max(1024),
});

/** One message for every failure, so a sign-in form never tells which accounts exist. */
export const GENERIC_SIGN_IN_ERROR = "Invalid email or password.";
export const RATE_LIMITED_SIGN_IN_ERROR = "Too many failed sign-in attempts. Try again later.";

function limits(email: string, ip: string): Limit[] {
  return [
    { key: `signin:email:${email}`, max: MAX_FAILURES_PER_EMAIL, windowMs: WINDOW_MS },
    { key: `signin:ip:${ip}`, max: MAX_FAILURES_PER_ADDRESS, windowMs: WINDOW_MS },
  ];
}

/**
 * Checks an email and password. Returns the user, or null for any kind of mismatch; throws
 * RateLimitedError once the email or the client address has failed too often.
 */
export async function verifyCredentials(db: Db, raw: unknown, ip: string): Promise<User | null> {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const email = normalizeEmail(parsed.data.email);
  const checks = limits(email, ip);
  // Count the attempt before the (slow) password check, so parallel guesses cannot all slip in
  // under the limit; a success clears the email's count again.
  for (const limit of checks) {
    const count = await hit(db, limit);
    if (count > limit.max) {
      const wait = await limitedFor(db, limit);
      throw new RateLimitedError(RATE_LIMITED_SIGN_IN_ERROR, Math.max(wait, 1));
    }
  }
  const [user] = await db.select().from(users).where(eq(users.email, email));
  let ok = false;
  if (user?.passwordHash) ok = await verifyPassword(user.passwordHash, parsed.data.password);
  else await burnPasswordCheck(parsed.data.password);
  if (!ok) return null;
  await clear(db, checks[0]!.key);
  await undo(db, checks[1]!.key);
  return user!;
}

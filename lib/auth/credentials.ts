import { eq } from "drizzle-orm";
import { z } from "zod";
import { storable } from "@/lib/validation";
import type { Db } from "@/db";
import { users, type User } from "@/db/schema";
import { RateLimitedError } from "@/lib/errors";
import { burnPasswordCheck, verifyPassword } from "./password";
import {
  clear,
  hit,
  limitedFor,
  reserveAttempt,
  undo,
  type Backoff,
  type Limit,
} from "./rate-limit";
import { normalizeEmail } from "./normalize";

const MINUTE_MS = 60 * 1000;

/** Failures of one account from one client address before the backoff starts. */
export const PAIR_FREE_FAILURES = 5;
/** The first block of an (account, address) pair, doubling with each further failure… */
export const PAIR_FIRST_BLOCK_MS = MINUTE_MS;
/** …up to this. */
export const PAIR_MAX_BLOCK_MS = 15 * MINUTE_MS;
/** A pair's failures are forgotten a day after its last one (or at once on a success). */
const PAIR_MEMORY_MS = 24 * 60 * MINUTE_MS;

/** Failures from one client address, whatever the accounts, in a 15-minute window. */
export const MAX_FAILURES_PER_ADDRESS = 30;
const ADDRESS_WINDOW_MS = 15 * MINUTE_MS;

/**
 * Failures of one account from all addresses in an hour, past which password sign-in for it waits
 * and the email link is the way in. Only while sign-in links can be sent: without them this
 * ceiling would let anyone lock the owner out, so it does not apply.
 */
export const ACCOUNT_FAILURE_CEILING = 50;
const ACCOUNT_WINDOW_MS = 60 * MINUTE_MS;

export const credentialsSchema = z.object({
  email: storable(z.string().trim().min(1).max(320)),
  password: z.string().min(1).max(1024),
});

/** One message for every failure, so a sign-in form never tells which accounts exist. */
export const GENERIC_SIGN_IN_ERROR = "Invalid email or password.";
export const RATE_LIMITED_SIGN_IN_ERROR = "Too many failed sign-in attempts. Try again later.";

function minutes(seconds: number): string {
  const n = Math.max(1, Math.ceil(seconds / 60));
  return `${n} minute${n === 1 ? "" : "s"}`;
}

/** What a refused address is told: when to try again, and the email link if there is one. */
export function addressRefusal(seconds: number, magicLink: boolean): string {
  return `Too many attempts from this address; try again in ${minutes(seconds)}${magicLink ? " or use the email link" : ""}.`;
}

export const ACCOUNT_CEILING_MESSAGE =
  "Too many failed sign-ins for this account; use the email link to sign in.";

function keys(email: string, ip: string) {
  const pair: Backoff = {
    key: `signin:pair:${ip}:${email}`,
    free: PAIR_FREE_FAILURES,
    firstBlockMs: PAIR_FIRST_BLOCK_MS,
    maxBlockMs: PAIR_MAX_BLOCK_MS,
    memoryMs: PAIR_MEMORY_MS,
  };
  const address: Limit = {
    key: `signin:ip:${ip}`,
    max: MAX_FAILURES_PER_ADDRESS,
    windowMs: ADDRESS_WINDOW_MS,
  };
  const account: Limit = {
    key: `signin:account:${email}`,
    max: ACCOUNT_FAILURE_CEILING,
    windowMs: ACCOUNT_WINDOW_MS,
  };
  return { pair, address, account };
}

export interface VerifyOptions {
  /** Whether sign-in links can be sent (email is configured): enables the per-account ceiling. */
  magicLink?: boolean;
  now?: Date;
}

/**
 * Checks an email and password. Returns the user, or null for any kind of mismatch; throws
 * RateLimitedError (with the message for the sign-in page) when the attempt is refused:
 *
 * - per (account, client address): five failures, then a block of 1 minute, doubling with each
 *   further failure up to 15; a success from that address resets the pair. Someone guessing
 *   elsewhere never blocks the owner's own address.
 * - per client address, across accounts: 30 failures in 15 minutes.
 * - per account, across addresses, only while sign-in links can be sent: 50 failures in an hour
 *   send everyone (the owner too) to the email link for the rest of the hour.
 *
 * Unknown accounts are counted exactly like real ones, so the answers tell no one who has one.
 */
export async function verifyCredentials(
  db: Db,
  raw: unknown,
  ip: string,
  opts: VerifyOptions = {},
): Promise<User | null> {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return null;
  const now = opts.now ?? new Date();
  const magicLink = opts.magicLink ?? false;
  const email = normalizeEmail(parsed.data.email);
  const { pair, address, account } = keys(email, ip);

  if (magicLink && (await limitedFor(db, account, now)) > 0) {
    throw new RateLimitedError(ACCOUNT_CEILING_MESSAGE, await limitedFor(db, account, now));
  }
  // Each attempt is counted before the (slow) password check, so parallel guesses cannot all slip
  // in under a limit; a success takes its counts back.
  if ((await hit(db, address, now)) > address.max) {
    const wait = Math.max(await limitedFor(db, address, now), 1);
    throw new RateLimitedError(addressRefusal(wait, magicLink), wait);
  }
  const blocked = await reserveAttempt(db, pair, now);
  if (blocked > 0) {
    // The pair's block, not this address's guessing in general: not counted against the address.
    await undo(db, address.key);
    throw new RateLimitedError(addressRefusal(blocked, magicLink), blocked);
  }
  await hit(db, account, now);

  const [user] = await db.select().from(users).where(eq(users.email, email));
  let ok = false;
  if (user?.passwordHash) ok = await verifyPassword(user.passwordHash, parsed.data.password);
  else await burnPasswordCheck(parsed.data.password);
  if (!ok) return null;
  await clear(db, pair.key);
  await undo(db, address.key);
  await undo(db, account.key);
  return user!;
}

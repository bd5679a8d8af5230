import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { publicSubscribers } from "@/db/schema";
import { hit } from "@/lib/auth/rate-limit";
import { decryptSecret } from "@/lib/crypto/secrets";
import { signingSecrets } from "@/lib/crypto/webhook-secrets";
import { parseInput, RateLimitedError, UnauthorizedError, ValidationError } from "@/lib/errors";
import { challengeWebhook, type ChallengeSettings } from "./challenge";
import { ManageTokenInput } from "./schemas";
import { CONFIRM_TTL_MS, challengeFailure, markVerified } from "./subscribe";
import { hashToken } from "./tokens";

/**
 * Each try costs Beacon a request of up to 5 s to a URL someone else chose, so tries are limited
 * per client address and per subscriber.
 */
export const VERIFY_LIMIT = { max: 10, windowMs: 60 * 60 * 1000 };

export interface VerifiedWebhook {
  verified: true;
  /** The webhook's host (the URL itself is never shown back). */
  host: string;
  /** It had already answered a challenge before this request. */
  alreadyVerified: boolean;
}

async function limit(db: Db, key: string, now: Date) {
  const n = await hit(db, { key, ...VERIFY_LIMIT }, now);
  if (n > VERIFY_LIMIT.max)
    throw new RateLimitedError(
      "Too many verification attempts. Try again in an hour.",
      Math.ceil(VERIFY_LIMIT.windowMs / 1000),
    );
}

/**
 * A webhook subscriber whose URL did not answer the verification challenge at subscribe time
 * (its receiver was not ready, or checks signatures and needed the secret first) asks for the
 * challenge again with its management token. Confirmed if the URL now echoes it; otherwise a 422
 * naming `url` and why. Within CONFIRM_TTL_MS of subscribing only: after that the sweep deletes
 * the unverified subscriber. Holds no transaction while the URL is challenged.
 */
export async function verifyOwnWebhook(
  db: Db,
  { input, clientAddress }: { input: unknown; clientAddress: string },
  deps: { settings: ChallengeSettings; now?: Date; challengeTimeoutMs?: number },
): Promise<VerifiedWebhook> {
  const now = deps.now ?? new Date();
  // Counted before the token is checked, so it also slows anyone trying tokens.
  await limit(db, `subscriber-verify:ip:${clientAddress}`, now);
  const { token } = parseInput(ManageTokenInput, input);
  const [s] = await db
    .select()
    .from(publicSubscribers)
    .where(eq(publicSubscribers.manageTokenHash, hashToken(token)));
  const expired = s && !s.confirmedAt && s.createdAt.getTime() <= now.getTime() - CONFIRM_TTL_MS;
  if (!s || s.kind !== "webhook" || !s.urlEncrypted || expired)
    throw new UnauthorizedError(
      "This management token is not valid: it is mistyped, or the subscription was removed (an unverified one is removed after 7 days)",
    );
  const host = s.urlHint ?? "";
  if (s.confirmedAt) return { verified: true, host, alreadyVerified: true };
  await limit(db, `subscriber-verify:id:${s.id}`, now);

  const outcome = await challengeWebhook(decryptSecret(s.urlEncrypted), {
    secrets: signingSecrets(s, now),
    subscriberId: s.id,
    settings: deps.settings,
    timeoutMs: deps.challengeTimeoutMs,
  });
  if (!outcome.ok)
    throw new ValidationError([{ field: "url", message: challengeFailure(outcome.reason) }]);
  await markVerified(db, s.id, now);
  return { verified: true, host, alreadyVerified: false };
}

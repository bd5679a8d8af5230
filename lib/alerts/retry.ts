/**
 * When to try a failed delivery again. Exponential backoff with "equal jitter" (half fixed, half
 * random) so many deliveries failing together do not retry together; Retry-After wins when given.
 * With the defaults a failing receiver is tried 6 times over about 45 minutes (5–10 s, 20–40 s,
 * 80–160 s, 5–10 min and 21–43 min apart).
 */
export const RETRY_BASE_MS = 10_000;
export const RETRY_CAP_MS = 60 * 60 * 1000;
export const RETRY_AFTER_CAP_MS = 6 * 60 * 60 * 1000;

/** Attempts a delivery gets (the deliveries.max_attempts default); a resend grants as many again. */
export const MAX_ATTEMPTS = 6;

/**
 * A receiver that accepts the connection and never answers costs a whole send timeout per
 * attempt: an attempt that times out is retried only while it is among the first this many of
 * its run (retries 5–10 s, 20–40 s and 80–160 s apart), so a hanging receiver's delivery is
 * failed, visibly and resendable, within about 4½ minutes at a 15 s timeout instead of 45.
 */
export const TIMEOUT_ATTEMPTS = 4;

export function backoffMs(
  attempt: number,
  random: () => number = Math.random,
  baseMs = RETRY_BASE_MS,
): number {
  const exp = Math.min(RETRY_CAP_MS, baseMs * 4 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * Which attempt of its run this is (1 for the first): a resend grants MAX_ATTEMPTS more on top of
 * those already made (see resendDelivery), so the run started at maxAttempts - MAX_ATTEMPTS.
 */
export function attemptOfRun(attempt: number, maxAttempts: number): number {
  return attempt - Math.max(0, maxAttempts - MAX_ATTEMPTS);
}

export function nextRetryAt(opts: {
  attempt: number;
  maxAttempts: number;
  permanent: boolean;
  /** The attempt timed out: at most TIMEOUT_ATTEMPTS in this run. */
  timedOut?: boolean;
  retryAfterMs?: number;
  now: Date;
  random?: () => number;
  baseMs?: number;
}): Date | null {
  if (opts.permanent || opts.attempt >= opts.maxAttempts) return null;
  if (opts.timedOut && attemptOfRun(opts.attempt, opts.maxAttempts) >= TIMEOUT_ATTEMPTS)
    return null;
  const wait =
    opts.retryAfterMs !== undefined
      ? Math.min(RETRY_AFTER_CAP_MS, opts.retryAfterMs)
      : backoffMs(opts.attempt, opts.random, opts.baseMs);
  return new Date(opts.now.getTime() + wait);
}

/**
 * When to try a failed delivery again. Exponential backoff with "equal jitter" (half fixed, half
 * random) so many deliveries failing together do not retry together; Retry-After wins when given.
 */
export const RETRY_BASE_MS = 10_000;
export const RETRY_CAP_MS = 60 * 60 * 1000;
export const RETRY_AFTER_CAP_MS = 6 * 60 * 60 * 1000;

export function backoffMs(
  attempt: number,
  random: () => number = Math.random,
  baseMs = RETRY_BASE_MS,
): number {
  const exp = Math.min(RETRY_CAP_MS, baseMs * 4 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export function nextRetryAt(opts: {
  attempt: number;
  maxAttempts: number;
  permanent: boolean;
  retryAfterMs?: number;
  now: Date;
  random?: () => number;
  baseMs?: number;
}): Date | null {
  if (opts.permanent || opts.attempt >= opts.maxAttempts) return null;
  const wait =
    opts.retryAfterMs !== undefined
      ? Math.min(RETRY_AFTER_CAP_MS, opts.retryAfterMs)
      : backoffMs(opts.attempt, opts.random, opts.baseMs);
  return new Date(opts.now.getTime() + wait);
}

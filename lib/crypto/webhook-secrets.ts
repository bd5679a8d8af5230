import { randomBytes } from "node:crypto";
import { decryptSecretForSending, encryptSecret } from "./secrets";

/** How long a rotated-out webhook secret keeps signing alongside the new one. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** What every Standard Webhooks secret starts with; the rest is the base64 key. */
export const WEBHOOK_SECRET_PREFIX = "whsec_";

/** A Standard Webhooks secret: the prefix + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(32).toString("base64")}`;
}

/** The stored secret columns shared by tenant endpoints and public webhook subscribers. */
export interface StoredWebhookSecrets {
  secretEncrypted: string | null;
  previousSecretEncrypted: string | null;
  previousSecretExpiresAt: Date | null;
}

/**
 * A rotation: a new secret, the current one kept as the previous secret for SECRET_OVERLAP_MS.
 * Rotating again within the overlap ends the older secret at once (only two ever sign).
 */
export function rotateWebhookSecret(current: { secretEncrypted: string }, now: Date) {
  const secret = generateWebhookSecret();
  const until = new Date(now.getTime() + SECRET_OVERLAP_MS);
  return {
    secret,
    previousValidUntil: until.toISOString(),
    columns: {
      secretEncrypted: encryptSecret(secret),
      previousSecretEncrypted: current.secretEncrypted,
      previousSecretExpiresAt: until,
    },
  };
}

/** The secrets a delivery is signed with now: the current one, and a rotated-out one still in its overlap. */
export function signingSecrets(row: StoredWebhookSecrets, now: Date): string[] {
  return [
    row.secretEncrypted,
    row.previousSecretExpiresAt && row.previousSecretExpiresAt > now
      ? row.previousSecretEncrypted
      : null,
  ]
    .filter((s): s is string => Boolean(s))
    .map(decryptSecretForSending);
}

import { createHash, randomBytes } from "node:crypto";
import { signId, verifySignedId } from "@/lib/crypto/signed-id";

/** Confirmation tokens are random and stored only as a sha256 hash. */
export function newConfirmToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashToken(token) };
}

/**
 * A webhook subscriber's management token: shown once at subscribe time, stored as a sha256
 * hash, sent back as a bearer token to rotate the signing secret.
 */
export const MANAGE_TOKEN_PREFIX = "bsm_";
export const MANAGE_TOKEN_PATTERN = /^bsm_[A-Za-z0-9_-]{43}$/;

export function newManageToken(): { token: string; hash: string } {
  const token = `${MANAGE_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Unsubscribe links name the subscriber with a signature (lib/crypto/signed-id.ts), not a stored token. */
const UNSUBSCRIBE_PURPOSE = "public-unsubscribe";

export function subscriberUnsubscribeToken(subscriberId: string): string {
  return signId(UNSUBSCRIBE_PURPOSE, subscriberId);
}

/** The subscriber id the token names, or null if it was not signed by us. */
export function verifyUnsubscribeToken(token: string): string | null {
  return verifySignedId(UNSUBSCRIBE_PURPOSE, token);
}

export function unsubscribeUrl(appUrl: string, subscriberId: string): string {
  return `${appUrl}/api/subscribers/unsubscribe?token=${subscriberUnsubscribeToken(subscriberId)}`;
}

/** Where a subscriber changes what it receives (components, regions, maintenance only). */
export function preferencesUrl(appUrl: string, subscriberId: string): string {
  return `${appUrl}/subscribe/preferences/${subscriberUnsubscribeToken(subscriberId)}`;
}

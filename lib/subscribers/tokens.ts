import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { getAuthSecret } from "@/lib/auth/secret";

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

/**
 * Unsubscribe links, as for extra recipients (lib/alerts/unsubscribe.ts): the subscriber id with
 * an HMAC, so every email can carry one without storing a token per subscriber.
 */
function mac(subscriberId: string): string {
  return createHmac("sha256", getAuthSecret())
    .update(`public-unsubscribe:${subscriberId}`)
    .digest("base64url")
    .slice(0, 32);
}

export function subscriberUnsubscribeToken(subscriberId: string): string {
  return `${subscriberId}.${mac(subscriberId)}`;
}

/** The subscriber id the token names, or null if it was not signed by us. */
export function verifyUnsubscribeToken(token: string): string | null {
  const [id, sig] = token.split(".");
  if (!id || !sig || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  const expected = mac(id);
  if (sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected)))
    return null;
  return id;
}

export function unsubscribeUrl(appUrl: string, subscriberId: string): string {
  return `${appUrl}/api/subscribers/unsubscribe?token=${subscriberUnsubscribeToken(subscriberId)}`;
}

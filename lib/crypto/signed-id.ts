import { createHmac, timingSafeEqual } from "node:crypto";
import { getAuthSecret } from "@/lib/auth/secret";

/**
 * Links that name a row without a stored token (the unsubscribe links in every email): the id,
 * a dot, and an HMAC of `purpose:id` under the auth secret. The purpose keeps a token for one
 * kind of row from being accepted for another.
 */
function mac(purpose: string, id: string): string {
  return createHmac("sha256", getAuthSecret())
    .update(`${purpose}:${id}`)
    .digest("base64url")
    .slice(0, 32);
}

export function signId(purpose: string, id: string): string {
  return `${id}.${mac(purpose, id)}`;
}

/** The id the token names, or null if it is not a row id signed by us for this purpose. */
export function verifySignedId(purpose: string, token: string): string | null {
  const [id, sig] = token.split(".");
  if (!id || !sig || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  const expected = mac(purpose, id);
  if (sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected)))
    return null;
  return id;
}

import { createHmac, timingSafeEqual } from "node:crypto";
import { getAuthSecret } from "@/lib/auth/secret";
import { isUuid } from "@/lib/ids";

/**
 * The one-click acknowledge link of a page: `<nonce>.<expires>.<mac>`, where the nonce names the
 * page's row (escalation_pages.nonce), `expires` is its expiry in seconds since the epoch, and the
 * mac is an HMAC of both under the app secret. Altering either breaks the mac; the row's used-at
 * makes it single-use and its expiry is checked against the row, not only the link.
 */
const PURPOSE = "oncall-ack";

function mac(nonce: string, expires: number): string {
  return createHmac("sha256", getAuthSecret())
    .update(`${PURPOSE}:${nonce}:${expires}`)
    .digest("base64url");
}

export function signAckToken(nonce: string, expiresAt: Date): string {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return `${nonce}.${expires}.${mac(nonce, expires)}`;
}

/** The nonce and expiry the token names, or null if it was not signed by us (forged or altered). */
export function verifyAckToken(token: string): { nonce: string; expiresAt: Date } | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [nonce, exp, sig] = parts as [string, string, string];
  if (!isUuid(nonce) || !/^\d{1,12}$/.test(exp)) return null;
  const expected = Buffer.from(mac(nonce, Number(exp)));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { nonce: nonce.toLowerCase(), expiresAt: new Date(Number(exp) * 1000) };
}

/** The page's acknowledge link, relative to the app (the message renders it absolute). */
export function ackPath(token: string): string {
  return `/api/oncall/ack?token=${encodeURIComponent(token)}`;
}

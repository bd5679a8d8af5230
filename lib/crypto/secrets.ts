import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { LRUCache } from "lru-cache";
import { getAuthSecret } from "@/lib/auth/secret";
import { env } from "@/lib/env";

/**
 * AES-256-GCM for secrets at rest (webhook secrets, Slack/Teams URLs). The key is ENCRYPTION_KEY,
 * or derived from AUTH_SECRET with HKDF so a default install needs no extra setting.
 * Stored form: "v1.<iv>.<tag>.<ciphertext>", base64url parts.
 */

let cachedKey: Buffer | undefined;

function key(): Buffer {
  if (cachedKey) return cachedKey;
  if (env.ENCRYPTION_KEY) {
    const raw = Buffer.from(env.ENCRYPTION_KEY, "base64");
    if (raw.length !== 32) throw new Error("ENCRYPTION_KEY: must decode to exactly 32 bytes");
    cachedKey = raw;
  } else {
    cachedKey = Buffer.from(
      hkdfSync("sha256", getAuthSecret(), "beacon", "beacon/secrets-at-rest/v1", 32),
    );
  }
  return cachedKey;
}

export function encryptSecret(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const ct = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [
    "v1",
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    ct.toString("base64url"),
  ].join(".");
}

export function decryptSecret(stored: string): string {
  const [version, iv, tag, ct] = stored.split(".");
  if (version !== "v1" || !iv || !tag || ct === undefined)
    throw new Error("Unrecognised encrypted secret format");
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ct, "base64url")), decipher.final()]).toString(
    "utf8",
  );
}

/**
 * Secrets decrypted recently, by their stored form. Sending decrypts an endpoint's URL and secret
 * for every delivery, and an incident's next update reaches the same endpoints minutes later
 * (AES-GCM set-up is the largest cost of a send after the HTTP exchange itself). A stored form is
 * never reused for another value (each encryption has a fresh IV), so an entry cannot go stale:
 * a rotated secret or edited URL is a new key. Holding plaintext for minutes adds little exposure
 * to a process that holds the key itself; entries expire 15 minutes after they were decrypted.
 */
const recent = new LRUCache<string, string>({
  max: 50_000,
  ttl: 15 * 60_000,
});

/** decryptSecret, remembered for sending (see `recent`). */
export function decryptSecretForSending(stored: string): string {
  let plain = recent.get(stored);
  if (plain === undefined) {
    plain = decryptSecret(stored);
    recent.set(stored, plain);
  }
  return plain;
}

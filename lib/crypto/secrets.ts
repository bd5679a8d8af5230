import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
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

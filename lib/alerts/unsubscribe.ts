import { createHmac, timingSafeEqual } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { alertRecipients } from "@/db/schema";
import { getAuthSecret } from "@/lib/auth/secret";
import { NotFoundError } from "@/lib/errors";

/** One-click unsubscribe (RFC 8058) for extra recipients: a signed link removes the address. */
function mac(recipientId: string): string {
  return createHmac("sha256", getAuthSecret())
    .update(`unsubscribe:${recipientId}`)
    .digest("base64url")
    .slice(0, 32);
}

export function unsubscribeToken(recipientId: string): string {
  return `${recipientId}.${mac(recipientId)}`;
}

export async function unsubscribeRecipient(db: Db, token: string): Promise<{ address: string }> {
  const [id, sig] = token.split(".");
  const expected = id ? mac(id) : "";
  if (
    !id ||
    !sig ||
    sig.length !== expected.length ||
    !timingSafeEqual(Buffer.from(sig), Buffer.from(expected))
  ) {
    throw new NotFoundError("Subscription");
  }
  const [row] = await db.delete(alertRecipients).where(eq(alertRecipients.id, id)).returning();
  if (!row) throw new NotFoundError("Subscription");
  return { address: row.address };
}

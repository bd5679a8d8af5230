import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { alertRecipients } from "@/db/schema";
import { signId, verifySignedId } from "@/lib/crypto/signed-id";
import { NotFoundError } from "@/lib/errors";

/** One-click unsubscribe (RFC 8058) for extra recipients: a signed link removes the address. */
const PURPOSE = "unsubscribe";

export function unsubscribeToken(recipientId: string): string {
  return signId(PURPOSE, recipientId);
}

export async function unsubscribeRecipient(db: Db, token: string): Promise<{ address: string }> {
  const id = verifySignedId(PURPOSE, token);
  if (!id) throw new NotFoundError("Subscription");
  const [row] = await db.delete(alertRecipients).where(eq(alertRecipients.id, id)).returning();
  if (!row) throw new NotFoundError("Subscription");
  return { address: row.address };
}

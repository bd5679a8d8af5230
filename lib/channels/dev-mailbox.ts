import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { devMailbox } from "@/db/schema";

/** Development stand-in for a provider: the message is stored, clearly marked, never sent. */
export async function storeInDevMailbox(
  db: Db,
  msg: {
    orgId: string | null;
    channel: "email" | "sms";
    to: string;
    from: string;
    subject: string;
    text: string;
    html?: string;
    headers?: Record<string, string>;
    idempotencyKey: string;
  },
): Promise<string> {
  const inserted = await db
    .insert(devMailbox)
    .values({ ...msg, headers: msg.headers ?? {} })
    .onConflictDoNothing()
    .returning({ id: devMailbox.id });
  if (inserted[0]) return inserted[0].id;
  const [existing] = await db
    .select({ id: devMailbox.id })
    .from(devMailbox)
    .where(eq(devMailbox.idempotencyKey, msg.idempotencyKey));
  return existing!.id;
}

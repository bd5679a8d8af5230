import { eq, sql } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import { users } from "@/db/schema";

/**
 * Every user has a session epoch; a session records the epoch it was issued at and is refused
 * once the user's epoch has moved past it (lib/auth/session-ctx.ts checks this on every request,
 * in the query that already loads the user's membership). Bumping it ends all of the user's
 * sessions: when the address is first proven (whoever set the account up before that may hold
 * one), when the password changes, and when one of their memberships is removed.
 */
export async function bumpSessionEpoch(db: Db | Tx, userId: string): Promise<void> {
  await db
    .update(users)
    .set({ sessionEpoch: sql`${users.sessionEpoch} + 1` })
    .where(eq(users.id, userId));
}

/** The epoch a session issued now records; null for a user that does not exist. */
export async function currentSessionEpoch(db: Db, userId: string): Promise<number | null> {
  const [row] = await db
    .select({ epoch: users.sessionEpoch })
    .from(users)
    .where(eq(users.id, userId));
  return row ? row.epoch : null;
}

/**
 * A session is being issued now (any sign-in: password, email link, after accepting an
 * invitation or first-run setup): records when the user signed in, and returns the epoch the
 * session records, in one statement; null for a user that does not exist.
 */
export async function recordSignIn(db: Db, userId: string): Promise<number | null> {
  const [row] = await db
    .update(users)
    .set({ lastSignedInAt: sql`now()` })
    .where(eq(users.id, userId))
    .returning({ epoch: users.sessionEpoch });
  return row ? row.epoch : null;
}

/**
 * The epoch a session token carries. A token issued before epochs existed carries none and
 * counts as epoch 0, so it lasts until the user's first bump rather than signing everyone out.
 */
export function sessionEpochOf(token: object): number {
  const epoch = (token as { epoch?: unknown }).epoch;
  return typeof epoch === "number" && Number.isInteger(epoch) ? epoch : 0;
}

import { and, eq, sql } from "drizzle-orm";
import type { Adapter, AdapterUser, VerificationToken } from "next-auth/adapters";
import type { Db } from "@/db";
import { users, verificationTokens, type User } from "@/db/schema";
import { normalizeEmail } from "./normalize";

function toAdapterUser(u: User): AdapterUser {
  return { id: u.id, email: u.email, name: u.name, emailVerified: u.emailVerifiedAt };
}

/**
 * The part of an Auth.js adapter that magic-link sign-in needs. Sessions are JWTs, and accounts
 * are only created by invitation, so creating a user through Auth.js is refused.
 */
export function beaconAdapter(getDb: () => Promise<Db>): Adapter {
  return {
    async getUser(id) {
      const db = await getDb();
      const [u] = await db.select().from(users).where(eq(users.id, id));
      return u ? toAdapterUser(u) : null;
    },
    async getUserByEmail(email) {
      const db = await getDb();
      const [u] = await db
        .select()
        .from(users)
        .where(eq(users.email, normalizeEmail(email)));
      return u ? toAdapterUser(u) : null;
    },
    async createUser() {
      throw new Error("Beacon accounts are created by invitation only");
    },
    async updateUser(user) {
      const db = await getDb();
      const [before] = await db.select().from(users).where(eq(users.id, user.id));
      if (!before) throw new Error("User not found");
      // The first proof of owning the address also drops any password set before it and ends
      // every session issued before it: an account created from an invitation link might have
      // been set up by someone else holding that link.
      const firstVerification = !before.emailVerifiedAt && user.emailVerified;
      const [u] = await db
        .update(users)
        .set({
          emailVerifiedAt: user.emailVerified ?? before.emailVerifiedAt,
          ...(firstVerification
            ? { passwordHash: null, sessionEpoch: sql`${users.sessionEpoch} + 1` }
            : {}),
        })
        .where(eq(users.id, user.id))
        .returning();
      return toAdapterUser(u!);
    },
    async createVerificationToken(token) {
      const db = await getDb();
      await db.insert(verificationTokens).values({
        identifier: normalizeEmail(token.identifier),
        token: token.token,
        expires: token.expires,
      });
      return token;
    },
    async useVerificationToken({ identifier, token }): Promise<VerificationToken | null> {
      const db = await getDb();
      const [row] = await db
        .delete(verificationTokens)
        .where(
          and(
            eq(verificationTokens.identifier, normalizeEmail(identifier)),
            eq(verificationTokens.token, token),
          ),
        )
        .returning();
      return row ?? null;
    },
  };
}

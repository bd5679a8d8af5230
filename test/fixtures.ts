import { eq } from "drizzle-orm";
import type { Db } from "@/db";
import { users } from "@/db/schema";
import { seedDatabase } from "@/server/seed";
import { loadUserCtx } from "@/lib/auth/session-ctx";
import type { Ctx } from "@/lib/context";

/** Seeds the demo organizations and users (idempotent). */
export async function seedDemo(db: Db) {
  await seedDatabase(db, { demo: true });
}

/** The context a demo user gets after signing in (their first organization). */
export async function ctxFor(db: Db, email: string): Promise<Ctx> {
  const [user] = await db.select().from(users).where(eq(users.email, email));
  if (!user) throw new Error(`no user ${email}`);
  const ctx = await loadUserCtx(db, user.id, undefined);
  if (!ctx) throw new Error(`${email} has no membership`);
  return ctx;
}

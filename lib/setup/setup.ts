import { and, eq, gt, lte, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db";
import { memberships, organizations, PLATFORM_SLUG, setupTokens, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { emailSchema } from "@/lib/auth/normalize";
import { hashPassword, MIN_PASSWORD_LENGTH } from "@/lib/auth/password";
import { randomToken, sha256 } from "@/lib/auth/tokens";
import { withTransaction } from "@/lib/context";
import { NotFoundError, parseInput, ValidationError } from "@/lib/errors";
import { statusChangesOnCommit } from "@/lib/status/changes";
import { MAX_NAME, storable } from "@/lib/validation";

/** How long a printed setup link works; a restart prints a new one. */
export const SETUP_TOKEN_TTL_MS = 24 * 60 * 60 * 1000;

/** What `/setup` and `npm run setup` answer once a platform admin exists: the page is gone (404). */
export class SetupDoneError extends NotFoundError {
  constructor() {
    super("Setup");
    this.message = "Setup is already done: a platform admin exists. Sign in instead.";
  }
}

const name = (max: number) =>
  storable(
    z
      .string({ message: "is required" })
      .trim()
      .min(1, "is required")
      .max(max, `must be at most ${max} characters`),
  );

export const SetupInput = z.object({
  email: emailSchema,
  name: name(MAX_NAME),
  password: z
    .string({ message: "is required" })
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1024, "must be at most 1024 characters"),
  pageName: name(100),
});
const SetupToken = z.object({
  token: storable(
    z
      .string({ message: "is missing: open the link the server printed" })
      .min(10, "is not a valid setup link")
      .max(512, "is not a valid setup link"),
  ),
});

/** Whether the platform organization has no platform admin yet (first run). */
export async function needsSetup(db: Db): Promise<boolean> {
  const rows = await db
    .select({ id: memberships.id })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(and(eq(organizations.slug, PLATFORM_SLUG), eq(memberships.role, "platform_admin")))
    .limit(1);
  return rows.length === 0;
}

/**
 * At start, while no platform admin exists: a new random setup token, stored as a hash in the
 * database (so the link works on every instance), or null when setup is done.
 */
export async function issueSetupToken(db: Db, now = new Date()): Promise<string | null> {
  if (!(await needsSetup(db))) return null;
  const token = randomToken();
  // verb-no-permission: start-up work before anyone exists to hold a permission; nothing audited,
  // since a printed link changes nothing until it is used (and its use is audited).
  await withTransaction({ db }, async (tx) => {
    await tx.delete(setupTokens).where(lte(setupTokens.expiresAt, now));
    await tx.insert(setupTokens).values({
      tokenHash: sha256(token),
      expiresAt: new Date(now.getTime() + SETUP_TOKEN_TTL_MS),
    });
  });
  return token;
}

export function setupUrl(appUrl: string, token: string): string {
  const url = new URL("/setup", appUrl);
  url.searchParams.set("token", token);
  return url.toString();
}

/** The lines the server prints at start while setup is pending. */
export function setupAnnouncement(appUrl: string, token: string): string {
  return [
    "Beacon has no platform admin yet. Open this one-time link to create one and name the status page:",
    `  ${setupUrl(appUrl, token)}`,
    "(valid 24 hours; or run: npm run setup -- --email <address> --name <your name>)",
  ].join("\n");
}

/** Whether `token` is a live setup link while setup is pending (for the page to show its form). */
export async function setupTokenValid(db: Db, token: unknown, now = new Date()): Promise<boolean> {
  const parsed = SetupToken.safeParse({ token });
  if (!parsed.success) return false;
  const rows = await db
    .select({ h: setupTokens.tokenHash })
    .from(setupTokens)
    .where(
      and(eq(setupTokens.tokenHash, sha256(parsed.data.token)), gt(setupTokens.expiresAt, now)),
    );
  return rows.length > 0;
}

export class SetupLinkError extends ValidationError {
  constructor() {
    super([
      {
        field: "token",
        message:
          "is not a valid setup link (it may have expired): use the link the server printed at its last start, or restart it for a new one",
      },
    ]);
  }
}

/**
 * Creates the first platform admin and names the status page (today the platform organization's
 * name), once. `via: "link"` needs a live setup token from `input.token`; `via: "terminal"`
 * (`npm run setup`) is trusted as whoever can run commands on the server.
 *
 * Only once, even when two attempts race: the platform organization's row is locked (`FOR
 * UPDATE`) before looking for an admin, so a second attempt waits for the first to commit and then
 * finds its admin (SetupDoneError, a NotFoundError: the page is gone). Never check-then-insert
 * without that lock.
 */
// verb-no-permission: nobody holds a permission before the first admin exists; the setup token
// (or shell access to the server, for the terminal) is the credential.
export async function completeSetup({
  db,
  input,
  via,
  now = new Date(),
}: {
  db: Db;
  input: unknown;
  via: "link" | "terminal";
  now?: Date;
}) {
  const tokenHash = via === "link" ? sha256(parseInput(SetupToken, input).token) : undefined;
  const data = parseInput(SetupInput, input);
  const passwordHash = await hashPassword(data.password);
  return withTransaction({ db }, async (tx) => {
    const [platform] = await tx
      .select()
      .from(organizations)
      .where(eq(organizations.slug, PLATFORM_SLUG))
      .for("update");
    if (!platform)
      throw new Error("the platform organization is missing: the database was not seeded");
    const admins = await tx
      .select({ id: memberships.id })
      .from(memberships)
      .where(and(eq(memberships.orgId, platform.id), eq(memberships.role, "platform_admin")))
      .limit(1);
    if (admins.length > 0) throw new SetupDoneError();
    if (tokenHash) {
      const live = await tx
        .select({ h: setupTokens.tokenHash })
        .from(setupTokens)
        .where(and(eq(setupTokens.tokenHash, tokenHash), gt(setupTokens.expiresAt, now)));
      if (live.length === 0) throw new SetupLinkError();
    }
    const [existing] = await tx
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, data.email));
    if (existing) {
      throw new ValidationError([
        { field: "email", message: "already has an account: choose another address" },
      ]);
    }
    const [user] = await tx
      .insert(users)
      .values({
        email: data.email,
        name: data.name,
        passwordHash,
        // Whoever holds the printed link (or the server's shell) is the operator.
        emailVerifiedAt: now,
      })
      .returning({ id: users.id });
    const userId = user!.id;
    await tx.insert(memberships).values({ orgId: platform.id, userId, role: "platform_admin" });
    await tx
      .update(organizations)
      .set({ name: data.pageName })
      .where(eq(organizations.id, platform.id));
    // The status page shows the new name at once, on every instance.
    statusChangesOnCommit(tx);
    // Every printed link stops working.
    await tx.delete(setupTokens).where(sql`true`);
    await recordAudit(
      tx,
      { actor: { type: "user", id: userId, email: data.email, name: data.name }, org: platform },
      {
        action: "platform.setup",
        targetType: "user",
        targetId: userId,
        data: { email: data.email, pageName: data.pageName, via },
      },
    );
    return { userId, email: data.email, pageName: data.pageName };
  });
}

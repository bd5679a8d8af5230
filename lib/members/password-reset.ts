import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "@/db";
import { memberships, organizations, passwordResetTokens, users } from "@/db/schema";
import { recordAudit } from "@/lib/audit";
import { withTransaction } from "@/lib/context";
import { emailSchema } from "@/lib/auth/normalize";
import { hashPassword, MIN_PASSWORD_LENGTH } from "@/lib/auth/password";
import { hit } from "@/lib/auth/rate-limit";
import { randomToken, sha256 } from "@/lib/auth/tokens";
import { storeInDevMailbox } from "@/lib/channels/dev-mailbox";
import { sendEmail } from "@/lib/email/send";
import { env } from "@/lib/env";
import { NotFoundError, parseInput, RateLimitedError, ServiceError } from "@/lib/errors";
import { storable } from "@/lib/validation";

/** How long an emailed reset link works. */
export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

/** Asking for a reset link sends email, so it is limited per email address and per client address. */
export const PASSWORD_RESET_LIMITS = {
  email: { max: 5, windowMs: 60 * 60 * 1000 },
  address: { max: 20, windowMs: 60 * 60 * 1000 },
};

/** What everyone who asks is told, whether or not the address has an account. */
export const PASSWORD_RESET_ANSWER =
  "If an account exists for that address, we've emailed a link to set a new password. It works once and expires in 1 hour.";

const LINK_GONE =
  "Reset link (it may have expired, been used, or been replaced by a password change)";

export class PasswordResetUnavailableError extends ServiceError {
  override readonly status = 503;
  override readonly code = "email_unavailable";
  constructor() {
    super(
      "This Beacon cannot send email, so a password cannot be reset by email: ask your administrator",
    );
  }
}

/** How the reset email leaves: the configured provider, else the dev mailbox if allowed. */
export interface ResetEmailDeps {
  appUrl: string;
  emailConfigured: boolean;
  devMailbox: boolean;
  from: string;
  now?: Date;
}

function depsFromEnv(): ResetEmailDeps {
  return {
    appUrl: env.APP_URL,
    emailConfigured: env.emailConfigured,
    devMailbox: env.devMailbox,
    from: env.EMAIL_FROM,
  };
}

export function passwordResetUrl(appUrl: string, token: string): string {
  return new URL(`/signin/reset/${token}`, appUrl).toString();
}

const RequestInput = z.object({ email: emailSchema });
const resetToken = storable(
  z
    .string({ message: "is missing from the reset link" })
    .min(10, "is not a valid reset link")
    .max(512, "is not a valid reset link"),
);
const ResetInput = z.object({
  token: resetToken,
  password: z
    .string({ message: "is required" })
    .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1024),
});

async function limit(db: Db, key: string, l: { max: number; windowMs: number }, now: Date) {
  if ((await hit(db, { key, ...l }, now)) > l.max) {
    throw new RateLimitedError(
      "Too many password reset emails asked for. Try again in an hour.",
      Math.ceil(l.windowMs / 1000),
    );
  }
}

/**
 * "Forgot password": checks the address and the limits, and answers at once with what happens
 * next. Nothing here depends on whether the address has an account (the limits count every
 * address asked for, account or not), so neither the answer nor its timing tells anyone who has
 * one. The returned `send` looks the account up and emails the link; the caller runs it after
 * answering (`after()` in the server action), so a real account's email does not make the
 * answer slower.
 * verb-no-permission: there is no session; the link goes only to the address on the account,
 * and requests are limited per address and per client address.
 */
export async function requestPasswordReset(
  { db, input, clientAddress }: { db: Db; input: unknown; clientAddress: string },
  deps: ResetEmailDeps = depsFromEnv(),
): Promise<{ message: string; send: () => Promise<void> }> {
  const now = deps.now ?? new Date();
  const { email } = parseInput(RequestInput, input);
  if (!deps.emailConfigured && !deps.devMailbox) throw new PasswordResetUnavailableError();
  await limit(db, `password-reset:ip:${clientAddress}`, PASSWORD_RESET_LIMITS.address, now);
  await limit(db, `password-reset:email:${email}`, PASSWORD_RESET_LIMITS.email, now);
  return {
    message: PASSWORD_RESET_ANSWER,
    send: async () => {
      try {
        await sendPasswordResetLink({ db, email }, { ...deps, now });
      } catch (e) {
        // Nobody waits for this answer; the server log keeps why a link did not leave.
        console.error("password reset email failed", e);
      }
    },
  };
}

/** The user's organizations, in the order the portal starts in (platform first, then by name). */
async function orgsOf(db: Db | Tx, userId: string) {
  return db
    .select({ id: organizations.id })
    .from(memberships)
    .innerJoin(organizations, eq(organizations.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(organizations.kind), asc(organizations.name));
}

/**
 * Emails a one-time reset link to an existing account; does nothing for an address without one.
 * A new link does not use up older ones still valid (each expires within the hour, and using any
 * of them uses up all). The token is stored hashed.
 * verb-no-permission: reached only through requestPasswordReset, after its limits.
 */
export async function sendPasswordResetLink(
  { db, email }: { db: Db; email: string },
  deps: ResetEmailDeps = depsFromEnv(),
): Promise<boolean> {
  const now = deps.now ?? new Date();
  const [user] = await db.select().from(users).where(eq(users.email, email));
  if (!user) return false;
  const token = randomToken();
  const orgs = await withTransaction({ db }, async (tx) => {
    await tx.insert(passwordResetTokens).values({
      userId: user.id,
      tokenHash: sha256(token),
      expiresAt: new Date(now.getTime() + PASSWORD_RESET_TTL_MS),
    });
    const orgs = await orgsOf(tx, user.id);
    for (const org of orgs) {
      await recordAudit(
        tx,
        { org, actor: { type: "user", id: user.id, email: user.email, name: user.name } },
        { action: "user.password_reset_requested", targetType: "user", targetId: user.id },
      );
    }
    return orgs;
  });
  const url = passwordResetUrl(deps.appUrl, token);
  const msg = {
    to: user.email,
    subject: "Reset your Beacon password",
    text: `Someone asked to reset the password of the Beacon account ${user.email}.\n\nSet a new password: ${url}\n\nThe link works once and expires in 1 hour. Setting a new password signs you out everywhere. If you did not ask for this, ignore this email: your password stays as it is.`,
  };
  if (deps.emailConfigured) {
    await sendEmail({ ...msg, idempotencyKey: `password-reset:${sha256(token)}` });
  } else {
    // No provider: the message goes to the dev mailbox of the user's first organization.
    await storeInDevMailbox(db, {
      ...msg,
      orgId: orgs[0]?.id ?? null,
      channel: "email",
      from: deps.from,
      idempotencyKey: `password-reset:${sha256(token)}`,
    });
  }
  return true;
}

async function usableToken(db: Db | Tx, token: string, now: Date, lock: boolean) {
  const q = db
    .select({ t: passwordResetTokens, u: users })
    .from(passwordResetTokens)
    .innerJoin(users, eq(users.id, passwordResetTokens.userId))
    .where(eq(passwordResetTokens.tokenHash, sha256(token)));
  const [row] = lock ? await q.for("update", { of: passwordResetTokens }) : await q;
  if (!row || row.t.usedAt || row.t.expiresAt <= now) throw new NotFoundError(LINK_GONE);
  return row;
}

/** What the page behind the emailed link shows before a new password is chosen. */
export async function describePasswordReset(db: Db, token: string, now = new Date()) {
  // A malformed token names no link, like an unknown one.
  if (!resetToken.safeParse(token).success) throw new NotFoundError(LINK_GONE);
  const { u } = await usableToken(db, token, now, false);
  return { email: u.email };
}

/** Uses up every unused reset link of the user (the password was just set some other way too). */
export async function useUpResetLinks(tx: Tx, userId: string, now: Date): Promise<void> {
  await tx
    .update(passwordResetTokens)
    .set({ usedAt: now })
    .where(and(eq(passwordResetTokens.userId, userId), isNull(passwordResetTokens.usedAt)));
}

/**
 * Sets a new password from an emailed reset link, which proves the address: the link works once
 * (every other link of the user is used up with it), the address counts as verified, and every
 * session of the user ends (the session epoch moves on). The caller signs the person in again.
 * verb-no-permission: there is no session; the emailed one-time token is the credential.
 */
export async function resetPassword(
  { db, input }: { db: Db; input: unknown },
  { now: at }: { now?: Date } = {},
): Promise<{ userId: string; email: string }> {
  const { token, password } = parseInput(ResetInput, input);
  const passwordHash = await hashPassword(password);
  return withTransaction({ db }, async (tx) => {
    const now = at ?? new Date();
    const { u } = await usableToken(tx, token, now, true);
    await tx
      .update(users)
      .set({
        passwordHash,
        sessionEpoch: sql`${users.sessionEpoch} + 1`,
        emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)`,
      })
      .where(eq(users.id, u.id));
    await useUpResetLinks(tx, u.id, now);
    const actor = { type: "user" as const, id: u.id, email: u.email, name: u.name };
    for (const org of await orgsOf(tx, u.id)) {
      await recordAudit(
        tx,
        { org, actor },
        { action: "user.password_reset", targetType: "user", targetId: u.id },
      );
    }
    return { userId: u.id, email: u.email };
  });
}

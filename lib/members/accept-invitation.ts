import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "@/db";
import { invitations, memberships, organizations, users } from "@/db/schema";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit";
import { withTransaction } from "@/lib/context";
import { hashPassword } from "@/lib/auth/password";
import { hit } from "@/lib/auth/rate-limit";
import { randomToken, sha256 } from "@/lib/auth/tokens";
import { storeInDevMailbox } from "@/lib/channels/dev-mailbox";
import { sendEmail } from "@/lib/email/send";
import { env } from "@/lib/env";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  parseInput,
  RateLimitedError,
  ServiceError,
  UnauthorizedError,
} from "@/lib/errors";
import {
  AcceptInvitationInput,
  CreateInvitedAccountInput,
  RequestInvitationVerificationInput,
} from "./schemas";

const GONE = "Invitation (it may have expired or been used)";
const CODE_GONE =
  "Verification link (it may have expired, been used, or been replaced by a newer one)";

/** How long the emailed link that proves the invited address works. */
export const INVITATION_VERIFY_TTL_MS = 60 * 60 * 1000;

/** Asking for that link sends email, so it is limited per invitation and per client address. */
export const INVITATION_VERIFY_LIMITS = {
  invitation: { max: 5, windowMs: 60 * 60 * 1000 },
  address: { max: 20, windowMs: 60 * 60 * 1000 },
};

export class InvitationEmailUnavailableError extends ServiceError {
  override readonly status = 503;
  override readonly code = "email_unavailable";
  constructor() {
    super(
      "This Beacon cannot send email, so it cannot confirm the invited address: ask the admin who invited you to configure email, or sign in if you already have an account",
    );
  }
}

export class InvitationEmailFailedError extends ServiceError {
  override readonly status = 502;
  override readonly code = "email_failed";
}

/** How the verification email leaves: the configured provider, else the dev mailbox if allowed. */
export interface VerificationEmailDeps {
  appUrl: string;
  emailConfigured: boolean;
  devMailbox: boolean;
  from: string;
  now?: Date;
}

function depsFromEnv(): VerificationEmailDeps {
  return {
    appUrl: env.APP_URL,
    emailConfigured: env.emailConfigured,
    devMailbox: env.devMailbox,
    from: env.EMAIL_FROM,
  };
}

/**
 * The organization whose dev mailbox shows an invitation's verification email: the invited one,
 * unless the inviter is not its member (a platform admin inviting a tenant's first admin).
 */
async function invitingOrgId(
  db: Db,
  inv: { orgId: string; invitedBy: string | null },
): Promise<string> {
  if (!inv.invitedBy) return inv.orgId;
  const [own] = await db
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.orgId, inv.orgId), eq(memberships.userId, inv.invitedBy)));
  if (own) return inv.orgId;
  const [platform] = await db
    .select({ id: organizations.id })
    .from(organizations)
    .innerJoin(memberships, eq(memberships.orgId, organizations.id))
    .where(and(eq(organizations.kind, "platform"), eq(memberships.userId, inv.invitedBy)));
  return platform?.id ?? inv.orgId;
}

export function invitationVerifyUrl(appUrl: string, code: string): string {
  return new URL(`/invite/verify/${code}`, appUrl).toString();
}

type Row = { inv: typeof invitations.$inferSelect; org: typeof organizations.$inferSelect };

function usable(row: Row | undefined, now: Date): row is Row {
  return Boolean(row && !row.inv.revokedAt && !row.inv.acceptedAt && row.inv.expiresAt > now);
}

async function invitationBy(
  db: Db | Tx,
  where: ReturnType<typeof eq>,
  lock: boolean,
): Promise<Row | undefined> {
  const q = db
    .select({ inv: invitations, org: organizations })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .where(where);
  const [row] = lock ? await q.for("update", { of: invitations }) : await q;
  return row;
}

/** What the invitation page shows before the invitee accepts. */
export async function describeInvitation(db: Db, token: string) {
  const row = await invitationBy(db, eq(invitations.tokenHash, sha256(token)), false);
  if (!usable(row, new Date())) throw new NotFoundError(GONE);
  return { email: row.inv.email, role: row.inv.role, orgName: row.org.name };
}

/** What the page behind the emailed verification link shows before the account is created. */
export async function describeInvitationVerification(db: Db, code: string) {
  const now = new Date();
  const row = await invitationBy(db, eq(invitations.verifyTokenHash, sha256(code)), false);
  if (!usable(row, now) || !row.inv.verifyExpiresAt || row.inv.verifyExpiresAt <= now) {
    throw new NotFoundError(CODE_GONE);
  }
  return { email: row.inv.email, role: row.inv.role, orgName: row.org.name };
}

async function limit(db: Db | Tx, key: string, l: { max: number; windowMs: number }, now: Date) {
  if ((await hit(db, { key, ...l }, now)) > l.max) {
    throw new RateLimitedError(
      "Too many verification emails asked for. Try again in an hour.",
      Math.ceil(l.windowMs / 1000),
    );
  }
}

/**
 * Someone without a session opened an invitation link. Holding the link proves nothing (the
 * inviting admin may have seen it), so nobody gets an account from it directly: this emails a
 * one-time link to the invited address, and only following that link creates the account
 * (`createAccountFromInvitation`). A newer request replaces the code of an older one.
 * verb-no-permission: there is no session; the email goes only to the invited address, and
 * requests are limited per invitation and per client address.
 */
export async function requestInvitationVerification(
  {
    db,
    input,
    clientAddress,
  }: {
    db: Db;
    input: unknown;
    clientAddress: string;
  },
  deps: VerificationEmailDeps = depsFromEnv(),
): Promise<{ email: string }> {
  const now = deps.now ?? new Date();
  const { token } = parseInput(RequestInvitationVerificationInput, input);
  if (!deps.emailConfigured && !deps.devMailbox) throw new InvitationEmailUnavailableError();
  await limit(db, `invite-verify:ip:${clientAddress}`, INVITATION_VERIFY_LIMITS.address, now);
  const code = randomToken();
  const { inv, org } = await withTransaction({ db }, async (tx) => {
    const row = await invitationBy(tx, eq(invitations.tokenHash, sha256(token)), true);
    if (!usable(row, now)) throw new NotFoundError(GONE);
    // Counted in the transaction, once the invitation is known to exist: a refused request
    // rolls back, replacing no code.
    await limit(tx, `invite-verify:inv:${row.inv.id}`, INVITATION_VERIFY_LIMITS.invitation, now);
    const [existing] = await tx
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, row.inv.email));
    if (existing) {
      throw new ConflictError(
        `${row.inv.email} already has a Beacon account: sign in as it to accept the invitation`,
      );
    }
    await tx
      .update(invitations)
      .set({
        verifyTokenHash: sha256(code),
        verifyExpiresAt: new Date(now.getTime() + INVITATION_VERIFY_TTL_MS),
      })
      .where(eq(invitations.id, row.inv.id));
    await recordAudit(
      tx,
      { org: row.org, actor: SYSTEM_ACTOR },
      {
        action: "member.invitation_verification_requested",
        targetType: "invitation",
        targetId: row.inv.id,
        data: { email: row.inv.email },
      },
    );
    return row;
  });
  const url = invitationVerifyUrl(deps.appUrl, code);
  const msg = {
    to: inv.email,
    subject: `Confirm your email to join ${org.name} on Beacon`,
    text: `Someone opened the invitation for ${inv.email} to join ${org.name} on Beacon and asked to confirm the address.\n\nCreate your account: ${url}\n\nThe link works once and expires in 1 hour. If this was not you, ignore this email: nothing happens without it.`,
  };
  if (deps.emailConfigured) {
    try {
      await sendEmail(msg);
    } catch (e) {
      throw new InvitationEmailFailedError(
        `The verification email could not be sent (${(e as Error).message}); try again later`,
      );
    }
  } else {
    // No provider: the message goes to the inviting organization's dev mailbox, clearly not sent
    // (the platform's, for a tenant's first admin invited by a platform admin).
    await storeInDevMailbox(db, {
      ...msg,
      orgId: await invitingOrgId(db, inv),
      channel: "email",
      from: deps.from,
      idempotencyKey: `invitation-verify:${sha256(code)}`,
    });
  }
  return { email: inv.email };
}

/** Adds the membership and uses the invitation up; the caller writes the audit row. */
async function join(tx: Tx, { inv }: Row, user: typeof users.$inferSelect) {
  const inserted = await tx
    .insert(memberships)
    .values({ orgId: inv.orgId, userId: user.id, role: inv.role })
    .onConflictDoNothing()
    .returning();
  if (!inserted.length) throw new ConflictError("You are already a member of this organization");
  await tx
    .update(invitations)
    .set({ acceptedAt: new Date(), verifyTokenHash: null, verifyExpiresAt: null })
    .where(eq(invitations.id, inv.id));
  return inserted[0]!;
}

function joinedAudit(row: Row, user: typeof users.$inferSelect, membershipId: string) {
  return [
    {
      org: row.org,
      actor: { type: "user" as const, id: user.id, email: user.email, name: user.name },
    },
    {
      action: "member.joined",
      targetType: "membership",
      targetId: membershipId,
      data: { role: row.inv.role },
    },
  ] as const;
}

/**
 * Accepts an invitation for someone signed in: they join with their own account, which must be
 * the invited address (already proven by signing in). Nobody proves an account by typing its
 * password here, so the form cannot be used to guess passwords. Without a session, the address
 * is proven first by the emailed link (`requestInvitationVerification`).
 * verb-no-permission: there is no membership yet; the invitation token and the session are the
 * credentials.
 */
export async function acceptInvitation({
  db,
  input,
  signedInUserId,
}: {
  db: Db;
  input: unknown;
  signedInUserId?: string;
}) {
  const { token } = parseInput(AcceptInvitationInput, input);
  return withTransaction({ db }, async (tx) => {
    const row = await invitationBy(tx, eq(invitations.tokenHash, sha256(token)), true);
    if (!usable(row, new Date())) throw new NotFoundError(GONE);
    if (!signedInUserId) {
      throw new UnauthorizedError(
        `Sign in as ${row.inv.email}, or confirm that address by email, to accept this invitation`,
      );
    }
    const [user] = await tx.select().from(users).where(eq(users.id, signedInUserId));
    if (!user || user.email !== row.inv.email) {
      throw new ForbiddenError(
        `This invitation is for ${row.inv.email}; sign in as that address to accept it`,
      );
    }
    const m = await join(tx, row, user);
    await recordAudit(tx, ...joinedAudit(row, user, m.id));
    return { userId: user.id, email: user.email, orgId: row.org.id };
  });
}

/**
 * Creates the account of someone who followed the link emailed to the invited address, which
 * proves they own it: the address is verified from the start, the password is theirs, and they
 * join the organization. The link works once.
 * verb-no-permission: there is no account yet; the emailed one-time code is the credential.
 */
export async function createAccountFromInvitation({ db, input }: { db: Db; input: unknown }) {
  const { code, name, password } = parseInput(CreateInvitedAccountInput, input);
  const passwordHash = await hashPassword(password);
  return withTransaction({ db }, async (tx) => {
    const now = new Date();
    const row = await invitationBy(tx, eq(invitations.verifyTokenHash, sha256(code)), true);
    if (!usable(row, now) || !row.inv.verifyExpiresAt || row.inv.verifyExpiresAt <= now) {
      throw new NotFoundError(CODE_GONE);
    }
    const [user] = await tx
      .insert(users)
      .values({ email: row.inv.email, name, passwordHash, emailVerifiedAt: now })
      .onConflictDoNothing({ target: users.email })
      .returning();
    if (!user) {
      throw new ConflictError(
        `${row.inv.email} already has a Beacon account: sign in as it to accept the invitation`,
      );
    }
    const m = await join(tx, row, user);
    await recordAudit(tx, ...joinedAudit(row, user, m.id));
    return { userId: user.id, email: user.email, orgId: row.org.id };
  });
}

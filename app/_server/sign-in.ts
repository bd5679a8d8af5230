import "server-only";
import { CredentialsSignin } from "next-auth";
import { getDb } from "@/server/database";
import { verifyCredentials } from "@/lib/auth/credentials";
import { isMember, suspendedSignInRefusal } from "@/lib/auth/session-ctx";
import { env } from "@/lib/env";
import { RateLimitedError } from "@/lib/errors";
import { clientAddressOf } from "./client-address";

/**
 * A password sign-in refused by a rate limit. Auth.js hands this very error to the sign-in
 * action, which shows `userMessage`: when to try again, or to use the email link.
 */
export class SignInRateLimited extends CredentialsSignin {
  override code = "rate_limited";
  readonly userMessage: string;
  constructor(userMessage: string) {
    super();
    this.userMessage = userMessage;
  }
}

/** A right password for someone whose every organization is suspended: told so, not let in. */
export class SignInSuspended extends CredentialsSignin {
  override code = "suspended";
  readonly userMessage: string;
  constructor(userMessage: string) {
    super();
    this.userMessage = userMessage;
  }
}

/** The Credentials provider's `authorize`: the user to sign in, or null for a wrong password. */
export async function authorizePassword(
  credentials: Partial<Record<string, unknown>>,
  request: Request,
) {
  try {
    const db = await getDb();
    const user = await verifyCredentials(db, credentials, clientAddressOf(request.headers), {
      magicLink: env.emailConfigured,
    });
    if (!user) return null;
    const suspended = await suspendedSignInRefusal(db, user.id);
    if (suspended) throw new SignInSuspended(suspended);
    const orgId = typeof credentials.orgId === "string" ? credentials.orgId : undefined;
    const startIn = orgId && (await isMember(db, user.id, orgId)) ? orgId : undefined;
    return { id: user.id, email: user.email, name: user.name, orgId: startIn };
  } catch (e) {
    if (e instanceof RateLimitedError) throw new SignInRateLimited(e.message);
    throw e;
  }
}

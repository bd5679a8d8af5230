import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import Resend from "next-auth/providers/resend";
import { getDb } from "@/server/database";
import { beaconAdapter } from "@/lib/auth/adapter";
import { clientAddressOf } from "./client-address";
import { verifyCredentials } from "@/lib/auth/credentials";
import { getAuthSecret } from "@/lib/auth/secret";
import { isMember } from "@/lib/auth/session-ctx";
import { sendMagicLink } from "@/lib/auth/magic-link";
import { env } from "@/lib/env";
import { RateLimitedError } from "@/lib/errors";

declare module "next-auth" {
  interface Session {
    user: { id: string } & DefaultSession["user"];
    /** The organization the user is acting for; the role is looked up per request. */
    orgId?: string;
  }
}

export class SignInRateLimited extends CredentialsSignin {
  override code = "rate_limited";
  /** What the sign-in page shows: when to try again, or to use the email link. */
  readonly userMessage: string;
  constructor(userMessage: string) {
    super();
    this.userMessage = userMessage;
  }
}

export const { handlers, auth, signIn, signOut, unstable_update } = NextAuth(() => ({
  secret: getAuthSecret(),
  // Beacon is self-hosted behind whatever host name the operator gives it.
  trustHost: true,
  session: { strategy: "jwt", maxAge: 7 * 24 * 60 * 60 },
  pages: { signIn: "/signin", error: "/signin", verifyRequest: "/signin?check-email=1" },
  adapter: env.emailConfigured ? beaconAdapter(getDb) : undefined,
  providers: [
    Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" }, orgId: {} },
      async authorize(credentials, request) {
        try {
          const db = await getDb();
          const user = await verifyCredentials(db, credentials, clientAddressOf(request.headers), {
            magicLink: env.emailConfigured,
          });
          if (!user) return null;
          const orgId = typeof credentials.orgId === "string" ? credentials.orgId : undefined;
          const startIn = orgId && (await isMember(db, user.id, orgId)) ? orgId : undefined;
          return { id: user.id, email: user.email, name: user.name, orgId: startIn };
        } catch (e) {
          if (e instanceof RateLimitedError) throw new SignInRateLimited(e.message);
          throw e;
        }
      },
    }),
    ...(env.emailConfigured
      ? [
          Resend({
            apiKey: env.RESEND_API_KEY,
            from: env.EMAIL_FROM,
            maxAge: 15 * 60,
            sendVerificationRequest: async ({ identifier, url }) => {
              // Auth.js builds the link from the request's (forwardable) host; only APP_URL is trusted.
              const link = new URL(url);
              const trusted = new URL(link.pathname + link.search, env.APP_URL).toString();
              await sendMagicLink(await getDb(), identifier, trusted);
            },
          }),
        ]
      : []),
  ],
  callbacks: {
    async jwt({ token, user, trigger, session }) {
      if (user?.id) {
        token.uid = user.id;
        const startIn = (user as { orgId?: unknown }).orgId;
        token.orgId = typeof startIn === "string" ? startIn : undefined;
      }
      if (trigger === "update" && typeof token.uid === "string") {
        const orgId = (session as { orgId?: unknown } | undefined)?.orgId;
        // The session is only a hint; membership is checked here and again on every request.
        if (typeof orgId === "string" && (await isMember(await getDb(), token.uid, orgId))) {
          token.orgId = orgId;
        }
      }
      return token;
    },
    session({ session, token }) {
      if (typeof token.uid === "string") session.user.id = token.uid;
      session.orgId = typeof token.orgId === "string" ? token.orgId : undefined;
      return session;
    },
  },
}));

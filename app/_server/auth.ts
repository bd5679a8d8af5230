import NextAuth, { type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import Resend from "next-auth/providers/resend";
import { getDb } from "@/server/database";
import { beaconAdapter } from "@/lib/auth/adapter";
import { authorizePassword } from "./sign-in";
import { getAuthSecret } from "@/lib/auth/secret";
import { isMember } from "@/lib/auth/session-ctx";
import { recordSignIn, sessionEpochOf } from "@/lib/auth/session-epoch";
import { sendMagicLink } from "@/lib/auth/magic-link";
import { env } from "@/lib/env";
import { authLogger } from "./auth-logger";

declare module "next-auth" {
  interface Session {
    user: { id: string } & DefaultSession["user"];
    /** The organization the user is acting for; the role is looked up per request. */
    orgId?: string;
    /** The user's session epoch when this session was issued (lib/auth/session-epoch.ts). */
    epoch: number;
  }
}

export const { handlers, auth, signIn, signOut, unstable_update } = NextAuth(() => ({
  secret: getAuthSecret(),
  // Beacon is self-hosted behind whatever host name the operator gives it.
  trustHost: true,
  // A wrong password is one line in the server log, not a stack trace.
  logger: authLogger,
  session: { strategy: "jwt", maxAge: 7 * 24 * 60 * 60 },
  pages: { signIn: "/signin", error: "/signin", verifyRequest: "/signin?check-email=1" },
  adapter: env.emailConfigured ? beaconAdapter(getDb) : undefined,
  providers: [
    Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" }, orgId: {} },
      authorize: authorizePassword,
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
        // Read after sign-in's own writes (a first magic-link sign-in bumps the epoch), so the
        // session being issued is current and every older one is not; the same statement
        // records when the user signed in (the activation checklist reads it).
        token.epoch = (await recordSignIn(await getDb(), user.id)) ?? 0;
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
      session.epoch = sessionEpochOf(token);
      return session;
    },
  },
}));

import { orNotFound } from "@/app/_server/not-found";
import type { Metadata } from "next";
import Link from "next/link";
import { getSessionCtx } from "@/app/_server/ctx";
import { getDb } from "@/server/database";
import { describeInvitation } from "@/lib/members/accept-invitation";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { AcceptAsSignedIn, RequestVerificationEmail } from "./accept-form";
import { acceptInvitationAction, requestInvitationEmailAction } from "./actions";

export const metadata: Metadata = { title: "Invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await orNotFound(describeInvitation(await getDb(), token));
  const ctx = await getSessionCtx();
  const me = ctx?.actor.type === "user" ? ctx.actor : null;
  const signInHref = `/signin?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`;
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 p-6">
      <h1 className="text-2xl font-semibold">Join {invitation.orgName}</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {invitation.email} is invited as <strong>{ROLE_LABELS[invitation.role]}</strong>.
      </p>
      {me?.email === invitation.email ? (
        <AcceptAsSignedIn token={token} action={acceptInvitationAction} />
      ) : me ? (
        <p role="alert" className="text-sm">
          You are signed in as {me.email}. This invitation is for {invitation.email}: sign out, then
          sign in as that address to accept it.
        </p>
      ) : (
        <>
          <RequestVerificationEmail
            token={token}
            email={invitation.email}
            action={requestInvitationEmailAction}
          />
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Already have a Beacon account for {invitation.email}?{" "}
            <Link href={signInHref} className="text-sky-700 underline dark:text-sky-400">
              Sign in to accept
            </Link>
          </p>
        </>
      )}
    </main>
  );
}

import { orNotFound } from "@/app/_server/not-found";
import type { Metadata } from "next";
import { getDb } from "@/server/database";
import { describeInvitationVerification } from "@/lib/members/accept-invitation";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { CreateAccount } from "../../[token]/accept-form";
import { createInvitedAccountAction } from "./actions";

export const metadata: Metadata = { title: "Create your account" };

/** The page behind the link emailed to the invited address (the address is now proven). */
export default async function VerifiedInvitePage({
  params,
}: {
  params: Promise<{ code: string }>;
}) {
  const { code } = await params;
  const invitation = await orNotFound(describeInvitationVerification(await getDb(), code));
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 p-6">
      <h1 className="text-2xl font-semibold">Join {invitation.orgName}</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {invitation.email} is confirmed and invited as{" "}
        <strong>{ROLE_LABELS[invitation.role]}</strong>. Choose your name and password.
      </p>
      <CreateAccount code={code} action={createInvitedAccountAction} />
    </main>
  );
}

import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { getDb } from "@/db";
import { describeInvitation } from "@/lib/members/accept-invitation";
import { NotFoundError } from "@/lib/errors";
import { ROLE_LABELS } from "@/lib/auth/roles";
import { AcceptForm } from "./accept-form";
import { acceptInvitationAction } from "./actions";

export const metadata: Metadata = { title: "Invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await describeInvitation(await getDb(), token).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 p-6">
      <h1 className="text-2xl font-semibold">Join {invitation.orgName}</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {invitation.email} is invited as <strong>{ROLE_LABELS[invitation.role]}</strong>.
      </p>
      <AcceptForm
        token={token}
        hasAccount={invitation.hasAccount}
        action={acceptInvitationAction}
      />
    </main>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { orNotFound } from "@/app/_server/not-found";
import { getDb } from "@/server/database";
import { describePasswordReset } from "@/lib/members/password-reset";
import { ResetPasswordForm } from "./reset-form";
import { resetPasswordAction } from "./actions";

export const metadata: Metadata = { title: "Set a new password" };

/** The page behind the emailed reset link; a used, expired or unknown link is a 404. */
export default async function ResetPasswordPage({
  params,
}: {
  params: Promise<{ token: string }>;
}) {
  const { token } = await params;
  const reset = await orNotFound(describePasswordReset(await getDb(), token));
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 p-6">
      <div>
        <Link href="/signin" className="text-sm text-slate-500 hover:underline dark:text-slate-400">
          ← Sign in
        </Link>
        <h1 className="mt-4 text-2xl font-semibold">Set a new password</h1>
      </div>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        For {reset.email}. The link works once; every session of this account is signed out.
      </p>
      <ResetPasswordForm token={token} action={resetPasswordAction} />
    </main>
  );
}

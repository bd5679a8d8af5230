import type { Metadata } from "next";
import Link from "next/link";
import { ForgotPasswordForm } from "./forgot-form";
import { requestPasswordResetAction } from "./actions";

export const metadata: Metadata = { title: "Forgot password" };

export default function ForgotPasswordPage() {
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-6 p-6">
      <div>
        <Link href="/signin" className="text-sm text-slate-500 hover:underline dark:text-slate-400">
          ← Sign in
        </Link>
        <h1 className="mt-4 text-2xl font-semibold">Forgot your password?</h1>
      </div>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Enter the address you sign in with. If it has an account, we email it a link to choose a new
        password; the link works once and expires in 1 hour. Setting a new password signs you out
        everywhere.
      </p>
      <ForgotPasswordForm action={requestPasswordResetAction} />
    </main>
  );
}

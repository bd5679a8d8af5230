import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getSessionCtx } from "@/app/_server/ctx";
import { auth } from "@/app/_server/auth";
import { getDb } from "@/server/database";
import { suspendedSignInRefusal } from "@/lib/auth/session-ctx";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { env } from "@/lib/env";
import { EmailLinkForm, PasswordForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  if (await getSessionCtx()) redirect(callbackUrl);
  // Signed in (by an email link, or before a suspension) with nowhere to act: say why.
  const session = await auth();
  const suspended = session?.user?.id
    ? await suspendedSignInRefusal(await getDb(), session.user.id)
    : null;
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center gap-8 p-6">
      <div>
        <Link href="/" className="text-sm text-slate-500 hover:underline dark:text-slate-400">
          ← Status page
        </Link>
        <h1 className="mt-4 text-2xl font-semibold">Sign in to Beacon</h1>
      </div>
      {suspended && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {suspended}
        </p>
      )}
      {params["check-email"] && (
        <p role="status" className="text-sm">
          Check your email for a sign-in link.
        </p>
      )}
      {params.error && !params["check-email"] && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          That sign-in link is invalid or has expired.
        </p>
      )}
      <PasswordForm callbackUrl={callbackUrl} />
      <p className="-mt-4 text-sm">
        <Link href="/signin/forgot" className="text-sky-700 underline dark:text-sky-400">
          Forgot password?
        </Link>
      </p>
      {env.emailConfigured && (
        <div className="border-t border-slate-200 pt-6 dark:border-slate-800">
          <EmailLinkForm callbackUrl={callbackUrl} />
        </div>
      )}
    </main>
  );
}

"use client";

import Link from "next/link";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<null>>;

/** Signed in as the invited address: one click joins. */
export function AcceptAsSignedIn({ token, action }: { token: string; action: Action }) {
  return (
    <ActionForm action={action} className="space-y-4" label="Accept invitation">
      <input type="hidden" name="token" value={token} />
      <SubmitButton pendingText="Joining…">Accept invitation</SubmitButton>
    </ActionForm>
  );
}

/** Not signed in: first prove the invited address by a link emailed to it. */
export function RequestVerificationEmail({
  token,
  email,
  action,
}: {
  token: string;
  email: string;
  action: Action;
}) {
  return (
    <ActionForm action={action} className="space-y-4" label="Confirm your email address">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        To create your account, confirm that {email} is yours: we email a link to it.
      </p>
      <input type="hidden" name="token" value={token} />
      <SubmitButton pendingText="Sending…">Email me a link</SubmitButton>
    </ActionForm>
  );
}

/** Behind the emailed link: the address is proven, so choose a name and password. */
export function CreateAccount({ code, action }: { code: string; action: Action }) {
  return (
    <ActionForm
      action={action}
      className="space-y-4"
      label="Create your account"
      render={(s) =>
        s?.ok ? (
          <Link href="/signin" className="inline-block text-sky-700 underline dark:text-sky-400">
            Sign in
          </Link>
        ) : null
      }
    >
      <input type="hidden" name="code" value={code} />
      <Field label="Your name" name="name" required autoComplete="name" />
      <Field
        label="Choose a password"
        name="password"
        type="password"
        required
        autoComplete="new-password"
        hint="At least 10 characters."
      />
      <SubmitButton pendingText="Joining…">Create account and join</SubmitButton>
    </ActionForm>
  );
}

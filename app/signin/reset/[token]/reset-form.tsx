"use client";

import Link from "next/link";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<null>>;

/** Behind the emailed link: choose the new password. */
export function ResetPasswordForm({ token, action }: { token: string; action: Action }) {
  return (
    <ActionForm
      action={action}
      className="space-y-4"
      label="Set a new password"
      render={(s) =>
        s?.ok ? (
          <Link href="/signin" className="inline-block text-sky-700 underline dark:text-sky-400">
            Sign in
          </Link>
        ) : s?.fields?.password ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            New password: {s.fields.password}
          </p>
        ) : null
      }
    >
      <input type="hidden" name="token" value={token} />
      <Field
        label="New password"
        name="password"
        type="password"
        required
        autoComplete="new-password"
        hint="At least 10 characters. Every session of yours is signed out."
      />
      <SubmitButton pendingText="Saving…">Set new password</SubmitButton>
    </ActionForm>
  );
}

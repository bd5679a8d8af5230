"use client";

import Link from "next/link";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";

export function AcceptForm({
  token,
  hasAccount,
  action,
}: {
  token: string;
  hasAccount: boolean;
  action: (prev: unknown, form: FormData) => Promise<ActionResult<null>>;
}) {
  return (
    <ActionForm
      action={action}
      className="space-y-4"
      label="Accept invitation"
      render={(state) =>
        state?.ok ? (
          <Link href="/signin" className="inline-block text-sky-700 underline dark:text-sky-400">
            Sign in
          </Link>
        ) : state?.fields ? (
          <ul role="alert" className="text-sm text-red-700 dark:text-red-400">
            {Object.entries(state.fields).map(([f, m]) => (
              <li key={f}>
                {f}: {m}
              </li>
            ))}
          </ul>
        ) : null
      }
    >
      <input type="hidden" name="token" value={token} />
      {!hasAccount && <Field label="Your name" name="name" required autoComplete="name" />}
      <Field
        label={hasAccount ? "Your Beacon password" : "Choose a password"}
        name="password"
        type="password"
        required
        autoComplete={hasAccount ? "current-password" : "new-password"}
        hint={
          hasAccount ? "You already have an account; confirm it's you." : "At least 10 characters."
        }
      />
      <SubmitButton pendingText="Joining…">Accept invitation</SubmitButton>
    </ActionForm>
  );
}

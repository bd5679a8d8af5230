"use client";

import Link from "next/link";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<null>>;

function Errors({ state }: { state: ActionResult<null> | null }) {
  if (state?.ok) {
    return (
      <Link href="/signin" className="inline-block text-sky-700 underline dark:text-sky-400">
        Sign in
      </Link>
    );
  }
  if (!state?.fields) return null;
  return (
    <ul role="alert" className="text-sm text-red-700 dark:text-red-400">
      {Object.entries(state.fields).map(([f, m]) => (
        <li key={f}>
          {f}: {m}
        </li>
      ))}
    </ul>
  );
}

/** Signed in as the invited address: one click joins. */
export function AcceptAsSignedIn({ token, action }: { token: string; action: Action }) {
  return (
    <ActionForm
      action={action}
      className="space-y-4"
      label="Accept invitation"
      render={(s) => <Errors state={s} />}
    >
      <input type="hidden" name="token" value={token} />
      <SubmitButton pendingText="Joining…">Accept invitation</SubmitButton>
    </ActionForm>
  );
}

/** Not signed in: create an account for the invited address. */
export function AcceptWithNewAccount({ token, action }: { token: string; action: Action }) {
  return (
    <ActionForm
      action={action}
      className="space-y-4"
      label="Create your account"
      render={(s) => <Errors state={s} />}
    >
      <input type="hidden" name="token" value={token} />
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

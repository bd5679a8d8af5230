"use client";

import { useActionState, useState } from "react";
import { Field } from "@/components/ui/field";
import { SubmitButton } from "@/components/ui/button";
import { signInWithEmailLink, signInWithPassword, type SignInState } from "./actions";

export function PasswordForm({ callbackUrl }: { callbackUrl: string }) {
  const [state, action] = useActionState<SignInState, FormData>(signInWithPassword, {});
  // Controlled, so a failed attempt (which resets the form) keeps the address typed.
  const [email, setEmail] = useState("");
  return (
    <form action={action} className="space-y-4" aria-label="Sign in with password">
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <Field
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
      />
      {state.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {state.error}
        </p>
      )}
      <SubmitButton pendingText="Signing in…">Sign in</SubmitButton>
    </form>
  );
}

export function EmailLinkForm({ callbackUrl }: { callbackUrl: string }) {
  const [state, action] = useActionState<SignInState, FormData>(signInWithEmailLink, {});
  if (state.sent) {
    return (
      <p role="status" className="text-sm">
        If an account exists for that address, a sign-in link is on its way. It expires in 15
        minutes.
      </p>
    );
  }
  return (
    <form action={action} className="space-y-4" aria-label="Email me a sign-in link">
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <Field
        label="Email for a sign-in link"
        name="email"
        type="email"
        autoComplete="email"
        required
      />
      {state.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {state.error}
        </p>
      )}
      <SubmitButton variant="secondary" pendingText="Sending…">
        Email me a link
      </SubmitButton>
    </form>
  );
}

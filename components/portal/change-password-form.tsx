"use client";

import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<null>>;

/** Changes (or first sets) the signed-in person's password; other sessions are signed out. */
export function ChangePasswordForm({
  action,
  hasPassword,
}: {
  action: Action;
  hasPassword: boolean;
}) {
  return (
    <ActionForm
      action={action}
      label={hasPassword ? "Change password" : "Set a password"}
      className="space-y-4"
      render={(s) =>
        s && !s.ok && s.fields ? (
          <ul role="alert" className="text-sm text-red-700 dark:text-red-400">
            {Object.entries(s.fields).map(([f, m]) => (
              <li key={f}>
                {f === "currentPassword" ? "Current password" : "New password"}: {m}
              </li>
            ))}
          </ul>
        ) : null
      }
    >
      {hasPassword ? (
        <Field
          label="Current password"
          name="currentPassword"
          type="password"
          required
          autoComplete="current-password"
        />
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          You sign in by email link. Set a password to sign in with it as well.
        </p>
      )}
      <Field
        label="New password"
        name="newPassword"
        type="password"
        required
        autoComplete="new-password"
        hint="At least 10 characters. Every other session of yours is signed out."
      />
      <SubmitButton pendingText="Saving…">
        {hasPassword ? "Change password" : "Set password"}
      </SubmitButton>
    </ActionForm>
  );
}

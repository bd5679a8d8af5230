"use client";

import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<null>>;

/** Asks for a reset link; the answer is the same whether or not the address has an account. */
export function ForgotPasswordForm({ action }: { action: Action }) {
  return (
    <ActionForm
      action={action}
      className="space-y-4"
      label="Email me a reset link"
      render={(s) =>
        s && !s.ok && s.fields?.email ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            Email: {s.fields.email}
          </p>
        ) : null
      }
    >
      <Field label="Email" name="email" type="email" autoComplete="email" required />
      <SubmitButton pendingText="Sending…">Email me a link</SubmitButton>
    </ActionForm>
  );
}

"use client";

import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<null>>;

/** The signed-in person's own name, as the other members and the audit log show it. */
export function ChangeNameForm({ action, name }: { action: Action; name: string }) {
  return (
    <ActionForm
      action={action}
      label="Change name"
      className="space-y-4"
      render={(s) =>
        s && !s.ok && s.fields?.name ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            Name: {s.fields.name}
          </p>
        ) : null
      }
    >
      <Field
        label="Name"
        name="name"
        required
        maxLength={200}
        autoComplete="name"
        defaultValue={name}
        hint="Shown to the members of every organization you belong to."
      />
      <SubmitButton pendingText="Saving…">Save name</SubmitButton>
    </ActionForm>
  );
}

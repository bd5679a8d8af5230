"use client";

import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field, SelectField } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";

export function CreateKeyForm({
  action,
  roles,
}: {
  action: (
    prev: unknown,
    form: FormData,
  ) => Promise<ActionResult<{ name: string; secret: string }>>;
  roles: { value: string; label: string }[];
}) {
  return (
    <ActionForm
      action={action}
      label="Create an API key"
      className="grid gap-4 sm:grid-cols-[1fr_auto_auto] sm:items-end"
      render={(state) =>
        state?.ok ? (
          <div
            role="status"
            className="rounded-md bg-amber-50 p-3 text-sm sm:col-span-3 dark:bg-amber-950"
          >
            <p>
              Key <strong>{state.data.name}</strong> created. Copy it now: it is shown only once.
            </p>
            <input
              readOnly
              aria-label="New API key"
              value={state.data.secret}
              onFocus={(e) => e.currentTarget.select()}
              className="mt-2 w-full rounded border border-amber-300 bg-white px-2 py-1 font-mono text-xs dark:bg-slate-900"
            />
          </div>
        ) : null
      }
    >
      <Field
        label="Name"
        name="name"
        required
        maxLength={100}
        hint="What uses this key, e.g. “Monitoring”"
      />
      <SelectField label="Role" name="role" options={roles} />
      <SubmitButton pendingText="Creating…">Create key</SubmitButton>
    </ActionForm>
  );
}

"use client";

import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";
import type { InviteResult } from "@/lib/members/invitation-email";

type Action<T = unknown> = (prev: unknown, form: FormData) => Promise<ActionResult<T>>;

const fieldError = (s: ActionResult<unknown> | null, name: string) =>
  s && !s.ok ? s.fields?.[name] : undefined;

export function CreateOrganizationForm({ action }: { action: Action }) {
  return (
    <ActionForm
      action={action}
      label="Create a tenant organization"
      className="grid gap-4 sm:grid-cols-[1fr_1fr_auto] sm:items-start"
      render={(s) => (
        <>
          <Field label="Name" name="name" required maxLength={200} error={fieldError(s, "name")} />
          <Field
            label="Slug"
            name="slug"
            required
            minLength={2}
            maxLength={40}
            hint="Lowercase letters, digits and hyphens; unique."
            error={fieldError(s, "slug")}
          />
          <div className="sm:pt-6">
            <SubmitButton pendingText="Creating…">Create</SubmitButton>
          </div>
        </>
      )}
    />
  );
}

export function RenameOrganizationForm({
  action,
  id,
  name,
}: {
  action: Action;
  id: string;
  name: string;
}) {
  return (
    <ActionForm
      action={action}
      label={`Rename ${name}`}
      className="flex items-start gap-2"
      render={(s) => (
        <>
          <Field
            label={`Name of ${name}`}
            name="name"
            defaultValue={name}
            required
            maxLength={200}
            error={fieldError(s, "name")}
          />
          <div className="pt-6">
            <SubmitButton variant="secondary">Rename</SubmitButton>
          </div>
        </>
      )}
    >
      <input type="hidden" name="id" value={id} />
    </ActionForm>
  );
}

export function InviteOrgAdminForm({
  action,
  id,
  name,
}: {
  action: Action<InviteResult>;
  id: string;
  name: string;
}) {
  return (
    <ActionForm
      action={action}
      label={`Invite an org admin to ${name}`}
      className="space-y-2"
      render={(state) => (
        <>
          <div className="flex items-start gap-2">
            <Field
              label={`Invite an org admin to ${name}`}
              name="email"
              type="email"
              required
              error={fieldError(state, "email")}
            />
            <div className="pt-6">
              <SubmitButton variant="secondary" pendingText="Inviting…">
                Invite
              </SubmitButton>
            </div>
          </div>
          {state?.ok &&
            (state.data.emailed ? (
              <p role="status" className="text-sm">
                Invitation for <strong>{state.data.email}</strong> emailed to them.
              </p>
            ) : (
              <div role="status" className="text-sm">
                <p>
                  Invitation for <strong>{state.data.email}</strong> created.{" "}
                  {state.data.emailError
                    ? `The email could not be sent (${state.data.emailError}); share this link instead:`
                    : "Email is not configured: share this link with them:"}
                </p>
                <input
                  readOnly
                  aria-label="Invitation link"
                  value={state.data.url}
                  className="mt-1 w-full rounded border border-slate-300 px-2 py-1 font-mono text-xs dark:bg-slate-900"
                  onFocus={(e) => e.currentTarget.select()}
                />
              </div>
            ))}
        </>
      )}
    >
      <input type="hidden" name="id" value={id} />
    </ActionForm>
  );
}

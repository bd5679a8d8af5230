"use client";

import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<null>>;
type State = ActionResult<null> | null;

const fieldError = (s: State, name: string) => (s && !s.ok ? s.fields?.[name] : undefined);

/** The first platform admin and the status page's name; each refused field says why beside it. */
export function SetupForm({ token, action }: { token: string; action: Action }) {
  return (
    <ActionForm
      action={action}
      className="space-y-4"
      label="Set up Beacon"
      render={(s: State) => (
        <>
          <Field
            label="Status page name"
            name="pageName"
            required
            maxLength={100}
            hint="Shown at the top of the public status page."
            error={fieldError(s, "pageName")}
          />
          <Field
            label="Your name"
            name="name"
            required
            autoComplete="name"
            error={fieldError(s, "name")}
          />
          <Field
            label="Your email"
            name="email"
            type="email"
            required
            autoComplete="email"
            error={fieldError(s, "email")}
          />
          <Field
            label="Choose a password"
            name="password"
            type="password"
            required
            minLength={10}
            autoComplete="new-password"
            hint="At least 10 characters."
            error={fieldError(s, "password")}
          />
          {fieldError(s, "token") && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-400">
              Setup link: {fieldError(s, "token")}
            </p>
          )}
          <SubmitButton pendingText="Setting up…">Create admin and open the portal</SubmitButton>
        </>
      )}
    >
      <input type="hidden" name="token" value={token} />
    </ActionForm>
  );
}

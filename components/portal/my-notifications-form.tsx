"use client";

import { useActionState, useId } from "react";
import { SubmitButton } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";

type Action = (prev: unknown, form: FormData) => Promise<ActionResult<unknown>>;

const check = "mt-0.5 h-4 w-4 rounded border-slate-300 accent-sky-700";

function Choice({
  name,
  label,
  hint,
  defaultChecked,
  disabled,
  error,
}: {
  name?: string;
  label: string;
  hint: string;
  defaultChecked: boolean;
  disabled?: boolean;
  error?: string;
}) {
  const id = useId();
  return (
    <div>
      <label className="flex items-start gap-2 text-sm">
        <input
          type="checkbox"
          name={name}
          defaultChecked={defaultChecked}
          disabled={disabled}
          aria-invalid={Boolean(error)}
          aria-describedby={error ? `${id}-error` : `${id}-hint`}
          className={check}
        />
        <span>
          <span className="font-medium">{label}</span>
          <span id={`${id}-hint`} className="block text-slate-600 dark:text-slate-400">
            {hint}
          </span>
        </span>
      </label>
      {error && (
        <p id={`${id}-error`} className="mt-1 ml-6 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

/** The member's own opt-in for user-level warnings, and their phone number. */
export function MyNotificationsForm({
  action,
  email,
  phone,
  warningEmail,
  warningSms,
  sharedPhoneNote,
}: {
  action: Action;
  email: string;
  phone: string | null;
  warningEmail: boolean;
  warningSms: boolean;
  sharedPhoneNote: string;
}) {
  const [state, formAction] = useActionState(action, null);
  const fields = state && !state.ok ? (state.fields ?? {}) : {};
  return (
    <form action={formAction} aria-label="My notifications" className="space-y-5">
      <fieldset className="space-y-3">
        <legend className="mb-2 text-sm font-medium">User-level warnings reach me by</legend>
        <Choice
          label="In-app"
          hint="Always on: your inbox in the portal, and a toast while you have it open."
          defaultChecked
          disabled
        />
        <Choice
          name="warningEmail"
          label="Email"
          hint={`Also send them to ${email}.`}
          defaultChecked={warningEmail}
          error={fields.warningEmail}
        />
        <Choice
          name="warningSms"
          label="SMS"
          hint="Also text them to the phone number below."
          defaultChecked={warningSms}
          error={fields.warningSms}
        />
      </fieldset>
      <div className="max-w-sm">
        <Field
          label="Phone"
          name="phone"
          type="tel"
          autoComplete="tel"
          defaultValue={phone ?? ""}
          placeholder="+919812345678"
          hint={`E.164 with the country code, e.g. +919812345678. ${sharedPhoneNote}`}
          error={fields.phone}
        />
      </div>
      <SubmitButton pendingText="Saving…">Save</SubmitButton>
      <FormMessage result={state} />
    </form>
  );
}

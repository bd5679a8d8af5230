"use client";

import { startTransition, useActionState, useEffect, useId, useRef, useState } from "react";
import { buttonClass } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/alert";
import { ActiveOrgField } from "@/components/portal/active-org";
import { Field } from "@/components/ui/field";
import { CHANNEL_LABELS } from "@/lib/labels";
import type { ActionResult } from "@/lib/errors";
import { claimedSummary, fieldErrorText, unclaimedErrors } from "@/lib/form-errors";

interface Saved {
  phone: string | null;
  warningEmail: boolean;
  warningSms: boolean;
}
type Action = (prev: unknown, form: FormData) => Promise<ActionResult<Saved>>;

const check = "mt-0.5 h-4 w-4 rounded border-slate-300 accent-sky-700";

function Choice({
  name,
  label,
  hint,
  checked,
  onChange,
  disabled,
  error,
}: {
  name?: string;
  label: string;
  hint: string;
  checked: boolean;
  onChange?: (checked: boolean) => void;
  disabled?: boolean;
  error?: string;
}) {
  const id = useId();
  return (
    <div className="flex items-start gap-2 text-sm">
      <input
        id={id}
        type="checkbox"
        name={name}
        checked={checked}
        onChange={(e) => onChange?.(e.currentTarget.checked)}
        disabled={disabled}
        aria-invalid={Boolean(error)}
        aria-describedby={error ? `${id}-error ${id}-hint` : `${id}-hint`}
        className={check}
      />
      <div>
        {/* Only the label names the box; the hint describes it, so "Email" stays "Email". */}
        <label htmlFor={id} className="font-medium">
          {label}
        </label>
        <p id={`${id}-hint`} className="text-slate-600 dark:text-slate-400">
          {hint}
        </p>
        {error && (
          <p id={`${id}-error`} className="mt-1 text-sm text-red-700 dark:text-red-400">
            {error}
          </p>
        )}
      </div>
    </div>
  );
}

/**
 * The member's own opt-in for user-level warnings, and their phone number. A refused save must
 * not throw away what the member just chose, but React resets a form after its `action` runs, and
 * resets controlled checkboxes too (react#31695). So with JavaScript the form submits through
 * onSubmit, which skips that reset; without it, `action` still posts to the server action.
 */
export function MyNotificationsForm({
  action,
  email,
  initial,
  sharedPhoneNote,
}: {
  action: Action;
  email: string;
  initial: Saved;
  sharedPhoneNote: string;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  const [phone, setPhone] = useState(initial.phone ?? "");
  const [warningEmail, setWarningEmail] = useState(initial.warningEmail);
  const [warningSms, setWarningSms] = useState(initial.warningSms);
  // After a save, show what was stored (the phone as normalised), adjusting state during render.
  const [seen, setSeen] = useState(state);
  if (state !== seen) {
    setSeen(state);
    if (state?.ok) {
      setPhone(state.data.phone ?? "");
      setWarningEmail(state.data.warningEmail);
      setWarningSms(state.data.warningSms);
    }
  }
  const fields = state && !state.ok ? (state.fields ?? {}) : {};
  // Each error in the words of its field's label; the focus goes to the first field in error.
  const err = (name: string, label: string) =>
    fields[name] ? fieldErrorText(label, [fields[name]]) : undefined;
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state && !state.ok)
      form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [state]);
  const shown = ["warningEmail", "warningSms", "phone"];
  const rest = unclaimedErrors(fields, shown);
  const beside = Object.keys(fields).length - rest.length;
  return (
    <form
      ref={form}
      action={formAction}
      onSubmit={(e) => {
        e.preventDefault();
        const data = new FormData(e.currentTarget);
        startTransition(() => formAction(data));
      }}
      aria-label="My notifications"
      className="space-y-5"
    >
      <ActiveOrgField />
      <fieldset className="space-y-3">
        <legend className="mb-2 text-sm font-medium">User-level warnings reach me by</legend>
        <Choice
          label={CHANNEL_LABELS.in_app}
          hint="Always on: your inbox in the portal, and a toast while you have it open."
          checked
          disabled
        />
        <Choice
          name="warningEmail"
          label={CHANNEL_LABELS.email}
          hint={`Also send them to ${email}.`}
          checked={warningEmail}
          onChange={setWarningEmail}
          error={err("warningEmail", CHANNEL_LABELS.email)}
        />
        <Choice
          name="warningSms"
          label={CHANNEL_LABELS.sms}
          hint="Also text them to the phone number below."
          checked={warningSms}
          onChange={setWarningSms}
          error={err("warningSms", CHANNEL_LABELS.sms)}
        />
      </fieldset>
      <div className="max-w-sm">
        <Field
          label="Phone"
          name="phone"
          type="tel"
          autoComplete="tel"
          value={phone}
          onChange={(e) => setPhone(e.currentTarget.value)}
          placeholder="+919812345678"
          hint={`E.164 with the country code, e.g. +919812345678. ${sharedPhoneNote}`}
          error={err("phone", "Phone")}
        />
      </div>
      <button type="submit" disabled={pending} className={buttonClass()}>
        {pending ? "Saving…" : "Save"}
      </button>
      {state && !state.ok && state.fields ? (
        <div
          role="alert"
          className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {beside > 0 && <p>{claimedSummary(beside).replace("below", "above")}</p>}
          {rest.map((r) => (
            <p key={r}>{r}</p>
          ))}
        </div>
      ) : (
        <FormMessage result={state} />
      )}
    </form>
  );
}

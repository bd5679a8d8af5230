"use client";

import type { QueryKey } from "@tanstack/react-query";
import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { ConfirmSubmit } from "@/components/ui/confirm-submit";
import type { ActionResult } from "@/lib/errors";
import { DEV_MAILBOX_LABEL, inDevMailbox } from "@/lib/labels";

/** A server action bound to a form (useActionState): the pages pass them to the cards as props. */
export type FormAction<T = unknown> = (prev: unknown, form: FormData) => Promise<ActionResult<T>>;

/** A plain settings form: fields from the server page, Save, the result in place. */
export function SettingsForm({
  action,
  label,
  submit,
  children,
  disabled,
  className,
  labels,
  invalidates,
}: {
  action: FormAction<unknown>;
  label: string;
  submit: string;
  /** Words for error paths no field shows (see ActionForm). */
  labels?: Record<string, string>;
  children?: React.ReactNode;
  disabled?: boolean;
  className?: string;
  /** Live views this form's action changes (see ActionForm). */
  invalidates?: readonly QueryKey[];
}) {
  return (
    <ActionForm
      action={action}
      label={label}
      labels={labels}
      className={className ?? "space-y-4"}
      invalidates={invalidates}
    >
      {children}
      {!disabled && <SubmitButton pendingText="Saving…">{submit}</SubmitButton>}
    </ActionForm>
  );
}

/**
 * A one-button form acting on one row (enable, clear, remove, delete); the row's id goes hidden.
 * With `confirm` (the question), the action is destructive: a red button that asks first.
 */
export function RowActionForm({
  action,
  id,
  label,
  submit,
  confirm,
}: {
  action: FormAction<unknown>;
  id: string;
  label: string;
  submit: string;
  confirm?: string;
}) {
  if (confirm)
    return (
      <ActionForm action={action} label={label} className="flex gap-2">
        <input type="hidden" name="id" value={id} />
        <ConfirmSubmit question={confirm} confirm={label}>
          {submit}
        </ConfirmSubmit>
      </ActionForm>
    );
  return (
    <SettingsForm action={action} label={label} submit={submit} className="flex gap-2">
      <input type="hidden" name="id" value={id} />
    </SettingsForm>
  );
}

export interface TestOutcome {
  status: string;
  responseCode?: number | null;
  error?: string | null;
  retryAt?: string | Date | null;
  providerId?: string | null;
}

export function OutcomeBadge({ outcome }: { outcome: TestOutcome }) {
  if (inDevMailbox(outcome)) {
    // Stored for development, never sent: not "Delivered".
    return (
      <span
        role="status"
        className="rounded bg-amber-50 px-2 py-1 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200"
      >
        {DEV_MAILBOX_LABEL}
      </span>
    );
  }
  if (outcome.status === "delivered") {
    return (
      <span
        role="status"
        className="rounded bg-emerald-50 px-2 py-1 text-sm text-emerald-800 dark:bg-emerald-950 dark:text-emerald-200"
      >
        Delivered{outcome.responseCode ? ` (HTTP ${outcome.responseCode})` : ""}
      </span>
    );
  }
  return (
    <span
      role="status"
      className="rounded bg-red-50 px-2 py-1 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
    >
      {outcome.status === "pending" ? "Not delivered yet, will retry" : "Failed"}
      {outcome.responseCode ? ` — HTTP ${outcome.responseCode}` : ""}
      {outcome.error ? `: ${outcome.error}` : ""}
    </span>
  );
}

/** "Send test email" (SMS, in-app, to an endpoint) for one destination, with the provider's answer shown beside the button. */
export function TestAlertButton({
  action,
  channel,
  endpointId,
  withTo,
  toLabel,
  toPlaceholder,
  label,
}: {
  action: FormAction<TestOutcome>;
  channel: string;
  endpointId?: string;
  withTo?: boolean;
  toLabel?: string;
  toPlaceholder?: string;
  label: string;
}) {
  return (
    <ActionForm
      action={action}
      label={label}
      className="flex flex-wrap items-center gap-2"
      render={(state) => (state?.ok ? <OutcomeBadge outcome={state.data} /> : null)}
    >
      <input type="hidden" name="channel" value={channel} />
      {endpointId && <input type="hidden" name="endpointId" value={endpointId} />}
      {withTo && (
        <input
          name="to"
          aria-label={toLabel}
          placeholder={toPlaceholder}
          className="rounded-md border border-slate-300 px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
        />
      )}
      {/* The button says its channel, and what it says is its accessible name (no aria-label). */}
      <SubmitButton variant="secondary" pendingText="Sending…">
        {label}
      </SubmitButton>
    </ActionForm>
  );
}

/** Shows a new webhook secret once, after creating an endpoint or rotating its secret. */
export function SecretOnceForm({
  action,
  label,
  children,
  submit,
  variant = "primary",
  className,
}: {
  action: FormAction<{ name?: string; secret: string | null; previousValidUntil?: string }>;
  label: string;
  children?: React.ReactNode;
  submit: string;
  variant?: "primary" | "secondary";
  className?: string;
}) {
  return (
    <ActionForm
      action={action}
      label={label}
      className={className ?? "space-y-3"}
      render={(state) =>
        state?.ok ? (
          <div role="status" className="rounded-md bg-amber-50 p-3 text-sm dark:bg-amber-950">
            {state.data.secret ? (
              <>
                <p>
                  Signing secret — copy it now, it is shown only once.
                  {state.data.previousValidUntil
                    ? ` The previous secret keeps signing until ${new Date(state.data.previousValidUntil).toLocaleString()}.`
                    : ""}
                </p>
                <input
                  readOnly
                  aria-label="Signing secret"
                  value={state.data.secret}
                  onFocus={(e) => e.currentTarget.select()}
                  className="mt-2 w-full rounded border border-amber-300 bg-white px-2 py-1 font-mono text-xs dark:bg-slate-900"
                />
              </>
            ) : (
              <p>Endpoint {state.data.name} added.</p>
            )}
          </div>
        ) : null
      }
    >
      {children}
      <SubmitButton variant={variant} pendingText="Working…">
        {submit}
      </SubmitButton>
    </ActionForm>
  );
}

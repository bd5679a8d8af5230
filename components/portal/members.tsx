"use client";

import { ActionForm } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { ConfirmSubmit } from "@/components/ui/confirm-submit";
import { Field, KeptCheckbox, SelectField } from "@/components/ui/field";
import type { ActionResult } from "@/lib/errors";
import type { InviteResult } from "@/lib/members/invitation-email";

type Action<T = unknown> = (prev: unknown, form: FormData) => Promise<ActionResult<T>>;
type RoleOption = { value: string; label: string };

export function InviteForm({
  action,
  roles,
}: {
  action: Action<InviteResult>;
  roles: RoleOption[];
}) {
  return (
    <ActionForm
      action={action}
      label="Invite a member"
      className="grid gap-4 sm:grid-cols-[1fr_auto_auto] sm:items-end"
      render={(state) =>
        state?.ok ? (
          <div
            role="status"
            className="rounded-md bg-emerald-50 p-3 text-sm sm:col-span-3 dark:bg-emerald-950"
          >
            {state.data.emailed ? (
              <p>
                Invitation for <strong>{state.data.email}</strong> created and emailed to them.
              </p>
            ) : (
              <>
                <p>
                  Invitation for <strong>{state.data.email}</strong> created.{" "}
                  {state.data.emailError
                    ? `The email could not be sent (${state.data.emailError}); share this link with them instead:`
                    : "Email is not configured: share this link with them:"}
                </p>
                <input
                  readOnly
                  aria-label="Invitation link"
                  value={state.data.url}
                  className="mt-2 w-full rounded border border-emerald-300 bg-white px-2 py-1 font-mono text-xs dark:bg-slate-900"
                  onFocus={(e) => e.currentTarget.select()}
                />
              </>
            )}
          </div>
        ) : (
          state?.fields && (
            <p role="alert" className="text-sm text-red-700 sm:col-span-3 dark:text-red-400">
              {Object.entries(state.fields)
                .map(([f, m]) => `${f}: ${m}`)
                .join("; ")}
            </p>
          )
        )
      }
    >
      <Field label="Email" name="email" type="email" required />
      <SelectField label="Role" name="role" options={roles} />
      <SubmitButton pendingText="Inviting…">Invite</SubmitButton>
    </ActionForm>
  );
}

export function RoleForm({
  action,
  membershipId,
  role,
  roles,
  name,
  keysNotice,
}: {
  action: Action;
  membershipId: string;
  role: string;
  roles: RoleOption[];
  name: string;
  /** The member's API keys, revoked if they get one of `roles` (which may not create keys). */
  keysNotice?: { roles: string[]; text: string };
}) {
  return (
    <ActionForm action={action} className="flex items-end gap-2" label={`Role of ${name}`}>
      <input type="hidden" name="membershipId" value={membershipId} />
      <SelectField
        label={`Role of ${name}`}
        hideLabel
        name="role"
        defaultValue={role}
        options={roles}
      />
      <ConfirmSubmit
        variant="secondary"
        question={`Change the role of ${name}?`}
        confirm="Change role"
        ask={(form) => {
          if (!keysNotice) return null;
          const chosen = new FormData(form).get("role");
          if (chosen === role || !keysNotice.roles.includes(String(chosen))) return null;
          const label = roles.find((r) => r.value === chosen)?.label ?? String(chosen);
          return `Make ${name} ${label}?\n${keysNotice.text}`;
        }}
      >
        Save role
      </ConfirmSubmit>
    </ActionForm>
  );
}

export function GrantsForm({
  action,
  membershipId,
  grants,
  available,
  name,
  inRole = [],
  roleLabel,
}: {
  action: Action;
  membershipId: string;
  grants: string[];
  available: { value: string; label: string }[];
  name: string;
  /** The permissions the member's role already includes: shown ticked, not a separate grant. */
  inRole?: string[];
  roleLabel?: string;
}) {
  return (
    <ActionForm
      action={action}
      className="flex flex-wrap items-center gap-3"
      label={`Extra permissions of ${name}`}
    >
      <input type="hidden" name="membershipId" value={membershipId} />
      {available.map((p) =>
        inRole.includes(p.value) ? (
          // Ticked because the role includes it; disabled, as it cannot be taken away here.
          <label key={p.value} className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked disabled readOnly />
            {p.label}
            <span className="text-slate-500 dark:text-slate-400">
              {`(included in ${roleLabel ?? "the role"})`}
            </span>
          </label>
        ) : (
          <label key={p.value} className="flex items-center gap-2 text-sm">
            <KeptCheckbox name="grants" value={p.value} defaultChecked={grants.includes(p.value)} />
            {p.label}
          </label>
        ),
      )}
      <SubmitButton variant="secondary">Save permissions</SubmitButton>
    </ActionForm>
  );
}

export function HiddenIdButton({
  action,
  name,
  value,
  label,
  confirmText,
}: {
  action: Action;
  name: string;
  value: string;
  label: string;
  confirmText: string;
}) {
  return (
    <ActionForm action={action} label={label}>
      <input type="hidden" name={name} value={value} />
      <ConfirmSubmit aria-label={label} question={confirmText} confirm={label}>
        {label.split(" ")[0]}
      </ConfirmSubmit>
    </ActionForm>
  );
}

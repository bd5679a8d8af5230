"use client";

import { useActionState } from "react";
import { rotateOwnSecretAction, type RotateState } from "../actions";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

export function RotateSecretForm() {
  const [state, action] = useActionState<RotateState, FormData>(rotateOwnSecretAction, {});
  if (state.ok)
    return (
      <div role="status" className="space-y-2 text-sm">
        <p>
          New signing secret — copy it now, it is not shown again. The previous secret keeps signing
          until {new Date(state.previousValidUntil).toUTCString()}.
        </p>
        <label className="block font-medium" htmlFor="new-subscriber-secret">
          Signing secret
        </label>
        <input
          id="new-subscriber-secret"
          readOnly
          value={state.secret}
          onFocus={(e) => e.currentTarget.select()}
          className="block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-900"
        />
      </div>
    );
  const fields = state.ok === false ? (state.fields ?? {}) : {};
  return (
    <form action={action} className="space-y-3" aria-label="Rotate signing secret">
      <Field
        label="Management token"
        name="token"
        required
        autoComplete="off"
        placeholder="bsm_…"
        error={fields.token}
      />
      {state.ok === false && !fields.token && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {state.error}
        </p>
      )}
      <SubmitButton pendingText="Rotating…">Rotate secret</SubmitButton>
    </form>
  );
}

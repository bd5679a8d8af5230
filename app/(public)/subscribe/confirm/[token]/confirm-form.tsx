"use client";

import { useActionState } from "react";
import { confirmAction, type ConfirmState } from "../../actions";
import { SubmitButton } from "@/components/ui/button";

export function ConfirmForm({ token }: { token: string }) {
  const [state, action] = useActionState<ConfirmState, FormData>(confirmAction, {});
  if (state.ok)
    return (
      <p role="status">
        Subscribed. <strong>{state.email}</strong> will receive public incident and maintenance
        updates. Each email has a link to unsubscribe.
      </p>
    );
  return (
    <form action={action} className="space-y-3" aria-label="Confirm subscription">
      <input type="hidden" name="token" value={token} />
      <p>Press the button to start receiving status updates by email.</p>
      {state.ok === false && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {state.error}
        </p>
      )}
      <SubmitButton pendingText="Confirming…">Confirm subscription</SubmitButton>
    </form>
  );
}

"use client";

import { useActionState } from "react";
import type { ActionResult } from "@/lib/errors";
import { ActiveOrgField } from "@/components/portal/active-org";
import { FormMessage } from "./alert";

type Action<T> = (prev: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;

/**
 * A form bound to a server action returning ActionResult: shows the error or success message
 * in place, and hands field errors and data to its children. Inside the portal it also sends the
 * organization the page was rendered for, so the action refuses to act for another one.
 */
export function ActionForm<T>({
  action,
  children,
  className,
  label,
  render,
}: {
  action: Action<T>;
  children?: React.ReactNode;
  className?: string;
  label?: string;
  render?: (state: ActionResult<T> | null) => React.ReactNode;
}) {
  const [state, formAction] = useActionState<ActionResult<T> | null, FormData>(action, null);
  return (
    <form action={formAction} className={className} aria-label={label}>
      <ActiveOrgField />
      {children}
      {render?.(state)}
      <FormMessage result={state} />
    </form>
  );
}

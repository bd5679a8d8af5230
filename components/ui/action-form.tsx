"use client";

import { useActionState, useContext, useEffect } from "react";
import { QueryClientContext, type QueryKey } from "@tanstack/react-query";
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
  invalidates,
}: {
  action: Action<T>;
  children?: React.ReactNode;
  className?: string;
  label?: string;
  render?: (state: ActionResult<T> | null) => React.ReactNode;
  /** Live views (TanStack queries) this action changes: refetched once it succeeds. */
  invalidates?: readonly QueryKey[];
}) {
  const [state, formAction] = useActionState<ActionResult<T> | null, FormData>(action, null);
  // Outside the portal there is no query client (and nothing live to refresh).
  const queryClient = useContext(QueryClientContext);
  useEffect(() => {
    if (!state?.ok || !queryClient || !invalidates) return;
    for (const queryKey of invalidates) void queryClient.invalidateQueries({ queryKey });
    // Once per result: `state` is a new object after every submission.
  }, [state]);
  return (
    <form action={formAction} className={className} aria-label={label}>
      <ActiveOrgField />
      {children}
      {render?.(state)}
      <FormMessage result={state} />
    </form>
  );
}

"use client";

import {
  Fragment,
  useActionState,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { QueryClientContext, type QueryKey } from "@tanstack/react-query";
import type { ActionResult } from "@/lib/errors";
import {
  claimedSummary,
  pathBelongsTo,
  unclaimedErrors,
  type FieldErrors,
  type FormValues,
} from "@/lib/form-errors";
import { ActiveOrgField } from "@/components/portal/active-org";
import { FormMessage } from "./alert";
import { FormStateContext } from "./form-context";

/** What any form action answers: a failure may carry field errors and what was sent. */
export type AnyResult = {
  ok?: boolean;
  error?: string;
  fields?: FieldErrors;
  values?: FormValues;
  formKey?: string;
} | null;

/**
 * useActionState for a server action whose failures carry `values` and `formKey` (every action
 * built on app/_server/form.ts does): the server action itself, so the form also works before
 * the page's script has loaded.
 */
export function useKeptActionState<S extends AnyResult>(
  action: (prev: S, form: FormData) => Promise<S>,
  initial: S,
) {
  return useActionState<S, FormData>(action, initial as Awaited<S>);
}

/**
 * The form around a kept state: gives its fields what was sent and their errors (in the words of
 * their labels), shows errors no field shows (and non-field errors) once at its end, and after a
 * failure moves the focus to the first field in error. `labels` words error paths that have no
 * visible field (hidden inputs); `summary: false` leaves non-field errors to the caller.
 */
export function KeptForm<S extends AnyResult>({
  state,
  formAction,
  label,
  className,
  labels,
  children,
  summary = true,
  org = true,
}: {
  state: S;
  formAction: (form: FormData) => void;
  label?: string;
  className?: string;
  labels?: Record<string, string>;
  children?: React.ReactNode;
  summary?: boolean;
  /** Send the portal's organization (name `_org`); public forms have none anyway. */
  org?: boolean;
}) {
  const form = useRef<HTMLFormElement>(null);
  const alert = useRef<HTMLDivElement>(null);
  const failed = state?.ok === false ? state : null;
  const key = failed?.formKey ?? "ok";
  const [claimed, setClaimed] = useState<{ key?: string; names: string[] }>({ names: [] });
  const ctx = useMemo(
    () => ({
      values: failed?.values ?? null,
      fields: failed?.fields,
      labels: labels ?? {},
    }),
    [failed, labels],
  );

  // After each failed submission: learn which errors the fields show, then focus the first field
  // in error (or the message, when no field shows one). Before paint, so nothing flickers.
  useLayoutEffect(() => {
    if (!failed || !form.current) return;
    const names = [...form.current.querySelectorAll<HTMLElement>("[data-error-for]")].map(
      (e) => e.dataset.errorFor!,
    );
    setClaimed({ key, names });
    const first = form.current.querySelector<HTMLElement>('[aria-invalid="true"]');
    if (first) first.focus();
    else alert.current?.focus();
  }, [failed, key]);

  const fieldCount = failed?.fields ? Object.keys(failed.fields).length : 0;
  const ready = claimed.key === key;
  const rest = failed && ready ? unclaimedErrors(failed.fields, claimed.names, labels) : [];
  const shownBeside = ready ? fieldCount - countUnclaimed(failed?.fields, claimed.names) : 0;

  return (
    <form ref={form} action={formAction} className={className} aria-label={label}>
      {org && <ActiveOrgField />}
      <FormStateContext value={ctx}>
        <Fragment key={key}>{children}</Fragment>
      </FormStateContext>
      {summary && failed && (
        <div
          ref={alert}
          tabIndex={-1}
          role="alert"
          className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200"
        >
          {fieldCount === 0 ? (
            failed.error
          ) : (
            <>
              {shownBeside > 0 && <p>{claimedSummary(shownBeside).replace("below", "above")}</p>}
              {rest.length > 0 && (
                <ul>
                  {rest.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              )}
            </>
          )}
        </div>
      )}
    </form>
  );
}

function countUnclaimed(fields: FieldErrors | undefined, names: string[]) {
  return Object.keys(fields ?? {}).filter((path) => !names.some((n) => pathBelongsTo(path, n)))
    .length;
}

type Action<T> = (prev: ActionResult<T> | null, form: FormData) => Promise<ActionResult<T>>;

/**
 * A form bound to a server action returning ActionResult: keeps what was typed and chosen after a
 * failure, shows each error beside its field and the rest once in place, the success message, and
 * hands the result to `render`. Inside the portal it also sends the organization the page was
 * rendered for, so the action refuses to act for another one.
 */
export function ActionForm<T>({
  action,
  children,
  className,
  label,
  labels,
  render,
  invalidates,
}: {
  action: Action<T>;
  children?: React.ReactNode;
  className?: string;
  label?: string;
  /** Words for error paths no visible field shows (see KeptForm). */
  labels?: Record<string, string>;
  render?: (state: ActionResult<T> | null) => React.ReactNode;
  /** Live views (TanStack queries) this action changes: refetched once it succeeds. */
  invalidates?: readonly QueryKey[];
}) {
  const [state, formAction] = useKeptActionState<ActionResult<T> | null>(action, null);
  // Outside the portal there is no query client (and nothing live to refresh).
  const queryClient = useContext(QueryClientContext);
  useEffect(() => {
    if (!state?.ok || !queryClient || !invalidates) return;
    for (const queryKey of invalidates) void queryClient.invalidateQueries({ queryKey });
    // Once per result: `state` is a new object after every submission.
  }, [state]);
  return (
    <KeptForm
      state={state}
      formAction={formAction}
      className={className}
      label={label}
      labels={labels}
    >
      {children}
      {render?.(state)}
      {state?.ok && <FormMessage result={state} />}
    </KeptForm>
  );
}

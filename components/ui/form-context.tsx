"use client";

import { createContext, useContext } from "react";
import {
  errorsFor,
  fieldErrorText,
  labelForPath,
  type FieldErrors,
  type FormValues,
} from "@/lib/form-errors";

/**
 * What the enclosing ActionForm knows after a submission: the values it sent (null before any
 * failed submission, and after a success) and the field errors the action returned.
 */
export interface FormStateValue {
  values: FormValues | null;
  fields: FieldErrors | undefined;
  labels: Record<string, string>;
}

export const FormStateContext = createContext<FormStateValue>({
  values: null,
  fields: undefined,
  labels: {},
});

/**
 * One field's state: the value to show (what was sent, after a failed submission; otherwise
 * `fallback`) and its error in the words of its label. `errorPath` is the input path the action
 * reports when it differs from the field's name ("filters.minImpact" for a field named minImpact).
 */
export function useFieldState(
  name: string | undefined,
  { label, errorPath, fallback }: { label?: string; errorPath?: string; fallback?: string } = {},
) {
  const s = useContext(FormStateContext);
  const path = errorPath ?? name;
  const messages = errorsFor(s.fields, path);
  const sent = name && s.values ? s.values[name] : undefined;
  return {
    /** The text to show: what was sent after a failed submission, else the field's own default. */
    value: s.values && name ? (sent?.[0] ?? "") : fallback,
    /** Every value sent under the name, or undefined when nothing has been sent back. */
    sent: s.values && name ? (sent ?? []) : undefined,
    error: messages.length
      ? fieldErrorText(label ?? labelForPath(path!, s.labels), messages)
      : undefined,
    /** The name an error element carries so the form knows the error is shown (data-error-for). */
    claim: path,
  };
}

/** For inputs outside the Field components (a grid of selects, checkboxes): what was sent. */
export function useSentValues() {
  const { values } = useContext(FormStateContext);
  return {
    /** The sent value of `name`, or `fallback` when the form has not come back with values. */
    value: (name: string, fallback?: string) => (values ? (values[name]?.[0] ?? "") : fallback),
    /** Whether `value` was among those sent under `name`, or `fallback` with nothing sent back. */
    checked: (name: string, value: string, fallback?: boolean) =>
      values ? (values[name] ?? []).includes(value) : fallback,
  };
}

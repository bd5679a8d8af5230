"use client";

import { useId } from "react";
import { useFieldState, useSentValues } from "./form-context";

export const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-600 aria-[invalid=true]:border-red-600 dark:border-slate-700 dark:bg-slate-900 dark:aria-[invalid=true]:border-red-400";

/**
 * The error shown beside a field, once, in the words of its label. `claim` tells the enclosing
 * ActionForm which error paths are shown here (the rest go in its summary).
 */
export function FieldError({ id, error, claim }: { id: string; error?: string; claim?: string }) {
  if (!error) return null;
  return (
    <p id={id} data-error-for={claim} className="text-sm text-red-700 dark:text-red-400">
      {error}
    </p>
  );
}

/**
 * An error for a group of inputs (a fieldset, a grid): renders the error for `name` (the path the
 * action reports) when there is one. Give the group's first input aria-invalid via `useFieldState`.
 */
export function GroupError({ name, label, id }: { name: string; label: string; id?: string }) {
  const own = useId();
  const f = useFieldState(name, { label });
  return <FieldError id={id ?? `${own}-error`} error={f.error} claim={f.claim} />;
}

interface Common {
  label: string;
  /** An error from the caller; by default the enclosing ActionForm's error for this field. */
  error?: string;
  hint?: string;
  /** The input path the action reports for this field when it differs from `name`. */
  errorPath?: string;
}

interface FieldProps extends Common, React.InputHTMLAttributes<HTMLInputElement> {}

/**
 * A labelled input whose error is announced and tied to it with aria-describedby. Inside an
 * ActionForm it shows what was sent after a failed submission (passwords excepted) and its error.
 */
export function Field({ label, error, hint, errorPath, ...input }: FieldProps) {
  const id = useId();
  const f = useFieldState(input.name, {
    label,
    errorPath,
    fallback: input.defaultValue === undefined ? undefined : String(input.defaultValue),
  });
  const shown = error ?? f.error;
  const describedBy = shown ? `${id}-error` : hint ? `${id}-hint` : undefined;
  const keep = input.type !== "password" && input.type !== "file" && input.value === undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        className={inputClass}
        aria-invalid={Boolean(shown)}
        aria-describedby={describedBy}
        {...input}
        {...(keep && f.value !== undefined ? { defaultValue: f.value } : {})}
      />
      {hint && !shown && (
        <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      )}
      <FieldError id={`${id}-error`} error={shown} claim={error ? undefined : f.claim} />
    </div>
  );
}

interface TextareaProps extends Common, React.TextareaHTMLAttributes<HTMLTextAreaElement> {}

/** A labelled textarea, kept and marked like Field. */
export function TextareaField({ label, error, hint, errorPath, ...textarea }: TextareaProps) {
  const id = useId();
  const f = useFieldState(textarea.name, {
    label,
    errorPath,
    fallback: textarea.defaultValue === undefined ? undefined : String(textarea.defaultValue),
  });
  const shown = error ?? f.error;
  const describedBy = shown ? `${id}-error` : hint ? `${id}-hint` : undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <textarea
        id={id}
        className={inputClass}
        aria-invalid={Boolean(shown)}
        aria-describedby={describedBy}
        {...textarea}
        {...(f.value !== undefined && textarea.value === undefined
          ? { defaultValue: f.value }
          : {})}
      />
      {hint && !shown && (
        <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      )}
      <FieldError id={`${id}-error`} error={shown} claim={error ? undefined : f.claim} />
    </div>
  );
}

interface CheckboxProps
  extends Omit<Common, "hint">, Omit<React.InputHTMLAttributes<HTMLInputElement>, "type"> {}

/** A checkbox with its label after it; ticked or not as it was sent after a failed submission. */
export function CheckboxField({ label, error, errorPath, ...input }: CheckboxProps) {
  const id = useId();
  const f = useFieldState(input.name, { label, errorPath });
  const shown = error ?? f.error;
  const value = input.value === undefined ? "on" : String(input.value);
  const checked = f.sent ? f.sent.includes(value) : input.defaultChecked;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="flex items-center gap-2 text-sm">
        <input
          id={id}
          type="checkbox"
          className="size-4"
          aria-invalid={Boolean(shown)}
          aria-describedby={shown ? `${id}-error` : undefined}
          {...input}
          {...(input.checked === undefined ? { defaultChecked: checked } : {})}
        />
        {label}
      </label>
      <FieldError id={`${id}-error`} error={shown} claim={error ? undefined : f.claim} />
    </div>
  );
}

interface SelectProps extends Common, React.SelectHTMLAttributes<HTMLSelectElement> {
  /** Keeps the label for screen readers when the context already shows what the select is. */
  hideLabel?: boolean;
  options: readonly { value: string; label: string }[];
}

/** A labelled select; after a failed submission it stays on what was chosen. */
export function SelectField({
  label,
  error,
  errorPath,
  hint,
  options,
  hideLabel,
  ...select
}: SelectProps) {
  const id = useId();
  const f = useFieldState(select.name, {
    label,
    errorPath,
    fallback: select.defaultValue === undefined ? undefined : String(select.defaultValue),
  });
  const shown = error ?? f.error;
  const describedBy = shown ? `${id}-error` : hint ? `${id}-hint` : undefined;
  const sent = select.multiple ? f.sent : f.value;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className={hideLabel ? "sr-only" : "block text-sm font-medium"}>
        {label}
      </label>
      <select
        id={id}
        className={inputClass}
        aria-invalid={Boolean(shown)}
        aria-describedby={describedBy}
        {...select}
        {...(sent !== undefined && select.value === undefined ? { defaultValue: sent } : {})}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      {hint && !shown && (
        <p id={`${id}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      )}
      <FieldError id={`${id}-error`} error={shown} claim={error ? undefined : f.claim} />
    </div>
  );
}

/**
 * A bare checkbox in a grid or list whose label is laid out by the caller (a matrix cell, a
 * filter list): after a failed submission it stays as it was sent, not as the page first had it.
 */
export function KeptCheckbox({
  defaultChecked,
  ...input
}: Omit<React.InputHTMLAttributes<HTMLInputElement>, "type" | "checked">) {
  const sent = useSentValues();
  const value = input.value === undefined ? "on" : String(input.value);
  return (
    <input
      type="checkbox"
      {...input}
      defaultChecked={input.name ? sent.checked(input.name, value, defaultChecked) : defaultChecked}
    />
  );
}

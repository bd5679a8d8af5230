"use client";

import { useFormStatus } from "react-dom";

const VARIANTS = {
  primary: "bg-sky-700 text-white hover:bg-sky-800 disabled:bg-sky-700/60",
  secondary:
    "border border-slate-300 bg-white text-slate-900 hover:bg-slate-50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800",
  danger:
    "border border-red-300 bg-white text-red-700 hover:bg-red-50 dark:border-red-800 dark:bg-slate-900 dark:text-red-300",
  /** The confirming step of a destructive action (see ConfirmSubmit). */
  destructive: "bg-red-700 text-white hover:bg-red-800 disabled:bg-red-700/60",
} as const;

export function buttonClass(variant: keyof typeof VARIANTS = "primary") {
  return `inline-flex items-center justify-center rounded-md px-3 py-2 text-sm font-medium transition disabled:cursor-not-allowed ${VARIANTS[variant]}`;
}

/** A submit button that disables itself while its form's action runs. */
export function SubmitButton({
  children,
  pendingText,
  variant = "primary",
  ...rest
}: React.ButtonHTMLAttributes<HTMLButtonElement> & {
  pendingText?: string;
  variant?: keyof typeof VARIANTS;
}) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      disabled={pending || rest.disabled}
      className={buttonClass(variant)}
      {...rest}
    >
      {pending ? (pendingText ?? children) : children}
    </button>
  );
}

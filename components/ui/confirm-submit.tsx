"use client";

import { useEffect, useId, useRef, useState } from "react";
import { useFormStatus } from "react-dom";
import { buttonClass } from "./button";

/**
 * The submit step of a destructive form (delete, remove, revoke): a red outline button that asks
 * first, in a modal <dialog> inside the same form. The dialog opens with the focus on "Cancel";
 * Escape or Cancel closes it; the dialog's red button submits the form. Works with the keyboard
 * and screen readers (the dialog is named by its question).
 *
 * With `ask`, the question depends on what the form holds (a role change that revokes keys): the
 * button looks like `variant` and submits at once when `ask` answers null.
 */
export function ConfirmSubmit({
  children,
  question,
  confirm,
  "aria-label": ariaLabel,
  ask,
  variant = "danger",
}: {
  /** The button's visible text ("Delete"). */
  children: React.ReactNode;
  /** What the dialog asks ("Delete the endpoint Ops Slack? …"); new lines become paragraphs. */
  question: string;
  /** The dialog's confirming button ("Delete endpoint"). */
  confirm: string;
  /** When the row's context is not in the visible text: "Delete Ops Slack". */
  "aria-label"?: string;
  /** The question for what the form holds now, or null to submit without asking. */
  ask?: (form: HTMLFormElement) => string | null;
  variant?: Parameters<typeof buttonClass>[0];
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { pending } = useFormStatus();
  const [asked, setAsked] = useState(question);
  useEffect(() => {
    if (pending) dialog.current?.close();
  }, [pending]);
  return (
    <>
      <button
        type="button"
        className={buttonClass(variant)}
        aria-label={ariaLabel}
        aria-haspopup="dialog"
        disabled={pending}
        onClick={(e) => {
          const form = e.currentTarget.form;
          const q = ask && form ? ask(form) : question;
          if (q === null) {
            form?.requestSubmit();
            return;
          }
          setAsked(q);
          dialog.current?.showModal();
        }}
      >
        {pending ? "Working…" : children}
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        className="m-auto max-w-md rounded-lg border border-slate-200 bg-white p-5 text-slate-900 shadow-xl backdrop:bg-slate-900/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        <div id={titleId} className="space-y-2 text-sm">
          {asked.split(/\n+/).map((line) => (
            <p key={line}>{line}</p>
          ))}
        </div>
        <div className="mt-4 flex justify-end gap-2">
          <button
            type="button"
            className={buttonClass("secondary")}
            onClick={() => dialog.current?.close()}
          >
            Cancel
          </button>
          <button type="submit" className={buttonClass("destructive")}>
            {confirm}
          </button>
        </div>
      </dialog>
    </>
  );
}

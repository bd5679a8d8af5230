import "server-only";
import type { Ctx } from "@/lib/context";
import { toActionResult, type ActionResult } from "@/lib/errors";
import { runAction } from "./ctx";

/**
 * FormData → a verb's input, for every server action. Shape only: the fields are read as the
 * browser sent them and every rule (required, format, ids) is the verb's, so a bad value comes
 * back as the verb's ValidationError naming the field.
 */
export interface FormFields {
  /** The field's text, or undefined when the form has no such field. */
  text(name: string): string | undefined;
  /** The field's text, or undefined when it is empty or missing (an optional input left blank). */
  optional(name: string): string | undefined;
  /** The field's text, or null when it is empty or missing (a select's "none" choice). */
  nullable(name: string): string | null;
  /** A checkbox: true when ticked. */
  checked(name: string): boolean;
  /** Every value sent under this name (ticked checkboxes of one group). */
  list(name: string): string[];
  /** The form itself, for inputs whose names carry data (e.g. `cell.<category>.<role>.<channel>`). */
  readonly form: FormData;
}

export function formFields(form: FormData): FormFields {
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v : undefined;
  };
  return {
    text,
    optional: (name) => text(name) || undefined,
    nullable: (name) => text(name) || null,
    checked: (name) => form.get(name) === "on",
    list: (name) => form.getAll(name).filter((v): v is string => typeof v === "string"),
    form,
  };
}

/**
 * A portal form: reads the verb's input from the form and runs the verb as the signed-in user,
 * through runAction (session, the form's organization, typed errors → ActionResult). `result`
 * shapes what the client gets back (default: what the verb returned).
 */
export async function runFormAction<I, T, R = T>(
  form: FormData,
  spec: {
    input: (f: FormFields) => I;
    verb: (args: { ctx: Ctx; input: I }) => Promise<T>;
    result?: (out: T, ctx: Ctx) => R | Promise<R>;
    message?: string;
  },
): Promise<ActionResult<R>> {
  return runAction(
    async (ctx) => {
      const out = await spec.verb({ ctx, input: spec.input(formFields(form)) });
      return spec.result ? spec.result(out, ctx) : (out as unknown as R);
    },
    spec.message,
    form,
  );
}

/**
 * A public form (no session: subscribe, confirm, invitations): reads the input, runs `run` and
 * maps a typed error to the `{ ok: false, error, fields }` every form shows.
 */
export async function runPublicFormAction<I, T>(
  form: FormData,
  spec: { input: (f: FormFields) => I; run: (input: I) => Promise<T> },
): Promise<T | ReturnType<typeof toActionResult>> {
  try {
    return await spec.run(spec.input(formFields(form)));
  } catch (e) {
    return toActionResult(e, form);
  }
}

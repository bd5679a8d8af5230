"use client";

import { useActionState, useState } from "react";
import { KeptForm, useKeptActionState } from "@/components/ui/action-form";
import { SubmitButton } from "@/components/ui/button";
import { useSentValues } from "@/components/ui/form-context";
import type { ActionFailure } from "@/lib/errors";
import { CHANNEL_LABELS } from "@/lib/labels";
import { Field } from "@/components/ui/field";

/** What subscribing answers: the email to confirm, or the webhook's secret and token, shown once. */
export type SubscribeState =
  | { ok?: undefined }
  | { ok: true; kind: "email"; email: string }
  | {
      ok: true;
      kind: "webhook";
      secret: string;
      manageToken: string;
      host: string;
      unsubscribeUrl: string;
      /** The URL answered the verification challenge; until it does nothing is sent to it. */
      verified: boolean;
      /** Why it did not. */
      verifyError?: string;
    }
  | ActionFailure;

/** What asking for the verification challenge again answers. */
export type VerifyState =
  | { ok?: undefined }
  | { ok: true; host: string; alreadyVerified: boolean }
  | { ok: false; error: string; fields?: Record<string, string> };

type VerifyAction = (prev: VerifyState, form: FormData) => Promise<VerifyState>;

/**
 * "Verify again": posts the management token (in the body, never the URL) so Beacon challenges the
 * webhook URL once more. With `token`, a button for it; without, a field to paste it into.
 */
export function VerifyWebhookForm({
  action: verify,
  token,
}: {
  action: VerifyAction;
  token?: string;
}) {
  const [state, action] = useActionState<VerifyState, FormData>(verify, {});
  if (state.ok)
    return (
      <p role="status" className="text-sm">
        Verified: <strong>{state.host}</strong>{" "}
        {state.alreadyVerified ? "was already verified and" : "answered the challenge and now"}{" "}
        receives public incidents and maintenance.
      </p>
    );
  const fields = state.ok === false ? (state.fields ?? {}) : {};
  return (
    <form action={action} className="space-y-3" aria-label="Verify webhook">
      {token ? (
        <input type="hidden" name="token" value={token} />
      ) : (
        <Field
          label="Management token"
          name="token"
          required
          autoComplete="off"
          placeholder="bsm_…"
          error={fields.token}
        />
      )}
      {state.ok === false && !fields.token && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {fields.url ? `The URL ${fields.url}.` : state.error}
        </p>
      )}
      <SubmitButton pendingText="Verifying…">Verify again</SubmitButton>
    </form>
  );
}

interface Option {
  id: string;
  name: string;
}

/** "Subscribe to updates": email (double opt-in) or a signed webhook, optionally narrowed. */
export function SubscribeForm({
  action: subscribeAction,
  verifyAction,
  components,
  regions,
}: {
  action: (prev: SubscribeState, form: FormData) => Promise<SubscribeState>;
  verifyAction: VerifyAction;
  components: Option[];
  regions: Option[];
}) {
  const [state, action] = useKeptActionState<SubscribeState>(subscribeAction, {});
  const [kind, setKind] = useState<"email" | "webhook">("email");

  if (state.ok && state.kind === "email") {
    return (
      <p role="status" className="text-sm">
        Almost done: we sent a confirmation link to <strong>{state.email}</strong>. You will get
        updates once you open it.
      </p>
    );
  }
  if (state.ok && state.kind === "webhook") {
    return (
      <div role="status" className="space-y-2 text-sm">
        {state.verified ? (
          <p>
            Subscribed and verified: <strong>{state.host}</strong> answered the challenge and will
            receive signed events (Standard Webhooks). Copy the signing secret and the management
            token now; they are not shown again.
          </p>
        ) : (
          <p>
            Subscribed, not verified yet: the URL {state.verifyError}. Nothing is sent to{" "}
            <strong>{state.host}</strong> until it answers the signed{" "}
            <code>subscription.verification</code> event with{" "}
            <code>{'{"challenge": "<data.challenge>"}'}</code> within 5 seconds (see
            docs/webhooks.md). Copy the signing secret and the management token now; they are not
            shown again. Then verify again here, on the{" "}
            <a href="/subscribe/manage" className="underline">
              manage page
            </a>{" "}
            or with <code>POST /api/subscribers/verify</code>, within 7 days.
          </p>
        )}
        <label className="block font-medium" htmlFor="subscriber-secret">
          Signing secret
        </label>
        <input
          id="subscriber-secret"
          readOnly
          value={state.secret}
          className="block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-900"
        />
        <label className="block font-medium" htmlFor="subscriber-manage-token">
          Management token
        </label>
        <input
          id="subscriber-manage-token"
          readOnly
          value={state.manageToken}
          className="block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs dark:border-slate-700 dark:bg-slate-900"
        />
        <p>
          Keep the management token as safe as the secret: with it you{" "}
          <a href="/subscribe/manage" className="underline">
            rotate the secret
          </a>{" "}
          (or <code>POST /api/subscribers/rotate-secret</code> with{" "}
          <code>Authorization: Bearer</code> and the token); the old secret keeps signing for 24
          hours.
        </p>
        <p>
          Keep this link to stop the webhook later (or answer an event with HTTP 410 Gone):{" "}
          <a href={state.unsubscribeUrl} className="break-all underline">
            {state.unsubscribeUrl}
          </a>
        </p>
        {!state.verified && <VerifyWebhookForm action={verifyAction} token={state.manageToken} />}
      </div>
    );
  }
  return (
    <KeptForm
      state={state}
      formAction={action}
      className="space-y-4"
      label="Subscribe to updates"
      labels={{ kind: "Deliver updates by", componentIds: "Components", regionIds: "Regions" }}
      org={false}
    >
      <fieldset className="flex gap-4 text-sm">
        <legend className="sr-only">Deliver updates by</legend>
        {(["email", "webhook"] as const).map((k) => (
          <label key={k} className="flex items-center gap-2">
            <input
              type="radio"
              name="kind"
              value={k}
              checked={kind === k}
              onChange={() => setKind(k)}
            />
            {CHANNEL_LABELS[k]}
          </label>
        ))}
      </fieldset>
      {kind === "email" ? (
        <Field label="Email address" name="email" type="email" autoComplete="email" required />
      ) : (
        <Field
          label="Webhook URL"
          name="url"
          type="url"
          placeholder="https://example.com/status-hook"
          required
          hint="Events are signed per Standard Webhooks; the secret is shown once."
        />
      )}
      <Narrowing components={components} regions={regions} />
      <SubmitButton pendingText="Subscribing…">Subscribe</SubmitButton>
    </KeptForm>
  );
}

/** The optional narrowing: open, and ticked as sent, when the form comes back with an error. */
function Narrowing({ components, regions }: { components: Option[]; regions: Option[] }) {
  const sent = useSentValues();
  const any = [...components, ...regions].some(
    (o) => sent.checked("componentIds", o.id) || sent.checked("regionIds", o.id),
  );
  return (
    <details className="text-sm" open={any || undefined}>
      <summary className="cursor-pointer">Only some components or regions (optional)</summary>
      <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
        Tick none to hear about everything.
      </p>
      <div className="mt-2 grid gap-4 sm:grid-cols-2">
        <fieldset>
          <legend className="font-medium">Components</legend>
          {components.map((c) => (
            <label key={c.id} className="flex items-center gap-2">
              <input
                type="checkbox"
                name="componentIds"
                value={c.id}
                defaultChecked={sent.checked("componentIds", c.id)}
              />
              {c.name}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend className="font-medium">Regions</legend>
          {regions.map((r) => (
            <label key={r.id} className="flex items-center gap-2">
              <input
                type="checkbox"
                name="regionIds"
                value={r.id}
                defaultChecked={sent.checked("regionIds", r.id)}
              />
              {r.name}
            </label>
          ))}
        </fieldset>
      </div>
    </details>
  );
}

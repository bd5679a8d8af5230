"use client";

import { useActionState, useEffect, useId, useState } from "react";
import { ActiveOrgField } from "@/components/portal/active-org";
import { FormMessage } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import type { ActionResult } from "@/lib/errors";
import type { PreviewResult } from "@/lib/alerts/templates";

type Action<T> = (prev: unknown, form: FormData) => Promise<ActionResult<T>>;

const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-600 dark:border-slate-700 dark:bg-slate-900";

/** How long typing must pause before the preview renders the draft again. */
const PREVIEW_DEBOUNCE_MS = 400;

export interface EditedTemplate {
  id: string;
  channel: string;
  subject: string | null;
  body: string;
}

function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="text-sm text-red-700 dark:text-red-400">
      {message}
    </p>
  );
}

/**
 * Create or edit one template: the fields, the save's field errors (with the line and reason) next
 * to each, and a live preview of the draft on a sample alert, rendered on the server as sending
 * would (debounced while typing).
 */
export function TemplateEditor({
  channels,
  rules,
  template,
  save,
  samples,
}: {
  channels: readonly { value: string; label: string }[];
  rules: readonly { id: string; name: string }[];
  /** Absent: a new template (channel and rule are chosen); present: its subject and body are edited. */
  template?: EditedTemplate;
  save: Action<unknown>;
  samples: readonly { value: string; label: string }[];
}) {
  const uid = useId();
  const [state, formAction] = useActionState<ActionResult<unknown> | null, FormData>(save, null);
  const [channel, setChannel] = useState(template?.channel ?? channels[0]!.value);
  const [subject, setSubject] = useState(template?.subject ?? "");
  const [body, setBody] = useState(template?.body ?? "");
  const [sample, setSample] = useState(samples[0]!.value);
  const [shown, setShown] = useState<PreviewResult | { ok: false; error: string } | null>(null);
  const [rendering, setRendering] = useState(false);
  // The save's field errors are about what was saved; once the draft changes, the preview's count.
  const [editedSinceSave, setEdited] = useState(false);

  useEffect(() => {
    if (!body.trim()) {
      setShown(null);
      return;
    }
    // A newer draft cancels the render of an older one, so an answer never shows a stale draft.
    const abort = new AbortController();
    const timer = setTimeout(async () => {
      setRendering(true);
      try {
        const res = await fetch("/api/portal/templates/preview", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            channel,
            subject: channel === "email" ? subject : undefined,
            body,
            sample,
          }),
          signal: abort.signal,
        });
        const json = (await res.json()) as PreviewResult | { error?: { message?: string } };
        if (abort.signal.aborted) return;
        setShown(
          res.ok
            ? (json as PreviewResult)
            : {
                ok: false,
                error:
                  ("error" in json && json.error?.message) || `Preview failed (HTTP ${res.status})`,
              },
        );
      } catch (e) {
        if (!abort.signal.aborted) setShown({ ok: false, error: `Preview failed: ${String(e)}` });
      } finally {
        if (!abort.signal.aborted) setRendering(false);
      }
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [channel, subject, body, sample]);

  const fields = state && !state.ok && !editedSinceSave ? (state.fields ?? {}) : {};
  const previewFields = shown && !shown.ok && "fields" in shown ? shown.fields : {};
  const subjectError = fields.subject ?? previewFields.subject;
  const bodyError = fields.body ?? previewFields.body;
  const isEmail = channel === "email";

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <form
        action={(form) => {
          setEdited(false);
          formAction(form);
        }}
        className="space-y-4"
        aria-label={template ? `Edit ${template.channel} template` : "New template"}
      >
        <ActiveOrgField />
        {template ? (
          <input type="hidden" name="id" value={template.id} />
        ) : (
          <div className="grid gap-4 sm:grid-cols-2">
            <div className="space-y-1">
              <label htmlFor={`${uid}-channel`} className="block text-sm font-medium">
                Channel
              </label>
              <select
                id={`${uid}-channel`}
                name="channel"
                className={inputClass}
                value={channel}
                onChange={(e) => setChannel(e.target.value)}
                aria-invalid={Boolean(fields.channel)}
                aria-describedby={fields.channel ? `${uid}-channel-error` : undefined}
              >
                {channels.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
              <FieldError id={`${uid}-channel-error`} message={fields.channel} />
            </div>
            <div className="space-y-1">
              <label htmlFor={`${uid}-rule`} className="block text-sm font-medium">
                For
              </label>
              <select
                id={`${uid}-rule`}
                name="thresholdRuleId"
                className={inputClass}
                defaultValue=""
                aria-invalid={Boolean(fields.thresholdRuleId)}
                aria-describedby={fields.thresholdRuleId ? `${uid}-rule-error` : undefined}
              >
                <option value="">All alerts</option>
                {rules.map((r) => (
                  <option key={r.id} value={r.id}>
                    Threshold rule: {r.name}
                  </option>
                ))}
              </select>
              <FieldError id={`${uid}-rule-error`} message={fields.thresholdRuleId} />
            </div>
          </div>
        )}
        {isEmail && (
          <div className="space-y-1">
            <label htmlFor={`${uid}-subject`} className="block text-sm font-medium">
              Subject
            </label>
            <input
              id={`${uid}-subject`}
              name="subject"
              className={`${inputClass} font-mono`}
              value={subject}
              onChange={(e) => {
                setSubject(e.target.value);
                setEdited(true);
              }}
              aria-invalid={Boolean(subjectError)}
              aria-describedby={subjectError ? `${uid}-subject-error` : undefined}
              placeholder="[{{ alert.impact }}] {{ alert.title }}"
            />
            <FieldError id={`${uid}-subject-error`} message={subjectError} />
          </div>
        )}
        <div className="space-y-1">
          <label htmlFor={`${uid}-body`} className="block text-sm font-medium">
            {isEmail ? "Body (HTML or plain text)" : "Text"}
          </label>
          <textarea
            id={`${uid}-body`}
            name="body"
            rows={10}
            className={`${inputClass} font-mono`}
            value={body}
            onChange={(e) => {
              setBody(e.target.value);
              setEdited(true);
            }}
            aria-invalid={Boolean(bodyError)}
            aria-describedby={bodyError ? `${uid}-body-error` : undefined}
            placeholder={
              "{{ alert.title }}\n{% if threshold %}{{ threshold.metric }} is {{ threshold.value }}{% endif %}\n{{ alert.url }}"
            }
          />
          <FieldError id={`${uid}-body-error`} message={bodyError} />
        </div>
        <SubmitButton pendingText="Saving…">Save template</SubmitButton>
        <FormMessage result={state} />
      </form>

      <section aria-label="Preview" className="space-y-3">
        <div className="flex items-center justify-between gap-4">
          <h3 className="text-sm font-semibold">Preview</h3>
          <label className="flex items-center gap-2 text-sm">
            <span>Sample</span>
            <select
              className="rounded-md border border-slate-300 px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900"
              value={sample}
              onChange={(e) => setSample(e.target.value)}
            >
              {samples.map((s) => (
                <option key={s.value} value={s.value}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div
          aria-live="polite"
          aria-busy={rendering}
          className="min-h-40 rounded-md border border-slate-200 bg-slate-50 p-3 text-sm dark:border-slate-800 dark:bg-slate-950"
        >
          {!shown ? (
            <p className="text-slate-500">Write a template to see it rendered on sample data.</p>
          ) : shown.ok ? (
            <div className="space-y-2">
              {shown.subject !== undefined && (
                <p>
                  <span className="text-slate-500">Subject: </span>
                  <span data-testid="preview-subject">{shown.subject}</span>
                </p>
              )}
              <pre data-testid="preview-text" className="font-sans break-words whitespace-pre-wrap">
                {shown.text}
              </pre>
              {shown.cut && (
                <p className="text-xs text-amber-800 dark:text-amber-300">{shown.cut}</p>
              )}
            </div>
          ) : "error" in shown ? (
            <p role="alert" className="text-red-700 dark:text-red-400">
              {shown.error}
            </p>
          ) : (
            <div role="alert" className="space-y-1 text-red-700 dark:text-red-400">
              {Object.entries(shown.fields).map(([field, message]) => (
                <p key={field}>
                  <span className="capitalize">{field}</span>: {message}
                </p>
              ))}
            </div>
          )}
        </div>
        <p className="text-xs text-slate-500 dark:text-slate-400">
          {isEmail
            ? "The preview shows the plain-text part; the HTML part keeps your markup (sanitized) with every value escaped."
            : channel === "slack"
              ? "Slack mrkdwn: values have &, < and > escaped, so alert text cannot mention or link."
              : channel === "teams"
                ? "Teams markdown: values cannot open bold, italics, links or lists."
                : "SMS: plain text, folded to the GSM-7 alphabet and cut to 306 characters (two segments)."}
        </p>
      </section>
    </div>
  );
}
